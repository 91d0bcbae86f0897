//! What a reflector needs from the API: list a page, watch from a resource version.
//!
//! Contract: a [`ListerWatcher`] is bound to one resource, namespace and selector set (see
//! [`ListWatchOptions`]); the reflector only varies the resource version, paging and watch
//! flags ([`ListRequest`], [`WatchRequest`]). A watch hands out the runtime's one event type,
//! [`rest::WatchEvent`](crate::rest::WatchEvent), its errors classified ([`ListWatchStream`]). Errors are classified into what the reflector acts
//! on ([`ListWatchError`]): `Gone` (410 / expired resource version or continue token → relist),
//! `TooManyRequests` (back off at least `retry_after`), `WatchListUnsupported` (fall back to
//! list + watch), `UndecodableObject` (skip that one object, keep watching) and everything
//! else (back off and retry). A list page may also leave out items that did not decode
//! ([`ListPage::skipped`]). The REST client implements this
//! trait for every resource; tests script it in memory.

use std::borrow::Cow;
use std::future::Future;
use std::time::Duration;

use futures_util::stream::BoxStream;

use crate::meta::Status;
use crate::rest::WatchEvent;

/// How one informer's list and watch calls are scoped (the factory's per-informer options).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ListWatchOptions {
    /// Only objects in this namespace (all namespaces when `None`).
    pub namespace: Option<String>,
    /// Server-side label selector (`app=web`).
    pub label_selector: Option<String>,
    /// Server-side field selector (`spec.nodeName=n1`).
    pub field_selector: Option<String>,
}

/// What the reflector asks of one list call: the resource version and paging. The scope
/// (namespace, selectors) is the lister-watcher's own ([`ListWatchOptions`]); the lister-watcher
/// turns both into a request's query ([`rest::ListOptions`](crate::rest::ListOptions)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    /// `resourceVersion`: `"0"` = any cached state, `""` = most recent (quorum read), else at
    /// least this version. Not sent together with `continue_token`.
    pub resource_version: String,
    /// `resourceVersionMatch` (`NotOlderThan`, `Exact`), when set.
    pub resource_version_match: Option<String>,
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Token of the next page (`continue`).
    pub continue_token: Option<String>,
}

/// What the reflector asks of one watch call: where to start and how (bookmarks, WatchList,
/// timeout); scoped and sent as [`ListRequest`] is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchRequest {
    /// Watch changes after this version (`""`: from now, or the full state with
    /// `send_initial_events`).
    pub resource_version: String,
    /// `resourceVersionMatch` (`NotOlderThan` for WatchList).
    pub resource_version_match: Option<String>,
    /// `allowWatchBookmarks`.
    pub allow_watch_bookmarks: bool,
    /// `sendInitialEvents` (WatchList): stream the current state first, then a bookmark
    /// annotated `k8s.io/initial-events-end`.
    pub send_initial_events: bool,
    /// `timeoutSeconds`: the server ends the watch after this long.
    pub timeout_seconds: Option<u32>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<K> {
    /// The objects.
    pub items: Vec<K>,
    /// The list's `metadata.resourceVersion`.
    pub resource_version: String,
    /// `metadata.continue`, when more pages follow.
    pub continue_token: Option<String>,
    /// Items left out because they did not decode; the reflector reports each and keeps
    /// its last good state.
    pub skipped: Vec<SkippedObject>,
}

/// A list item a lister-watcher left out because it did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedObject {
    /// `namespace/name`.
    pub key: String,
    /// Resource version of the list, where a watch resumes.
    pub resource_version: Option<String>,
    /// Why it did not decode.
    pub reason: String,
}

impl SkippedObject {
    /// As the error the reflector reports.
    pub fn to_error(&self) -> ListWatchError {
        ListWatchError::UndecodableObject {
            key: self.key.clone(),
            resource_version: self.resource_version.clone(),
            source: self.reason.clone().into(),
        }
    }
}

/// The events of one watch, errors classified for the reflector: until the server (or the
/// connection) ends it.
pub type ListWatchStream<K> = BoxStream<'static, Result<WatchEvent<K>, ListWatchError>>;

/// Why a list or watch failed, classified by what the reflector does about it.
#[derive(Debug, thiserror::Error)]
pub enum ListWatchError {
    /// 410 Gone: the resource version or continue token expired; relist.
    #[error("resource version expired (410 Gone): {message}")]
    Gone {
        /// The server's message.
        message: String,
    },
    /// 429: back off at least `retry_after`.
    #[error("too many requests (429){}: {message}", retry_after.map(|d| format!(", retry after {d:?}")).unwrap_or_default())]
    TooManyRequests {
        /// How long the server asked to wait (`Retry-After`).
        retry_after: Option<Duration>,
        /// The server's message.
        message: String,
    },
    /// The server rejected or ignored `sendInitialEvents`; use list + watch.
    #[error("the server does not support watch-list (sendInitialEvents): {message}")]
    WatchListUnsupported {
        /// The server's message.
        message: String,
    },
    /// One object the watched type cannot decode (the rest of the stream is fine): skip it,
    /// resuming after its `resource_version`, and keep its last good state.
    #[error("skipped {key} (resourceVersion {}): it does not decode: {source}", resource_version.as_deref().unwrap_or("?"))]
    UndecodableObject {
        /// `namespace/name` of the object.
        key: String,
        /// Its resource version, if it could be read.
        resource_version: Option<String>,
        /// Why it does not decode.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Anything else (connection, decoding, 5xx, …): back off and retry.
    #[error("list/watch failed: {0}")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ListWatchError {
    /// Wraps any error as [`ListWatchError::Other`].
    pub fn other(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Other(err.into())
    }

    /// Whether this is a 410 Gone (relist).
    pub fn is_gone(&self) -> bool {
        matches!(self, Self::Gone { .. })
    }

    /// Classifies a `Status` from an `ERROR` watch event or a failed response.
    pub fn from_status(status: &Status) -> Self {
        let message = status.message.clone().unwrap_or_default();
        match (status.code, status.reason.as_deref()) {
            (Some(410), _) | (_, Some("Expired" | "Gone")) => Self::Gone { message },
            (Some(429), _) | (_, Some("TooManyRequests")) => Self::TooManyRequests {
                retry_after: status
                    .details
                    .as_ref()
                    .and_then(|d| d.retry_after_seconds)
                    .and_then(|s| u64::try_from(s).ok())
                    .map(Duration::from_secs),
                message,
            },
            _ => Self::other(format!(
                "status {}: {} ({})",
                status.code.unwrap_or_default(),
                message,
                status.reason.as_deref().unwrap_or("no reason")
            )),
        }
    }
}

/// Lists and watches one resource (scoped by namespace/selectors fixed at construction).
pub trait ListerWatcher<K>: Send + Sync + 'static {
    /// Lists one page.
    fn list(
        &self,
        request: &ListRequest,
    ) -> impl Future<Output = Result<ListPage<K>, ListWatchError>> + Send;

    /// Opens a watch.
    fn watch(
        &self,
        request: &WatchRequest,
    ) -> impl Future<Output = Result<ListWatchStream<K>, ListWatchError>> + Send;

    /// The resource as the informer names it in logs: the kind's plural, unless the
    /// lister-watcher knows better (a dynamic one serves whatever resource it was given).
    fn resource_name(&self) -> Cow<'static, str>
    where
        K: crate::meta::Resource,
    {
        Cow::Borrowed(K::PLURAL)
    }
}

/// A client that can make a [`ListerWatcher`] for resource `K` with given options — what the
/// informer factory needs to create informers on demand. The REST client implements it for
/// every resource (and for `PartialObjectMetadata<K>`, sending the metadata-only Accept header).
pub trait ListerWatcherFor<K> {
    /// The lister-watcher [`ListerWatcherFor::lister_watcher`] makes.
    type ListerWatcher: ListerWatcher<K>;

    /// A lister-watcher scoped by `options`.
    fn lister_watcher(&self, options: &ListWatchOptions) -> Self::ListerWatcher;
}
