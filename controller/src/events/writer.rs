//! The writer task: drains the queue through the aggregator to the API server.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use kubegen_api::core::v1::CoreV1Client;
use kubegen_api::events::v1::{Event, EventsV1Client};
use kubegen_runtime::rest::{Client, CreateOptions, Patch, PatchOptions};
use tokio::sync::mpsc;
use tokio::time::{interval, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::aggregate::{Aggregator, Write};
use super::broadcaster::{BroadcasterOptions, Stats};
use super::legacy::{self, Api, EventsApi};

/// What to do after a failed write.
enum Failure {
    /// The server cannot be reached (or answered oddly): try again later.
    Retry,
    /// The server refused the event: the same request would be refused again.
    GiveUp,
}

pub(crate) struct Writer {
    client: Client,
    events_v1: EventsV1Client,
    core_v1: CoreV1Client,
    /// The API written to, once known (asked before the first write).
    api: Option<Api>,
    options: BroadcasterOptions,
    stats: Arc<Stats>,
    stop: CancellationToken,
    aggregator: Aggregator,
}

impl Writer {
    pub(crate) fn new(
        client: Client,
        options: BroadcasterOptions,
        stats: Arc<Stats>,
        stop: CancellationToken,
    ) -> Self {
        let aggregator = Aggregator::new(options.series_window);
        let api = match options.api {
            EventsApi::Discover => None,
            EventsApi::EventsV1 => Some(Api::EventsV1),
            EventsApi::CoreV1 => Some(Api::CoreV1),
        };
        Self {
            events_v1: EventsV1Client::new(client.clone()),
            core_v1: CoreV1Client::new(client.clone()),
            client,
            api,
            options,
            stats,
            stop,
            aggregator,
        }
    }

    pub(crate) async fn run(mut self, mut queue: mpsc::Receiver<Event>) {
        // Expiry is checked a few times per window, so a series ends at most a quarter
        // window late.
        let mut expiry = interval((self.options.series_window / 4).max(Duration::from_millis(10)));
        expiry.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut heartbeat = interval(self.options.series_heartbeat.max(Duration::from_millis(10)));
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        heartbeat.reset();
        loop {
            tokio::select! {
                biased;
                () = self.stop.cancelled() => break,
                event = queue.recv() => match event {
                    Some(event) => {
                        if let Some(write) = self.aggregator.observe(event, Instant::now()) {
                            self.write(write).await;
                        }
                    }
                    None => break,
                },
                _ = expiry.tick() => {
                    for write in self.aggregator.expire(Instant::now()) {
                        self.write(write).await;
                    }
                }
                _ = heartbeat.tick() => {
                    for write in self.aggregator.heartbeat() {
                        self.write(write).await;
                    }
                }
            }
        }
        // Shutdown: refuse new events, write what is queued, then the pending counts.
        queue.close();
        while let Some(event) = queue.recv().await {
            if let Some(write) = self.aggregator.observe(event, Instant::now()) {
                self.write(write).await;
            }
        }
        for write in self.aggregator.flush() {
            self.write(write).await;
        }
    }

    /// Sends one write, retrying unreachable-server failures up to `max_tries` (one attempt
    /// once shutting down: shutdown must not wait for minutes).
    async fn write(&mut self, write: Write) {
        for attempt in 1..=self.options.max_tries.max(1) {
            match self.try_write(&write).await {
                Ok(()) => {
                    self.stats.written.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Err(Failure::GiveUp) => break,
                Err(Failure::Retry)
                    if attempt < self.options.max_tries && !self.stop.is_cancelled() =>
                {
                    // The first pause is randomized so many writers do not retry in step.
                    let pause = if attempt == 1 {
                        self.options.retry_interval.mul_f64(fastrand::f64())
                    } else {
                        self.options.retry_interval
                    };
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = self.stop.cancelled() => {}
                    }
                }
                Err(Failure::Retry) => break,
            }
        }
        self.stats.failed.fetch_add(1, Ordering::Relaxed);
    }

    async fn try_write(&mut self, write: &Write) -> Result<(), Failure> {
        let api = match self.api {
            Some(api) => api,
            None => {
                let api = legacy::discover(&self.client)
                    .await
                    .map_err(|e| classify(&e, "asking which Events API the server serves"))?;
                if api == Api::CoreV1 {
                    tracing::info!("the server has no events.k8s.io/v1: writing core/v1 Events");
                }
                self.api = Some(api);
                api
            }
        };
        match api {
            Api::EventsV1 => self.write_events_v1(write).await,
            Api::CoreV1 => self.write_core_v1(write).await,
        }
    }

    async fn write_core_v1(&self, write: &Write) -> Result<(), Failure> {
        let (Write::Create(event) | Write::Series(event)) = write;
        let ns = event.metadata.namespace.as_deref().unwrap_or("default");
        let create = || async {
            let mut core = legacy::to_core(event);
            core.metadata.resource_version = None;
            self.core_v1
                .events(ns)
                .create(&CreateOptions::default(), &core)
                .await
                .map(drop)
                .map_err(|e| classify(&e, "creating core/v1 event"))
        };
        let Write::Series(event) = write else {
            return create().await;
        };
        let Some(name) = event.metadata.name.as_deref() else {
            return Err(Failure::GiveUp);
        };
        let patch = Patch::Merge(legacy::series_patch(event));
        match self
            .core_v1
            .events(ns)
            .patch(name, &PatchOptions::default(), &patch)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => create().await,
            Err(e) => Err(classify(&e, "updating core/v1 event count")),
        }
    }

    async fn write_events_v1(&self, write: &Write) -> Result<(), Failure> {
        match write {
            Write::Create(event) => self.create(event, false).await,
            Write::Series(event) => {
                let (Some(ns), Some(name)) = (
                    event.metadata.namespace.as_deref(),
                    event.metadata.name.as_deref(),
                ) else {
                    return Err(Failure::GiveUp);
                };
                let patch = Patch::Merge(serde_json::json!({ "series": event.series }));
                match self
                    .events_v1
                    .events(ns)
                    .patch(name, &PatchOptions::default(), &patch)
                    .await
                {
                    Ok(_) => Ok(()),
                    // Gone (the server's event TTL): write it whole again, series included.
                    Err(e) if e.is_not_found() => self.create(event, true).await,
                    Err(e) => Err(classify(&e, "updating event series")),
                }
            }
        }
    }

    async fn create(&self, event: &Event, series: bool) -> Result<(), Failure> {
        let ns = event.metadata.namespace.as_deref().unwrap_or("default");
        let mut event = event.clone();
        event.metadata.resource_version = None;
        match self
            .events_v1
            .events(ns)
            .create(&CreateOptions::default(), &event)
            .await
        {
            Ok(_) => Ok(()),
            // Re-creating a series whose object came back in between: patch again.
            Err(e) if series && e.is_already_exists() => Err(Failure::Retry),
            Err(e) => Err(classify(&e, "creating event")),
        }
    }
}

/// Retries what may succeed later (transport errors, throttling, server errors), gives up on
/// what the server refused.
fn classify(e: &kubegen_runtime::rest::Error, what: &str) -> Failure {
    let retry = match e.api() {
        None => e.is_transport(),
        Some(api) => {
            api.is_too_many_requests()
                || api.is_server_timeout()
                || api.is_timeout()
                || api.is_internal_error()
                || api.is_service_unavailable()
        }
    };
    if retry {
        tracing::warn!(error = %e, "{what} failed (will retry)");
        Failure::Retry
    } else {
        tracing::error!(error = %e, "{what} failed (server refused, not retrying)");
        Failure::GiveUp
    }
}
