//! What a program sees of a reflector's list and watch failures (client-go's
//! `SetWatchErrorHandler`): a handler called with each error, and counters of errors and
//! of objects skipped because they did not decode. Without a handler the errors are only
//! logged; either way the reflector goes on.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::list_watch::ListWatchError;

/// Called with every list or watch error a reflector meets (it backs off, relists or
/// skips the object, as the error says; the handler only observes).
pub type WatchErrorHandler = Arc<dyn Fn(&ListWatchError) + Send + Sync>;

/// The error handler and counters of one reflector, shared with its informer.
#[derive(Default)]
pub(crate) struct ErrorReport {
    handler: Mutex<Option<WatchErrorHandler>>,
    errors: AtomicU64,
    skipped_objects: AtomicU64,
}

impl fmt::Debug for ErrorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorReport")
            .field("errors", &self.errors())
            .field("skipped_objects", &self.skipped_objects())
            .finish_non_exhaustive()
    }
}

impl ErrorReport {
    /// Replaces the handler.
    pub(crate) fn set_handler(&self, handler: WatchErrorHandler) {
        *self.handler.lock().unwrap_or_else(|p| p.into_inner()) = Some(handler);
    }

    /// Counts `err` and hands it to the handler, if any.
    pub(crate) fn report(&self, err: &ListWatchError) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if matches!(err, ListWatchError::UndecodableObject { .. }) {
            self.skipped_objects.fetch_add(1, Ordering::Relaxed);
        }
        // Cloned out so a handler may set another handler without deadlocking.
        let handler = self
            .handler
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(handler) = handler {
            handler(err);
        }
    }

    pub(crate) fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    pub(crate) fn skipped_objects(&self) -> u64 {
        self.skipped_objects.load(Ordering::Relaxed)
    }
}
