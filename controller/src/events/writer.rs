//! The writer task: drains the queue through the aggregator to the API server.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use kubegen_api::events::v1::{Event, EventsV1Client};
use kubegen_runtime::rest::{CreateOptions, Patch, PatchOptions};
use tokio::sync::mpsc;
use tokio::time::{interval, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::aggregate::{Aggregator, Write};
use super::broadcaster::{BroadcasterOptions, Stats};

/// What to do after a failed write.
enum Failure {
    /// The server cannot be reached (or answered oddly): try again later.
    Retry,
    /// The server refused the event: the same request would be refused again.
    GiveUp,
}

pub(crate) struct Writer {
    client: EventsV1Client,
    options: BroadcasterOptions,
    stats: Arc<Stats>,
    stop: CancellationToken,
    aggregator: Aggregator,
}

impl Writer {
    pub fn new(
        client: EventsV1Client,
        options: BroadcasterOptions,
        stats: Arc<Stats>,
        stop: CancellationToken,
    ) -> Self {
        let aggregator = Aggregator::new(options.series_window);
        Self {
            client,
            options,
            stats,
            stop,
            aggregator,
        }
    }

    pub async fn run(mut self, mut queue: mpsc::Receiver<Event>) {
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
    async fn write(&self, write: Write) {
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

    async fn try_write(&self, write: &Write) -> Result<(), Failure> {
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
                    .client
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
            .client
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
