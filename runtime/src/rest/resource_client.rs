//! `ResourceClient<K>`: the standard verbs of one resource kind, generic over the
//! generated types. Generated typed clients are thin shells over this.
//!
//! The generic methods only build a request and decode the answer; sending goes through
//! the non-generic [`RequestBuilder`], so each kind adds little compiled code.

use std::marker::PhantomData;

use bytes::Bytes;
use futures_util::stream::{self, Stream, TryStreamExt};
use http::header::{HeaderValue, ACCEPT};
use http::Method;
use serde_core::de::DeserializeOwned;
use serde_core::Serialize;

use super::client::Client;
use super::error::{Error, Result};
use super::options::{CreateOptions, GetOptions, ListOptions, PatchOptions, UpdateOptions};
use super::patch::Patch;
use super::request::{decode, ByteStream, JsonFuture, RequestBuilder, WatchFuture};
use crate::config::ContentType;
use crate::meta::serde_impl::object_serde;
use crate::meta::{
    DeleteOptions, List, Object, Resource, Scope, Status, PARTIAL_OBJECT_METADATA_ACCEPT,
    PARTIAL_OBJECT_METADATA_LIST_ACCEPT,
};

/// Page size of [`ResourceClient::list_pages`] when the options set none (client-go's
/// pager default).
pub const DEFAULT_PAGE_SIZE: i64 = 500;

/// What a delete answers: the object (still there with a `deletionTimestamp` while
/// finalizers run, or as it was) or a `Status` (when it is gone at once).
// Generated kinds are usually larger than a Status; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectOrStatus<K> {
    /// The object.
    Object(K),
    /// A `Status` in its place (some deletes answer with one).
    Status(Status),
}

impl<K> ObjectOrStatus<K> {
    /// The object, if the server returned one.
    pub fn object(self) -> Option<K> {
        match self {
            ObjectOrStatus::Object(k) => Some(k),
            ObjectOrStatus::Status(_) => None,
        }
    }
}

/// The verbs of kind `K` in one namespace, across all namespaces, or at cluster scope.
pub struct ResourceClient<K> {
    client: Client,
    namespace: Option<String>,
    /// Decode responses inside a sharing scope ([`crate::meta::sharing`]).
    shared: bool,
    /// What reads ask for (the client's `Config::content_type` unless changed).
    content_type: ContentType,
    _kind: PhantomData<fn() -> K>,
}

impl<K> Clone for ResourceClient<K> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            namespace: self.namespace.clone(),
            shared: self.shared,
            content_type: self.content_type,
            _kind: PhantomData,
        }
    }
}

impl<K> std::fmt::Debug for ResourceClient<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceClient")
            .field("kind", &std::any::type_name::<K>())
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl<K: Resource> ResourceClient<K> {
    /// Objects of a namespaced kind in `namespace`.
    pub fn namespaced(client: Client, namespace: impl Into<String>) -> Self {
        Self {
            content_type: client.inner.content_type,
            client,
            namespace: Some(namespace.into()),
            shared: false,
            _kind: PhantomData,
        }
    }

    /// Objects in the configuration's default namespace.
    pub fn default_namespaced(client: Client) -> Self {
        let ns = client.default_namespace().to_owned();
        Self::namespaced(client, ns)
    }

    /// All objects of a namespaced kind across namespaces (list, watch, deletecollection
    /// only), or of a cluster-scoped kind.
    pub fn all(client: Client) -> Self {
        Self {
            content_type: client.inner.content_type,
            client,
            namespace: None,
            shared: false,
            _kind: PhantomData,
        }
    }

    /// Objects of a cluster-scoped kind (same as [`ResourceClient::all`], reads better).
    pub fn cluster(client: Client) -> Self {
        Self::all(client)
    }

    /// Decodes objects with [`sharing`](crate::meta::sharing) on: long strings and field
    /// sets equal to ones already decoded in this process share one copy. For objects that
    /// are kept (caches); informers turn it on.
    pub fn decoding_shared(mut self) -> Self {
        self.shared = true;
        self
    }

    /// Asks for `content_type` in gets, lists and watches (instead of the client's
    /// `Config::content_type`). Protobuf applies only to kinds with a protobuf codec; the
    /// others stay JSON.
    pub fn content_type(mut self, content_type: ContentType) -> Self {
        self.content_type = content_type;
        self
    }

    /// Whether reads ask for protobuf: asked for, and the kind has a codec.
    #[cfg(feature = "protobuf")]
    fn protobuf(&self) -> Option<crate::meta::proto::KindCodec<K>> {
        if self.content_type != ContentType::Protobuf {
            return None;
        }
        K::protobuf()
    }

    /// The namespace this client is bound to, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A request on the collection (`name: None`) or one object, path filled in.
    pub fn request(&self, verb: Method, name: Option<&str>) -> RequestBuilder {
        let mut req = self
            .client
            .request(verb)
            .group_version(K::GROUP, K::VERSION)
            .namespace(self.namespace.as_deref())
            .resource(K::PLURAL)
            .decode_shared(self.shared);
        if let Some(name) = name {
            req = req.name(name);
        }
        req
    }

    /// Checks the scope before an object-level verb: namespaced kinds need a namespace,
    /// cluster-scoped ones must not have one.
    fn object_request(&self, verb: Method, name: Option<&str>) -> Result<RequestBuilder> {
        self.check_scope(true)?;
        check_name(&verb, K::PLURAL, name)?;
        Ok(self.request(verb, name))
    }

    /// Sets the Accept header a metadata-only kind ([`crate::meta::PartialObjectMetadata`])
    /// needs for reads; other kinds keep plain JSON. `list` only for a list: a watch streams
    /// single objects and asks for `as=PartialObjectMetadata` (a real server answers a watch
    /// asking for the list form with an empty stream).
    /// With protobuf asked for, the protobuf variants come first, as client-go's metadata
    /// client asks.
    fn accept(&self, req: RequestBuilder, list: bool) -> RequestBuilder {
        if !K::METADATA_ONLY {
            return req;
        }
        let accept = if list {
            PARTIAL_OBJECT_METADATA_LIST_ACCEPT
        } else {
            PARTIAL_OBJECT_METADATA_ACCEPT
        };
        #[cfg(feature = "protobuf")]
        let accept = match (self.protobuf().is_some(), list) {
            (true, true) => crate::meta::PARTIAL_OBJECT_METADATA_LIST_PROTOBUF_ACCEPT,
            (true, false) => crate::meta::PARTIAL_OBJECT_METADATA_PROTOBUF_ACCEPT,
            (false, _) => accept,
        };
        req.header(ACCEPT, HeaderValue::from_static(accept))
    }

    fn collection_request(&self, verb: Method) -> Result<RequestBuilder> {
        self.check_scope(false)?;
        Ok(self.request(verb, None))
    }

    fn check_scope(&self, needs_namespace: bool) -> Result<()> {
        check_scope(
            K::SCOPE,
            K::PLURAL,
            self.namespace.as_deref(),
            needs_namespace,
        )
    }
}

impl<K: Resource + DeserializeOwned + Send + 'static> ResourceClient<K> {
    /// Reads one object.
    pub fn get(&self, name: &str, options: &GetOptions) -> JsonFuture<K> {
        let req = self
            .object_request(Method::GET, Some(name))
            .map(|req| self.accept(req, false).query(options));
        #[cfg(feature = "protobuf")]
        return negotiated(
            req,
            self.protobuf().and(super::protobuf::object_decoder::<K>()),
        );
        #[cfg(not(feature = "protobuf"))]
        json(req)
    }

    /// Lists objects (one page when `limit` is set).
    pub fn list(&self, options: &ListOptions) -> JsonFuture<List<K>> {
        let req = self
            .collection_request(Method::GET)
            .map(|req| self.accept(req, true).query(options));
        #[cfg(feature = "protobuf")]
        return negotiated(
            req,
            self.protobuf().and(super::protobuf::list_decoder::<K>()),
        );
        #[cfg(not(feature = "protobuf"))]
        json(req)
    }

    /// Lists like [`Self::list`], but leaves out the items `K` cannot decode, describing
    /// each, instead of failing the page: one bad object must not stop an informer.
    pub async fn list_skipping_undecodable(
        &self,
        options: &ListOptions,
    ) -> Result<(List<K>, Vec<super::UndecodableObject>)> {
        let req = self
            .accept(self.collection_request(Method::GET)?, true)
            .query(options);
        #[cfg(feature = "protobuf")]
        if let Some(decode) = self.protobuf().map(|codec| codec.decode) {
            match req.json_list_skipping_undecodable(Some(decode)).await {
                // An object protobuf cannot read: the page again as JSON, where such an
                // object is left out and described instead of failing the page.
                Err(e @ Error::ProtobufDecode { .. }) => {
                    tracing::warn!(resource = K::PLURAL, error = %e, "a protobuf list page did not decode; reading it as JSON");
                    let req = self
                        .accept(self.collection_request(Method::GET)?, true)
                        .query(options);
                    return req.json_list_skipping_undecodable(None).await;
                }
                other => return other,
            }
        }
        #[cfg(feature = "protobuf")]
        return req.json_list_skipping_undecodable(None).await;
        #[cfg(not(feature = "protobuf"))]
        req.json_list_skipping_undecodable().await
    }

    /// Lists page by page (`limit` + `continue`), yielding each page as it arrives. The
    /// page size is `options.limit`, or [`DEFAULT_PAGE_SIZE`].
    pub fn list_pages(
        &self,
        options: &ListOptions,
    ) -> impl Stream<Item = Result<List<K>>> + Send + 'static {
        let this = self.clone();
        pages(options, move |page| this.list(&page))
    }

    /// Lists page by page, yielding objects one at a time.
    pub fn list_stream(
        &self,
        options: &ListOptions,
    ) -> impl Stream<Item = Result<K>> + Send + 'static {
        self.list_pages(options)
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Lists every page and returns one list holding all items, with the last page's
    /// metadata (its `resourceVersion` is the snapshot to watch from).
    ///
    /// As client-go's pager: when a continue token expires mid-way (`410`), the list is
    /// read again in one unpaginated request instead of failing.
    pub async fn list_all(&self, options: &ListOptions) -> Result<List<K>> {
        let mut pages = std::pin::pin!(self.list_pages(options));
        let mut all: Option<List<K>> = None;
        loop {
            let page = match pages.try_next().await {
                Ok(Some(page)) => page,
                Ok(None) => break,
                Err(e) if e.is_gone() && all.is_some() => {
                    tracing::debug!(resource = K::PLURAL, error = %e, "continue token expired; listing again without pages");
                    let full = ListOptions {
                        limit: None,
                        continue_token: None,
                        ..options.clone()
                    };
                    all = Some(self.list(&full).await?);
                    break;
                }
                Err(e) => return Err(e),
            };
            match &mut all {
                None => all = Some(page),
                Some(list) => {
                    list.items.extend(page.items);
                    list.metadata = page.metadata;
                }
            }
        }
        let mut list = all.unwrap_or_default();
        list.metadata.continue_ = None;
        list.metadata.remaining_item_count = None;
        Ok(list)
    }

    /// Watches for changes (`watch=true`); set `resource_version` to the list's and
    /// `allow_watch_bookmarks` to get progress markers.
    pub fn watch(&self, options: &ListOptions) -> WatchFuture<K> {
        match self.collection_request(Method::GET) {
            Ok(req) => {
                let req = self
                    .accept(req, false)
                    .query(options)
                    .param("watch", "true");
                #[cfg(feature = "protobuf")]
                return req.watch_negotiated(self.protobuf().map(|codec| codec.decode));
                #[cfg(not(feature = "protobuf"))]
                req.watch()
            }
            Err(e) => WatchFuture::failed(e),
        }
    }

    /// Patches one object; the content type follows the patch kind. Server-side apply
    /// needs `options.field_manager`.
    pub fn patch(&self, name: &str, options: &PatchOptions, patch: &Patch) -> JsonFuture<K> {
        json(self.patch_request(name, None, options, patch))
    }

    /// Deletes one object, with `options` as the body.
    pub async fn delete(&self, name: &str, options: &DeleteOptions) -> Result<ObjectOrStatus<K>> {
        let req = self
            .object_request(Method::DELETE, Some(name))?
            .json_body(options);
        object_or_status(req).await
    }

    /// Deletes every object the list options select.
    pub async fn delete_collection(
        &self,
        list_options: &ListOptions,
        options: &DeleteOptions,
    ) -> Result<ObjectOrStatus<List<K>>> {
        let req = self
            .collection_request(Method::DELETE)?
            .query(list_options)
            .json_body(options);
        object_or_status(req).await
    }

    /// Reads a subresource (`status`, `scale`, ...) as type `T`.
    pub fn get_subresource<T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        options: &GetOptions,
    ) -> JsonFuture<T> {
        json(
            self.object_request(Method::GET, Some(name))
                .map(|req| req.subresource(subresource).query(options)),
        )
    }

    /// Patches a subresource.
    pub fn patch_subresource<T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        options: &PatchOptions,
        patch: &Patch,
    ) -> JsonFuture<T> {
        json(self.patch_request(name, Some(subresource), options, patch))
    }

    /// Creates through a subresource (`eviction`, `binding`, `token`) and decodes the answer.
    pub fn create_subresource<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        options: &CreateOptions,
        body: &B,
    ) -> JsonFuture<T> {
        json(
            self.object_request(Method::POST, Some(name))
                .map(|req| req.subresource(subresource).query(options).json_body(body)),
        )
    }

    /// Replaces a subresource (`status`, `scale`).
    pub fn update_subresource<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        options: &UpdateOptions,
        body: &B,
    ) -> JsonFuture<T> {
        json(
            self.object_request(Method::PUT, Some(name))
                .map(|req| req.subresource(subresource).query(options).json_body(body)),
        )
    }

    /// Streams a subresource's raw body (pod `log` with `follow`), with query pairs.
    pub async fn stream_subresource(
        &self,
        name: &str,
        subresource: &str,
        query: &[(&str, &str)],
    ) -> Result<ByteStream> {
        self.object_request(Method::GET, Some(name))?
            .subresource(subresource)
            .query(query)
            .stream()
            .await
    }

    fn patch_request(
        &self,
        name: &str,
        subresource: Option<&str>,
        options: &PatchOptions,
        patch: &Patch,
    ) -> Result<RequestBuilder> {
        let body = patch.checked_body(options)?;
        let mut req = self
            .object_request(Method::PATCH, Some(name))?
            .query(options)
            .body(body, patch.content_type());
        if let Some(sub) = subresource {
            req = req.subresource(sub);
        }
        Ok(req)
    }
}

impl<K: Resource + Serialize + DeserializeOwned + Send + 'static> ResourceClient<K> {
    /// Creates an object in this client's namespace.
    pub fn create(&self, options: &CreateOptions, object: &K) -> JsonFuture<K> {
        json(
            self.object_request(Method::POST, None)
                .map(|req| req.query(options).json_body(object)),
        )
    }
}

impl<K: Object + Serialize + DeserializeOwned + Send + 'static> ResourceClient<K> {
    /// Replaces an object (named by its metadata). Set `metadata.resourceVersion` for
    /// optimistic concurrency: a stale one fails with a conflict.
    pub fn update(&self, options: &UpdateOptions, object: &K) -> JsonFuture<K> {
        json(object_name(object).and_then(|name| {
            Ok(self
                .object_request(Method::PUT, Some(name))?
                .query(options)
                .json_body(object))
        }))
    }

    /// Replaces an object's `status` subresource.
    pub fn update_status(&self, options: &UpdateOptions, object: &K) -> JsonFuture<K> {
        match object_name(object) {
            Ok(name) => self.update_subresource(name, "status", options, object),
            Err(e) => JsonFuture::failed(e),
        }
    }

    /// Server-side applies an object (named by its metadata) as `options.field_manager`.
    pub fn apply(&self, options: &PatchOptions, object: &K) -> JsonFuture<K> {
        json(object_name(object).and_then(|name| {
            let patch = Patch::apply(object).map_err(Error::Encode)?;
            self.patch_request(name, None, options, &patch)
        }))
    }
}

fn object_name<K: Object>(object: &K) -> Result<&str> {
    object
        .metadata()
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            Error::InvalidRequest(format!("{}: the object has no metadata.name", K::KIND))
        })
}

/// The JSON answer of a request, or a future that fails at once when it could not be built.
fn json<T: DeserializeOwned>(req: Result<RequestBuilder>) -> JsonFuture<T> {
    match req {
        Ok(req) => req.json(),
        Err(e) => JsonFuture::failed(e),
    }
}

/// Sends a read that asks for protobuf when `decode` is given.
#[cfg(feature = "protobuf")]
fn negotiated<T: DeserializeOwned>(
    req: Result<RequestBuilder>,
    decode: Option<super::protobuf::Decode<T>>,
) -> JsonFuture<T> {
    match req {
        Ok(req) => req.negotiated(decode),
        Err(e) => JsonFuture::failed(e),
    }
}

/// Rejects an empty object name.
fn check_name(verb: &Method, plural: &str, name: Option<&str>) -> Result<()> {
    match name {
        Some("") => Err(Error::InvalidRequest(format!(
            "{verb} {plural}: the name is empty"
        ))),
        _ => Ok(()),
    }
}

/// Namespaced kinds need a namespace (for object verbs), cluster-scoped ones must not
/// have one.
fn check_scope(
    scope: Scope,
    plural: &str,
    namespace: Option<&str>,
    needs_namespace: bool,
) -> Result<()> {
    match (scope, namespace) {
        (Scope::Namespaced, None) if needs_namespace => Err(Error::InvalidRequest(format!(
            "{plural} is namespaced: use a client bound to a namespace"
        ))),
        (Scope::Cluster, Some(ns)) => Err(Error::InvalidRequest(format!(
            "{plural} is cluster-scoped, but the client is bound to namespace {ns:?}"
        ))),
        _ => Ok(()),
    }
}

/// Decodes a body that is either a `Status` or a `T`, by its `kind`.
/// Pages of a list, each read by `list` (typed or dynamic): `limit` +
/// `continue`, [`DEFAULT_PAGE_SIZE`] when `options` set no limit.
pub(crate) fn pages<T, F, Fut>(
    options: &ListOptions,
    list: F,
) -> impl Stream<Item = Result<List<T>>> + Send + 'static
where
    T: Send + 'static,
    F: Fn(ListOptions) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<List<T>>> + Send + 'static,
{
    let mut first = options.clone();
    if first.limit.is_none() {
        first.limit = Some(DEFAULT_PAGE_SIZE);
    }
    let list = std::sync::Arc::new(list);
    stream::try_unfold(Some(first), move |next| {
        let list = list.clone();
        async move {
            let Some(opts) = next else {
                return Ok(None);
            };
            let page = list(opts.clone()).await?;
            let token = page.metadata.continue_.clone().filter(|c| !c.is_empty());
            let next = token.map(|t| ListOptions {
                continue_token: Some(t),
                // A continued list reads the first page's snapshot; resourceVersion
                // must not be repeated with a continue token.
                resource_version: None,
                resource_version_match: None,
                ..opts
            });
            Ok(Some((page, next)))
        }
    })
}

/// The answer of a DELETE: the object (finalizers still running) or a `Status`.
pub(crate) async fn object_or_status<T: DeserializeOwned>(
    req: RequestBuilder,
) -> Result<ObjectOrStatus<T>> {
    let (bytes, url, is_status) = delete_answer(req).await?;
    Ok(if is_status {
        ObjectOrStatus::Status(decode(&bytes, "DELETE", &url)?)
    } else {
        ObjectOrStatus::Object(decode(&bytes, "DELETE", &url)?)
    })
}

/// Sends a DELETE and reads its answer: the body, the URL and whether the body is a
/// `Status` (else it is the object). Kept apart from the decoding so it is compiled once.
async fn delete_answer(req: RequestBuilder) -> Result<(Bytes, String, bool)> {
    let url = req.url()?.to_string();
    let bytes = req.bytes().await?;
    let kind: KindOnly = decode(&bytes, "DELETE", &url)?;
    let is_status = kind.kind.as_deref() == Some("Status");
    Ok((bytes, url, is_status))
}

/// The `kind` of an answer, the rest skipped.
#[derive(Default)]
struct KindOnly {
    kind: Option<String>,
}

object_serde!(KindOnly named ("object kind") {
    kind: optional "kind",
});
