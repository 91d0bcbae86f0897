//! Resetting a request's TCP connection on demand (injected watch drops).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// A handle on the TCP connection a request came in on; [`ConnReset::reset`] aborts the
/// connection with an RST instead of an orderly close.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnReset {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    requested: AtomicBool,
    notify: Notify,
}

impl ConnReset {
    /// Asks the connection's task to abort the connection.
    pub(crate) fn reset(&self) {
        self.inner.requested.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
        self.inner.notify.notify_one();
    }

    /// Whether a reset was asked for.
    pub(crate) fn requested(&self) -> bool {
        self.inner.requested.load(Ordering::SeqCst)
    }

    /// Completes once a reset is asked for.
    pub(crate) async fn wait(&self) {
        while !self.requested() {
            self.inner.notify.notified().await;
        }
    }
}
