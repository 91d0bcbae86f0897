//! The [`ListerWatcher`] over the REST client: how informers reach a real API server.
//!
//! Contract: [`RestListerWatcher`] lists and watches one resource through
//! [`rest::ResourceClient`](crate::rest::ResourceClient)'s `list` and `watch`, scoped by
//! [`ListWatchOptions`] (namespace, label and field selectors), translating the reflector's
//! [`ListParams`]/[`WatchParams`] into query parameters and the REST client's errors into
//! [`ListWatchError`]: 410/`Expired` → `Gone`, 429 → `TooManyRequests` (with `Retry-After`),
//! 400/422 answering a `sendInitialEvents` watch → `WatchListUnsupported`, anything else →
//! `Other`. For a metadata-only type ([`Resource::METADATA_ONLY`], i.e.
//! [`PartialObjectMetadata<K>`](crate::meta::PartialObjectMetadata)) the REST client sends the
//! `as=PartialObjectMetadataList` Accept header on lists and `as=PartialObjectMetadata` on
//! watches (as client-go's metadata client), so the server sends only metadata.
//! [`rest::Client`](crate::rest::Client) implements [`ListerWatcherFor`] for every object
//! type, which is what `SharedInformerFactory<rest::Client>::informer::<K>()` uses.

use std::fmt;
use std::time::Duration;

use futures_util::StreamExt;
use serde_core::de::DeserializeOwned;

use super::list_watch::{
    ListPage, ListParams, ListWatchError, ListWatchOptions, ListerWatcher, ListerWatcherFor,
    SkippedObject, WatchEvent, WatchParams, WatchStream,
};
use crate::meta::{Object, Resource, Scope};
use crate::rest::{self, Client, ListOptions, ResourceClient, ResourceVersionMatch};

/// Lists and watches resource `K` over HTTP.
pub struct RestListerWatcher<K> {
    client: ResourceClient<K>,
    options: ListWatchOptions,
}

impl<K> Clone for RestListerWatcher<K> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            options: self.options.clone(),
        }
    }
}

impl<K> fmt::Debug for RestListerWatcher<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestListerWatcher")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<K: Resource> RestListerWatcher<K> {
    /// Lists and watches `K` through `client`, scoped by `options` (a namespace is ignored for
    /// cluster-scoped resources).
    pub fn new(client: &Client, options: &ListWatchOptions) -> Self {
        let client = match (&options.namespace, K::SCOPE) {
            (Some(ns), Scope::Namespaced) => ResourceClient::namespaced(client.clone(), ns.clone()),
            _ => ResourceClient::all(client.clone()),
        }
        // Cached objects repeat each other's strings and field sets: keep one copy.
        .decoding_shared();
        Self {
            client,
            options: options.clone(),
        }
    }

    fn base_options(&self) -> ListOptions {
        ListOptions {
            label_selector: self.options.label_selector.clone(),
            field_selector: self.options.field_selector.clone(),
            ..ListOptions::default()
        }
    }
}

fn version_match(value: Option<&str>) -> Option<ResourceVersionMatch> {
    match value? {
        "NotOlderThan" => Some(ResourceVersionMatch::NotOlderThan),
        "Exact" => Some(ResourceVersionMatch::Exact),
        _ => None,
    }
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// A list item the REST client left out, as the reflector sees it.
fn skipped_object(item: &rest::UndecodableObject) -> SkippedObject {
    SkippedObject {
        key: item.key(),
        resource_version: item.resource_version.clone(),
        reason: item.source.to_string(),
    }
}

/// Classifies a REST error for the reflector (also the dynamic informer's).
pub(crate) fn classify(err: rest::Error, watch_list: bool) -> ListWatchError {
    if let rest::Error::UndecodableObject(event) = err {
        return ListWatchError::UndecodableObject {
            key: event.key(),
            resource_version: event.resource_version.clone(),
            source: event,
        };
    }
    if let Some(api) = err.api() {
        if api.is_gone() {
            return ListWatchError::Gone {
                message: api.message().to_string(),
            };
        }
        if api.is_too_many_requests() {
            return ListWatchError::TooManyRequests {
                retry_after: api
                    .retry_after_seconds()
                    .and_then(|s| u64::try_from(s).ok())
                    .map(Duration::from_secs),
                message: api.message().to_string(),
            };
        }
        if watch_list && (api.is_invalid() || api.is_bad_request()) {
            return ListWatchError::WatchListUnsupported {
                message: api.to_string(),
            };
        }
    }
    ListWatchError::other(err)
}

impl<K> ListerWatcher<K> for RestListerWatcher<K>
where
    K: Object + DeserializeOwned + Send + Sync + 'static,
{
    async fn list(&self, params: &ListParams) -> Result<ListPage<K>, ListWatchError> {
        let options = ListOptions {
            resource_version: non_empty(&params.resource_version),
            resource_version_match: version_match(params.resource_version_match.as_deref()),
            limit: params.limit.map(i64::from),
            continue_token: params.continue_token.clone(),
            ..self.base_options()
        };
        let (list, skipped) = self
            .client
            .list_skipping_undecodable(&options)
            .await
            .map_err(|e| classify(e, false))?;
        Ok(ListPage {
            items: list.items,
            resource_version: list.metadata.resource_version.unwrap_or_default(),
            continue_token: list.metadata.continue_.filter(|c| !c.is_empty()),
            skipped: skipped.iter().map(skipped_object).collect(),
        })
    }

    async fn watch(&self, params: &WatchParams) -> Result<WatchStream<K>, ListWatchError> {
        let options = ListOptions {
            resource_version: non_empty(&params.resource_version),
            resource_version_match: version_match(params.resource_version_match.as_deref()),
            timeout_seconds: params.timeout_seconds.map(i64::from),
            allow_watch_bookmarks: params.allow_watch_bookmarks,
            send_initial_events: params.send_initial_events.then_some(true),
            ..self.base_options()
        };
        let watch_list = params.send_initial_events;
        let stream = self
            .client
            .watch(&options)
            .await
            .map_err(|e| classify(e, watch_list))?;
        Ok(stream
            .map(move |event| match event {
                Ok(rest::WatchEvent::Added(o)) => Ok(WatchEvent::Added(o)),
                Ok(rest::WatchEvent::Modified(o)) => Ok(WatchEvent::Modified(o)),
                Ok(rest::WatchEvent::Deleted(o)) => Ok(WatchEvent::Deleted(o)),
                Ok(rest::WatchEvent::Bookmark(b)) => Ok(WatchEvent::Bookmark {
                    initial_events_end: b.is_initial_events_end(),
                    resource_version: b.resource_version,
                }),
                Ok(rest::WatchEvent::Error(api)) => Ok(WatchEvent::Error(Box::new(api.status))),
                Err(err) => Err(classify(err, watch_list)),
            })
            .boxed())
    }
}

impl<K> ListerWatcherFor<K> for Client
where
    K: Object + DeserializeOwned + Send + Sync + 'static,
{
    type ListerWatcher = RestListerWatcher<K>;

    fn lister_watcher(&self, options: &ListWatchOptions) -> RestListerWatcher<K> {
        RestListerWatcher::new(self, options)
    }
}
