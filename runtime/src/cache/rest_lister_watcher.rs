//! The [`ListerWatcher`] over the REST client: how informers reach a real API server.
//!
//! Contract: [`ClientListerWatcher`] lists and watches one resource through a
//! [`ListWatchClient`] — the typed [`ResourceClient<K>`] ([`RestListerWatcher<K>`]) or the
//! dynamic client (`dynamic::DynamicListerWatcher`) — scoped by [`ListWatchOptions`]
//! (namespace, label and field selectors), translating the reflector's
//! [`ListRequest`]/[`WatchRequest`] into query parameters and the REST client's errors into
//! [`ListWatchError`]: 410/`Expired` → `Gone`, 429 → `TooManyRequests` (with `Retry-After`),
//! 400/422 answering a `sendInitialEvents` watch → `WatchListUnsupported`, anything else →
//! `Other`. The typed and dynamic paths differ only in their client; everything else is here,
//! once. For a metadata-only type ([`Resource::METADATA_ONLY`], i.e.
//! [`PartialObjectMetadata<K>`](crate::meta::PartialObjectMetadata)) the REST client sends the
//! `as=PartialObjectMetadataList` Accept header on lists and `as=PartialObjectMetadata` on
//! watches (as client-go's metadata client), so the server sends only metadata.
//! [`rest::Client`](crate::rest::Client) implements [`ListerWatcherFor`] for every object
//! type, which is what `SharedInformerFactory<rest::Client>::informer::<K>()` uses.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use serde_core::de::DeserializeOwned;

use super::list_watch::{
    ListPage, ListRequest, ListWatchError, ListWatchOptions, ListWatchStream, ListerWatcher,
    ListerWatcherFor, SkippedObject, WatchRequest,
};
use crate::meta::{List, Object, Resource, Scope};
use crate::rest::{self, Client, ListOptions, ResourceClient, ResourceVersionMatch};

/// The two calls a [`ClientListerWatcher`] makes, on the client of one resource.
pub trait ListWatchClient: Send + Sync + 'static {
    /// The objects it lists and watches.
    type Object: DeserializeOwned + Send + Sync + 'static;

    /// Lists one page; items that do not decode are left out and returned beside it.
    fn list_page(
        &self,
        options: &ListOptions,
    ) -> impl Future<Output = rest::Result<(List<Self::Object>, Vec<rest::UndecodableObject>)>> + Send;

    /// Opens a watch.
    fn watch(
        &self,
        options: &ListOptions,
    ) -> impl Future<Output = rest::Result<rest::WatchStream<Self::Object>>> + Send;

    /// The resource as the informer names it in logs.
    fn resource_name(&self) -> Cow<'static, str>;
}

/// Lists and watches one resource through a [`ListWatchClient`].
#[derive(Clone)]
pub struct ClientListerWatcher<C> {
    client: C,
    options: ListWatchOptions,
}

/// Lists and watches resource `K` over HTTP.
pub type RestListerWatcher<K> = ClientListerWatcher<ResourceClient<K>>;

impl<C> fmt::Debug for ClientListerWatcher<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientListerWatcher")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<C> ClientListerWatcher<C> {
    /// Lists and watches through `client` (already scoped to `options`' namespace), with
    /// `options`' selectors.
    pub fn from_client(client: C, options: &ListWatchOptions) -> Self {
        Self {
            client,
            options: options.clone(),
        }
    }

    /// The query of a request: `options`' selectors and what the reflector asked for.
    fn query(&self, resource_version: &str, resource_version_match: Option<&str>) -> ListOptions {
        ListOptions {
            label_selector: self.options.label_selector.clone(),
            field_selector: self.options.field_selector.clone(),
            resource_version: (!resource_version.is_empty()).then(|| resource_version.to_owned()),
            resource_version_match: version_match(resource_version_match),
            ..ListOptions::default()
        }
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
        Self::from_client(client, options)
    }
}

impl<K> ListWatchClient for ResourceClient<K>
where
    K: Object + DeserializeOwned + Send + Sync + 'static,
{
    type Object = K;

    async fn list_page(
        &self,
        options: &ListOptions,
    ) -> rest::Result<(List<K>, Vec<rest::UndecodableObject>)> {
        self.list_skipping_undecodable(options).await
    }

    async fn watch(&self, options: &ListOptions) -> rest::Result<rest::WatchStream<K>> {
        ResourceClient::watch(self, options).await
    }

    fn resource_name(&self) -> Cow<'static, str> {
        Cow::Borrowed(K::PLURAL)
    }
}

fn version_match(value: Option<&str>) -> Option<ResourceVersionMatch> {
    match value? {
        "NotOlderThan" => Some(ResourceVersionMatch::NotOlderThan),
        "Exact" => Some(ResourceVersionMatch::Exact),
        _ => None,
    }
}

/// A list item the REST client left out, as the reflector sees it.
fn skipped_object(item: &rest::UndecodableObject) -> SkippedObject {
    SkippedObject {
        key: item.key(),
        resource_version: item.resource_version.clone(),
        reason: item.source.to_string(),
    }
}

/// Classifies a REST error for the reflector.
fn classify(err: rest::Error, watch_list: bool) -> ListWatchError {
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

impl<C: ListWatchClient> ListerWatcher<C::Object> for ClientListerWatcher<C> {
    async fn list(&self, request: &ListRequest) -> Result<ListPage<C::Object>, ListWatchError> {
        let options = ListOptions {
            limit: request.limit.map(i64::from),
            continue_token: request.continue_token.clone(),
            ..self.query(
                &request.resource_version,
                request.resource_version_match.as_deref(),
            )
        };
        let (list, skipped) = self
            .client
            .list_page(&options)
            .await
            .map_err(|e| classify(e, false))?;
        Ok(ListPage {
            items: list.items,
            resource_version: list.metadata.resource_version.unwrap_or_default(),
            continue_token: list.metadata.continue_.filter(|c| !c.is_empty()),
            skipped: skipped.iter().map(skipped_object).collect(),
        })
    }

    async fn watch(
        &self,
        request: &WatchRequest,
    ) -> Result<ListWatchStream<C::Object>, ListWatchError> {
        let options = ListOptions {
            timeout_seconds: request.timeout_seconds.map(i64::from),
            allow_watch_bookmarks: request.allow_watch_bookmarks,
            send_initial_events: request.send_initial_events.then_some(true),
            ..self.query(
                &request.resource_version,
                request.resource_version_match.as_deref(),
            )
        };
        let watch_list = request.send_initial_events;
        let stream = self
            .client
            .watch(&options)
            .await
            .map_err(|e| classify(e, watch_list))?;
        Ok(stream
            .map(move |event| event.map_err(|err| classify(err, watch_list)))
            .boxed())
    }

    fn resource_name(&self) -> Cow<'static, str> {
        self.client.resource_name()
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
