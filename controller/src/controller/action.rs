//! What a reconciliation asks of the loop when it succeeded.

use std::time::Duration;

/// The result of a successful `reconcile`: done, or look again after a while (e.g. to poll
/// something no informer watches). Failures are `Err` and retried with the queue's backoff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Action {
    requeue_after: Option<Duration>,
}

impl Action {
    /// Nothing more to do until the next event for the key.
    pub fn done() -> Self {
        Self::default()
    }

    /// Reconcile the key again after `delay` (the backoff is reset: this is not a failure).
    pub fn requeue_after(delay: Duration) -> Self {
        Self {
            requeue_after: Some(delay),
        }
    }

    /// The requested delay, if any.
    pub fn requeue_delay(&self) -> Option<Duration> {
        self.requeue_after
    }
}
