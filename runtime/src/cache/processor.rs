//! Per-handler buffers: how one informer feeds many handlers without one slowing the others.
//!
//! Contract (client-go's `processorListener`): each handler has its own unbounded queue and its
//! own task; the informer only appends to queues (never waits for a handler), so a slow handler
//! grows its own backlog — observable through [`HandlerRegistration::pending`] — and delays no
//! one else. A handler sees its notifications in the order the informer produced them. A
//! panicking handler is logged and keeps receiving later events.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{mpsc, watch};

use super::handler::{EventHandler, Notification};

/// One handler's buffer and counters.
pub(crate) struct Listener<K> {
    id: u64,
    sender: Mutex<Option<mpsc::UnboundedSender<Notification<K>>>>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Notification<K>>>>,
    handler: Arc<dyn EventHandler<K>>,
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    /// Notifications queued and not yet handled.
    pending: AtomicUsize,
    /// Initial-list adds queued and not yet handled.
    initial_pending: AtomicUsize,
    removed: AtomicBool,
}

impl<K: Send + Sync + 'static> Listener<K> {
    pub(crate) fn new(id: u64, handler: Arc<dyn EventHandler<K>>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            id,
            sender: Mutex::new(Some(tx)),
            receiver: Mutex::new(Some(rx)),
            handler,
            counters: Arc::default(),
        }
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Queues a notification (never blocks).
    pub(crate) fn push(&self, notification: Notification<K>) {
        let sender = self.sender.lock().unwrap_or_else(|p| p.into_inner());
        let Some(sender) = sender.as_ref() else {
            return;
        };
        let initial = matches!(
            notification,
            Notification::Add {
                is_in_initial_list: true,
                ..
            }
        );
        self.counters.pending.fetch_add(1, Ordering::SeqCst);
        if initial {
            self.counters.initial_pending.fetch_add(1, Ordering::SeqCst);
        }
        if sender.send(notification).is_err() {
            // The handler task is gone (runtime shut down): nothing will handle it.
            self.counters.pending.fetch_sub(1, Ordering::SeqCst);
            if initial {
                self.counters.initial_pending.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// Spawns the handler's task (once); it ends when the listener is closed and drained.
    pub(crate) fn start(&self) {
        let receiver = self
            .receiver
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(mut receiver) = receiver else {
            return;
        };
        let handler = Arc::clone(&self.handler);
        let counters = Arc::clone(&self.counters);
        tokio::spawn(async move {
            while let Some(notification) = receiver.recv().await {
                let initial = matches!(
                    notification,
                    Notification::Add {
                        is_in_initial_list: true,
                        ..
                    }
                );
                let outcome = catch_unwind(AssertUnwindSafe(|| notification.dispatch(&*handler)));
                if outcome.is_err() {
                    tracing::error!(?notification, "informer event handler panicked");
                }
                if initial {
                    counters.initial_pending.fetch_sub(1, Ordering::SeqCst);
                }
                counters.pending.fetch_sub(1, Ordering::SeqCst);
            }
        });
    }

    /// Stops accepting notifications; the task drains what is queued and ends.
    pub(crate) fn close(&self) {
        self.sender.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    pub(crate) fn registration(
        self: &Arc<Self>,
        informer_synced: watch::Receiver<bool>,
        remove: Box<dyn Fn(u64) + Send + Sync>,
    ) -> HandlerRegistration {
        HandlerRegistration {
            id: self.id,
            counters: Arc::clone(&self.counters),
            informer_synced,
            remove: Arc::new(remove),
        }
    }
}

/// A handle on one added handler: its backlog, its sync state, and removal.
#[derive(Clone)]
pub struct HandlerRegistration {
    id: u64,
    counters: Arc<Counters>,
    informer_synced: watch::Receiver<bool>,
    remove: Arc<dyn Fn(u64) + Send + Sync>,
}

impl std::fmt::Debug for HandlerRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerRegistration")
            .field("id", &self.id)
            .field("pending", &self.pending())
            .field("has_synced", &self.has_synced())
            .finish()
    }
}

impl HandlerRegistration {
    /// Notifications queued for this handler and not yet handled.
    pub fn pending(&self) -> usize {
        self.counters.pending.load(Ordering::SeqCst)
    }

    /// Whether the informer has synced and this handler has handled every initial-list add.
    pub fn has_synced(&self) -> bool {
        *self.informer_synced.borrow() && self.counters.initial_pending.load(Ordering::SeqCst) == 0
    }

    /// Stops delivering new events to this handler (queued ones are still handled).
    pub fn remove(&self) {
        if !self.counters.removed.swap(true, Ordering::SeqCst) {
            (self.remove)(self.id);
        }
    }
}

/// A remover that does nothing once the informer is gone.
pub(crate) fn remover<T: Send + Sync + 'static>(
    target: Weak<T>,
    remove: impl Fn(&T, u64) + Send + Sync + 'static,
) -> Box<dyn Fn(u64) + Send + Sync> {
    Box::new(move |id| {
        if let Some(target) = target.upgrade() {
            remove(&target, id);
        }
    })
}
