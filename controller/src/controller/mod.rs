//! The controller loop: informer events → keys in a rate-limited work queue → `N` workers
//! calling `reconcile(key)`.
//!
//! This is the loop of client-go's sample controller, not a framework: the informers come
//! from your [`SharedInformerFactory`](kubegen_runtime::cache::SharedInformerFactory) (start
//! it yourself), reconciliation reads the listers and writes through the typed clients.
//!
//! Contract:
//! - an add, update or delete of a primary object queues its `namespace/name` key; a
//!   [`Controller::watches`] mapping queues the keys a secondary object maps to;
//! - a key is never reconciled by two workers at once, and a burst of events for a key that
//!   waits in the queue is reconciled once (the queue's guarantees);
//! - `Ok(Action::done())` forgets the key's failure history; `Ok(Action::requeue_after(d))`
//!   does too and queues the key again after `d`; `Err(e)` queues it again after the rate
//!   limiter's per-key exponential backoff (up to [`Controller::max_retries`], if set);
//! - [`Controller::run`] waits for the informers' caches, runs the workers until its token is
//!   cancelled, then stops taking new events, lets the workers finish what is queued and in
//!   flight (retries are not scheduled any more), and returns when they are done.
//!
//! ```no_run
//! # async fn demo(client: kubegen_runtime::rest::Client) {
//! use kubegen_api::core::v1::ConfigMap;
//! use kubegen_controller::controller::{Action, Controller};
//! use kubegen_controller::CancellationToken;
//! use kubegen_runtime::cache::SharedInformerFactory;
//!
//! let factory = SharedInformerFactory::new(client);
//! let informer = factory.informer::<ConfigMap>();
//! let lister = informer.lister();
//! let controller = Controller::new("configmaps", &informer).workers(2);
//! factory.start();
//! let result = controller
//!     .run(CancellationToken::new(), move |key: String| {
//!         let lister = lister.clone();
//!         async move {
//!             let _current = lister.store().get_by_key(&key); // None: deleted
//!             Ok::<_, std::convert::Infallible>(Action::done())
//!         }
//!     })
//!     .await;
//! # let _ = result;
//! # }
//! ```

mod action;
mod owner;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use kubegen_runtime::cache::{object_key, EventHandlerFns, SharedIndexInformer};
use kubegen_runtime::meta::Object;
use kubegen_runtime::workqueue::RateLimitingQueue;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use action::Action;
pub use owner::controller_owner_key;

/// Why [`Controller::run`] could not run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ControllerError {
    /// An informer stopped before its cache synced (e.g. it was shut down).
    #[error("controller {0}: an informer stopped before its cache synced")]
    CacheSync(String),
}

/// The loop over one primary resource; see the module docs for the contract.
#[derive(Debug)]
pub struct Controller {
    name: String,
    queue: RateLimitingQueue<String>,
    synced: Vec<watch::Receiver<bool>>,
    workers: usize,
    max_retries: Option<usize>,
}

impl Controller {
    /// A controller named `name` (for logs) over `informer`'s objects, with client-go's
    /// default controller rate limiter (per-key backoff 5 ms..1000 s, 10 qps overall).
    pub fn new<K>(name: impl Into<String>, informer: &SharedIndexInformer<K>) -> Self
    where
        K: Object + Send + Sync + 'static,
    {
        Self::with_queue(
            name,
            informer,
            RateLimitingQueue::with_default_rate_limiter(),
        )
    }

    /// Like [`Controller::new`] with a queue of your own (its rate limiter sets the backoff).
    pub fn with_queue<K>(
        name: impl Into<String>,
        informer: &SharedIndexInformer<K>,
        queue: RateLimitingQueue<String>,
    ) -> Self
    where
        K: Object + Send + Sync + 'static,
    {
        let this = Self {
            name: name.into(),
            queue,
            synced: Vec::new(),
            workers: 1,
            max_retries: None,
        };
        this.watches(informer, |obj: &K| vec![object_key(obj)])
    }

    /// Also queues the keys `map` returns for each add, update (old and new object) and
    /// delete of `informer`'s objects, e.g. [`controller_owner_key`] for owned objects.
    pub fn watches<O>(
        mut self,
        informer: &SharedIndexInformer<O>,
        map: impl Fn(&O) -> Vec<String> + Send + Sync + 'static,
    ) -> Self
    where
        O: Object + Send + Sync + 'static,
    {
        let map = Arc::new(map);
        let enqueue = move |queue: &RateLimitingQueue<String>, obj: &O| {
            for key in map(obj) {
                queue.add(key);
            }
        };
        let (q1, q2, q3) = (self.queue.clone(), self.queue.clone(), self.queue.clone());
        let (e1, e2, e3) = (enqueue.clone(), enqueue.clone(), enqueue);
        informer.add_event_handler(
            EventHandlerFns::new()
                .on_add(move |obj: &Arc<O>, _| e1(&q1, obj))
                .on_update(move |old: &Arc<O>, new: &Arc<O>| {
                    e2(&q2, old);
                    e2(&q2, new);
                })
                .on_delete(move |obj| e3(&q3, obj.object())),
        );
        self.synced.push(informer.synced_watch());
        self
    }

    /// How many keys are reconciled concurrently (at least 1; default 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Failed attempts after which a key is dropped until its next event (default: retry
    /// for ever, with the backoff capped by the rate limiter).
    pub fn max_retries(mut self, retries: usize) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// The work queue (to add keys by hand, or observe its length).
    pub fn queue(&self) -> &RateLimitingQueue<String> {
        &self.queue
    }

    /// Waits for the caches, then reconciles until `cancel` fires, then drains (see the
    /// module docs). Returns at once, without reconciling, if `cancel` fires before the
    /// caches synced. A controller runs once: its queue is shut down when `run` returns.
    pub async fn run<R, Fut, E>(
        &self,
        cancel: CancellationToken,
        reconcile: R,
    ) -> Result<(), ControllerError>
    where
        R: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Action, E>> + Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        tokio::select! {
            synced = wait_for_sync(self.synced.clone()) => {
                if !synced {
                    self.queue.shut_down();
                    return Err(ControllerError::CacheSync(self.name.clone()));
                }
            }
            () = cancel.cancelled() => {
                self.queue.shut_down();
                return Ok(());
            }
        }
        tracing::info!(controller = %self.name, workers = self.workers, "caches synced, starting workers");
        let reconcile = Arc::new(reconcile);
        let workers: Vec<_> = (0..self.workers)
            .map(|_| {
                let worker = Worker {
                    name: self.name.clone(),
                    queue: self.queue.clone(),
                    max_retries: self.max_retries,
                };
                tokio::spawn(worker.run(Arc::clone(&reconcile)))
            })
            .collect();
        cancel.cancelled().await;
        tracing::info!(controller = %self.name, "shutting down, draining the queue");
        self.queue.shut_down_with_drain().await;
        for worker in workers {
            if let Err(e) = worker.await {
                tracing::error!(controller = %self.name, error = %e, "worker failed");
            }
        }
        tracing::info!(controller = %self.name, "stopped");
        Ok(())
    }
}

/// Waits until every informer synced; `false` if one stopped first.
async fn wait_for_sync(synced: Vec<watch::Receiver<bool>>) -> bool {
    for mut rx in synced {
        if rx.wait_for(|s| *s).await.is_err() {
            return false;
        }
    }
    true
}

struct Worker {
    name: String,
    queue: RateLimitingQueue<String>,
    max_retries: Option<usize>,
}

impl Worker {
    async fn run<R, Fut, E>(self, reconcile: Arc<R>)
    where
        R: Fn(String) -> Fut,
        Fut: Future<Output = Result<Action, E>>,
        E: fmt::Display,
    {
        while let Some(key) = self.queue.get().await {
            match reconcile(key.clone()).await {
                Ok(action) => {
                    self.queue.forget(&key);
                    if let Some(delay) = action.requeue_delay() {
                        self.queue.add_after(key.clone(), delay);
                    }
                }
                Err(e) => {
                    let retries = self.queue.num_requeues(&key);
                    if self.max_retries.is_some_and(|max| retries >= max) {
                        tracing::error!(controller = %self.name, %key, error = %e, retries, "reconcile failed, giving up until the next event");
                        self.queue.forget(&key);
                    } else {
                        tracing::warn!(controller = %self.name, %key, error = %e, retries, "reconcile failed, retrying with backoff");
                        self.queue.add_rate_limited(key.clone());
                    }
                }
            }
            self.queue.done(&key);
        }
    }
}
