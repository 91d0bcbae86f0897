//! The one watch vocabulary of the runtime (apimachinery's `watch.Event`): what a watch
//! stream hands out, whatever its encoding, and what a [`ListerWatcher`] hands the
//! reflector. The typed and dynamic clients, informers and test fakes all speak it.
//!
//! It lives in `rest` rather than `meta` because an `ERROR` event carries an [`ApiError`]
//! (the watch's URL beside the server's `Status`), a client type. `meta::WatchEvent` is the
//! wire form (`metav1.WatchEvent`), decoded into this.
//!
//! [`ListerWatcher`]: crate::cache::ListerWatcher

use std::collections::BTreeMap;

use crate::meta::Object;
use crate::rest::ApiError;

/// One event of a watch.
// Objects are usually larger than the other variants; boxing would cost an allocation
// per event on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent<K> {
    /// An object was created (or is in the initial events).
    Added(K),
    /// An object changed.
    Modified(K),
    /// An object was deleted; its last state.
    Deleted(K),
    /// The server's progress marker: only the resource version (and annotations) are set.
    Bookmark(Bookmark),
    /// An `ERROR` event; `410`/`Expired` (`is_gone()`) means the watch must restart from
    /// a fresh list.
    Error(ApiError),
}

impl<K> WatchEvent<K> {
    /// The object of an added, modified or deleted event.
    pub fn object(&self) -> Option<&K> {
        match self {
            WatchEvent::Added(k) | WatchEvent::Modified(k) | WatchEvent::Deleted(k) => Some(k),
            _ => None,
        }
    }

    /// The event's type as on the wire (`ADDED`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            WatchEvent::Added(_) => "ADDED",
            WatchEvent::Modified(_) => "MODIFIED",
            WatchEvent::Deleted(_) => "DELETED",
            WatchEvent::Bookmark(_) => "BOOKMARK",
            WatchEvent::Error(_) => "ERROR",
        }
    }
}

impl<K: Object> WatchEvent<K> {
    /// The resource version this event brings the watcher to.
    pub fn resource_version(&self) -> Option<&str> {
        match self {
            WatchEvent::Bookmark(b) => Some(&b.resource_version),
            WatchEvent::Error(_) => None,
            _ => self
                .object()
                .and_then(|k| k.metadata().resource_version.as_deref()),
        }
    }
}

/// The content of a `BOOKMARK` event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bookmark {
    /// The resource version the watch has reached.
    pub resource_version: String,
    /// The bookmark's annotations (`k8s.io/initial-events-end`).
    pub annotations: BTreeMap<String, String>,
}

impl Bookmark {
    /// Annotation marking the end of the initial events of a `sendInitialEvents` watch.
    pub const INITIAL_EVENTS_END: &'static str = "k8s.io/initial-events-end";

    /// A bookmark at `resource_version` with no annotations.
    pub fn new(resource_version: impl Into<String>) -> Self {
        Self {
            resource_version: resource_version.into(),
            annotations: BTreeMap::new(),
        }
    }

    /// The bookmark that ends a watch-list's initial state at `resource_version`.
    pub fn initial_events_end(resource_version: impl Into<String>) -> Self {
        let mut bookmark = Self::new(resource_version);
        bookmark
            .annotations
            .insert(Self::INITIAL_EVENTS_END.to_owned(), "true".to_owned());
        bookmark
    }

    /// True on the bookmark that ends a watch-list's initial state.
    pub fn is_initial_events_end(&self) -> bool {
        self.annotations
            .get(Self::INITIAL_EVENTS_END)
            .is_some_and(|v| v == "true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_true_annotation_ends_the_initial_events() {
        assert!(Bookmark::initial_events_end("9").is_initial_events_end());
        assert!(!Bookmark::new("9").is_initial_events_end());
        let mut other = Bookmark::new("9");
        other
            .annotations
            .insert(Bookmark::INITIAL_EVENTS_END.into(), "false".into());
        assert!(!other.is_initial_events_end());
    }
}
