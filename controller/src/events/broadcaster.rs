//! The queue between recorders and the writer task, and its lifecycle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use kubegen_api::events::v1::Event;
use kubegen_runtime::rest::Client;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::legacy::EventsApi;
use super::recorder::Recorder;
use super::writer::Writer;

/// Settings of an [`EventBroadcaster`]; the defaults are client-go's.
#[derive(Clone, Debug)]
pub struct BroadcasterOptions {
    /// Events queued for the writer before recorders start dropping (1000).
    pub queue_capacity: usize,
    /// Occurrences closer than this form one series; a series with no occurrence for this
    /// long is finished (6 min).
    pub series_window: Duration,
    /// How often counted but unwritten occurrences of ongoing series are written (30 min).
    pub series_heartbeat: Duration,
    /// Attempts per write when the server cannot be reached (12).
    pub max_tries: u32,
    /// Pause between those attempts (10 s).
    pub retry_interval: Duration,
    /// Which Events API to write: by default `events.k8s.io/v1` where the server serves it,
    /// `core/v1` otherwise.
    pub api: EventsApi,
}

impl Default for BroadcasterOptions {
    fn default() -> Self {
        Self {
            queue_capacity: 1000,
            series_window: Duration::from_secs(6 * 60),
            series_heartbeat: Duration::from_secs(30 * 60),
            max_tries: 12,
            retry_interval: Duration::from_secs(10),
            api: EventsApi::Discover,
        }
    }
}

/// Counters shared by the recorders and the writer.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub queued: AtomicU64,
    pub dropped: AtomicU64,
    pub written: AtomicU64,
    pub failed: AtomicU64,
}

/// Owns the event queue and the task writing it to the API server.
#[derive(Debug)]
pub struct EventBroadcaster {
    queue: mpsc::Sender<Event>,
    receiver: Mutex<Option<mpsc::Receiver<Event>>>,
    task: Mutex<Option<JoinHandle<()>>>,
    client: Client,
    options: BroadcasterOptions,
    stats: Arc<Stats>,
    stop: CancellationToken,
}

impl EventBroadcaster {
    /// A broadcaster writing with `client`. Events recorded before [`EventBroadcaster::start`]
    /// wait in the queue (as in client-go before `StartRecordingToSink`).
    pub fn new(client: Client, options: BroadcasterOptions) -> Self {
        let (queue, receiver) = mpsc::channel(options.queue_capacity.max(1));
        Self {
            queue,
            receiver: Mutex::new(Some(receiver)),
            task: Mutex::new(None),
            client,
            options,
            stats: Arc::default(),
            stop: CancellationToken::new(),
        }
    }

    /// Starts the writer task (on the current tokio runtime); later calls do nothing.
    pub fn start(&self) {
        let Some(receiver) = lock(&self.receiver).take() else {
            return;
        };
        let writer = Writer::new(
            self.client.clone(),
            self.options.clone(),
            Arc::clone(&self.stats),
            self.stop.clone(),
        );
        *lock(&self.task) = Some(tokio::spawn(writer.run(receiver)));
    }

    /// A recorder reporting as `reporting_controller` (e.g. `example.com/foo-controller`) and
    /// `reporting_instance` (e.g. the pod name).
    pub fn new_recorder(
        &self,
        reporting_controller: impl Into<String>,
        reporting_instance: impl Into<String>,
    ) -> Recorder {
        Recorder {
            queue: self.queue.clone(),
            stats: Arc::clone(&self.stats),
            reporting_controller: reporting_controller.into(),
            reporting_instance: reporting_instance.into(),
        }
    }

    /// Stops accepting events, writes the queued ones and every unwritten series count (one
    /// attempt each, no retry pauses), and waits for the writer to end.
    pub async fn shutdown(&self) {
        self.stop.cancel();
        // Never started: nothing will write the queue; what it holds is dropped.
        if let Some(mut receiver) = lock(&self.receiver).take() {
            receiver.close();
            let mut lost = 0;
            while receiver.try_recv().is_ok() {
                lost += 1;
            }
            self.stats.dropped.fetch_add(lost, Ordering::Relaxed);
        }
        let task = lock(&self.task).take();
        if let Some(task) = task {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "event writer task failed");
            }
        }
    }

    /// Events recorders dropped because the queue was full or shut down.
    pub fn dropped_events(&self) -> u64 {
        self.stats.dropped.load(Ordering::Relaxed)
    }

    /// Events accepted into the queue.
    pub fn queued_events(&self) -> u64 {
        self.stats.queued.load(Ordering::Relaxed)
    }

    /// Successful writes (creates and series updates).
    pub fn written_events(&self) -> u64 {
        self.stats.written.load(Ordering::Relaxed)
    }

    /// Writes given up on.
    pub fn failed_events(&self) -> u64 {
        self.stats.failed.load(Ordering::Relaxed)
    }
}

impl Drop for EventBroadcaster {
    fn drop(&mut self) {
        // A writer outliving its broadcaster would hold the queue open forever.
        self.stop.cancel();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
