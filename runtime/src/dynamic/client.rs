//! `DynamicClient`: every verb of the typed clients for any group/version/resource, objects as
//! [`DynamicObject`]. Requests are built with the REST client's [`RequestBuilder`], so rate
//! limiting, retries, errors and watch decoding are the typed clients' own.

use futures_util::stream::{Stream, TryStreamExt};
use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::object::{DynamicObject, TypeMeta};
use crate::discovery::{ApiResource, GroupVersionResource};
use crate::meta::{DeleteOptions, List, Scope};
use crate::rest::{
    object_or_status, pages, Client, CreateOptions, Error, GetOptions, ListOptions, ObjectOrStatus,
    Patch, PatchOptions, RequestBuilder, Result, UpdateOptions, WatchStream,
};

/// A list of dynamic objects (`items` plus list metadata).
pub type DynamicList = List<DynamicObject>;

/// Makes per-resource dynamic clients; cheap to clone.
#[derive(Clone, Debug)]
pub struct DynamicClient {
    client: Client,
}

impl DynamicClient {
    /// A dynamic client over `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The REST client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The verbs of a resource described by discovery (scope checked, `apiVersion`/`kind`
    /// filled in on writes), across all namespaces until [`DynamicResourceClient::namespace`].
    pub fn resource(&self, resource: &ApiResource) -> DynamicResourceClient {
        DynamicResourceClient {
            client: self.client.clone(),
            gvr: resource.gvr(),
            scope: Some(resource.scope()),
            types: (!resource.kind.is_empty()).then(|| TypeMeta::of(resource)),
            namespace: None,
        }
    }

    /// The verbs of a bare group-version-resource (scope and kind unknown: the objects must
    /// carry `apiVersion`/`kind`, and the caller picks namespace or not).
    pub fn gvr(&self, gvr: GroupVersionResource) -> DynamicResourceClient {
        DynamicResourceClient {
            client: self.client.clone(),
            gvr,
            scope: None,
            types: None,
            namespace: None,
        }
    }
}

/// The verbs of one resource, in one namespace or across all (or at cluster scope).
#[derive(Clone, Debug)]
pub struct DynamicResourceClient {
    client: Client,
    gvr: GroupVersionResource,
    scope: Option<Scope>,
    types: Option<TypeMeta>,
    namespace: Option<String>,
}

impl DynamicResourceClient {
    /// Bound to `namespace` (ignored for a resource known to be cluster-scoped).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        if self.scope != Some(Scope::Cluster) {
            self.namespace = Some(namespace.into());
        }
        self
    }

    /// Across all namespaces (list, watch, deletecollection), or at cluster scope.
    pub fn all_namespaces(mut self) -> Self {
        self.namespace = None;
        self
    }

    /// The resource.
    pub fn gvr(&self) -> &GroupVersionResource {
        &self.gvr
    }

    /// The namespace, for namespaced clients.
    pub fn namespace_name(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// A request on the collection (`name: None`) or one object in `namespace`.
    pub fn request(
        &self,
        verb: Method,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> RequestBuilder {
        let mut req = self
            .client
            .request(verb)
            .group_version(&self.gvr.group, &self.gvr.version)
            .namespace(namespace)
            .resource(&self.gvr.resource);
        if let Some(name) = name {
            req = req.name(name);
        }
        req
    }

    fn object_request(
        &self,
        verb: Method,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<RequestBuilder> {
        if self.scope == Some(Scope::Namespaced) && namespace.is_none() {
            return Err(Error::InvalidRequest(format!(
                "{verb} {}: the resource is namespaced; bind the client to a namespace",
                self.gvr
            )));
        }
        if name.is_some_and(str::is_empty) {
            return Err(Error::InvalidRequest(format!(
                "{verb} {}: the name is empty",
                self.gvr
            )));
        }
        Ok(self.request(verb, namespace, name))
    }

    fn collection_request(&self, verb: Method) -> RequestBuilder {
        self.request(verb, self.namespace.as_deref(), None)
    }

    /// The namespace a write of `object` goes to: the client's, else the object's own.
    fn namespace_for<'a>(&'a self, object: &'a DynamicObject) -> Option<&'a str> {
        if self.scope == Some(Scope::Cluster) {
            return None;
        }
        self.namespace.as_deref().or(object.namespace())
    }

    /// The object with `apiVersion`/`kind` filled in when missing and known.
    fn typed<'a>(&self, object: &'a DynamicObject) -> std::borrow::Cow<'a, DynamicObject> {
        match (&object.types, &self.types) {
            (None, Some(t)) => {
                let mut o = object.clone();
                o.types = Some(t.clone());
                std::borrow::Cow::Owned(o)
            }
            _ => std::borrow::Cow::Borrowed(object),
        }
    }

    /// Reads one object.
    pub async fn get(&self, name: &str, options: &GetOptions) -> Result<DynamicObject> {
        self.object_request(Method::GET, self.namespace.as_deref(), Some(name))?
            .query(options)
            .json()
            .await
    }

    /// Lists objects (one page when `limit` is set).
    pub async fn list(&self, options: &ListOptions) -> Result<DynamicList> {
        self.collection_request(Method::GET)
            .query(options)
            .json()
            .await
    }

    /// Lists page by page (`limit` + `continue`, [`DEFAULT_PAGE_SIZE`](crate::rest::DEFAULT_PAGE_SIZE) by default).
    pub fn list_pages(
        &self,
        options: &ListOptions,
    ) -> impl Stream<Item = Result<DynamicList>> + Send + 'static {
        let this = self.clone();
        pages(options, move |page| {
            let this = this.clone();
            async move { this.list(&page).await }
        })
    }

    /// Lists every page into one list (the last page's metadata).
    pub async fn list_all(&self, options: &ListOptions) -> Result<DynamicList> {
        let mut pages = std::pin::pin!(self.list_pages(options));
        let mut all = DynamicList::default();
        while let Some(page) = pages.try_next().await? {
            all.items.extend(page.items);
            all.metadata = page.metadata;
        }
        all.metadata.continue_ = None;
        all.metadata.remaining_item_count = None;
        Ok(all)
    }

    /// Watches for changes; set `resource_version` to a list's to miss nothing.
    pub async fn watch(&self, options: &ListOptions) -> Result<WatchStream<DynamicObject>> {
        self.collection_request(Method::GET)
            .query(options)
            .param("watch", "true")
            .watch()
            .await
    }

    /// Creates an object (in the client's namespace, else the object's).
    pub async fn create(
        &self,
        options: &CreateOptions,
        object: &DynamicObject,
    ) -> Result<DynamicObject> {
        self.object_request(Method::POST, self.namespace_for(object), None)?
            .query(options)
            .json_body(&*self.typed(object))
            .json()
            .await
    }

    /// Replaces an object named by its metadata; a stale `resourceVersion` is a conflict.
    pub async fn update(
        &self,
        options: &UpdateOptions,
        object: &DynamicObject,
    ) -> Result<DynamicObject> {
        self.replace(options, object, None).await
    }

    /// Replaces an object's `status` subresource.
    pub async fn update_status(
        &self,
        options: &UpdateOptions,
        object: &DynamicObject,
    ) -> Result<DynamicObject> {
        self.replace(options, object, Some("status")).await
    }

    async fn replace(
        &self,
        options: &UpdateOptions,
        object: &DynamicObject,
        subresource: Option<&str>,
    ) -> Result<DynamicObject> {
        let name = object_name(object, &self.gvr)?;
        let mut req = self
            .object_request(Method::PUT, self.namespace_for(object), Some(name))?
            .query(options)
            .json_body(&*self.typed(object));
        if let Some(sub) = subresource {
            req = req.subresource(sub);
        }
        req.json().await
    }

    /// Patches an object; server-side apply needs `options.field_manager`.
    pub async fn patch(
        &self,
        name: &str,
        options: &PatchOptions,
        patch: &Patch,
    ) -> Result<DynamicObject> {
        self.patch_request(name, None, options, patch)?.json().await
    }

    /// Patches an object's `status` subresource.
    pub async fn patch_status(
        &self,
        name: &str,
        options: &PatchOptions,
        patch: &Patch,
    ) -> Result<DynamicObject> {
        self.patch_request(name, Some("status"), options, patch)?
            .json()
            .await
    }

    /// Server-side applies an object (named by its metadata) as `options.field_manager`.
    pub async fn apply(
        &self,
        options: &PatchOptions,
        object: &DynamicObject,
    ) -> Result<DynamicObject> {
        self.apply_to(options, object, None).await
    }

    /// Server-side applies an object's status.
    pub async fn apply_status(
        &self,
        options: &PatchOptions,
        object: &DynamicObject,
    ) -> Result<DynamicObject> {
        self.apply_to(options, object, Some("status")).await
    }

    async fn apply_to(
        &self,
        options: &PatchOptions,
        object: &DynamicObject,
        subresource: Option<&str>,
    ) -> Result<DynamicObject> {
        let name = object_name(object, &self.gvr)?;
        let patch = Patch::apply(&*self.typed(object)).map_err(Error::Encode)?;
        let namespace = self.namespace_for(object).map(str::to_owned);
        let bound = Self {
            namespace,
            ..self.clone()
        };
        bound
            .patch_request(name, subresource, options, &patch)?
            .json()
            .await
    }

    /// Reads the `status` subresource.
    pub async fn get_status(&self, name: &str, options: &GetOptions) -> Result<DynamicObject> {
        self.get_subresource(name, "status", options).await
    }

    /// Reads any subresource (`scale`, ...) as `T` (`DynamicObject` for an untyped view).
    pub async fn get_subresource<T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        options: &GetOptions,
    ) -> Result<T> {
        self.object_request(Method::GET, self.namespace.as_deref(), Some(name))?
            .subresource(subresource)
            .query(options)
            .json()
            .await
    }

    /// Replaces any subresource with `body`.
    pub async fn update_subresource<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        options: &UpdateOptions,
        body: &B,
    ) -> Result<T> {
        self.object_request(Method::PUT, self.namespace.as_deref(), Some(name))?
            .subresource(subresource)
            .query(options)
            .json_body(body)
            .json()
            .await
    }

    /// Deletes one object: the object while finalizers run, or a `Status`.
    pub async fn delete(
        &self,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<ObjectOrStatus<DynamicObject>> {
        let req = self
            .object_request(Method::DELETE, self.namespace.as_deref(), Some(name))?
            .json_body(options);
        object_or_status(req).await
    }

    /// Deletes every object the list options select.
    pub async fn delete_collection(
        &self,
        list_options: &ListOptions,
        options: &DeleteOptions,
    ) -> Result<ObjectOrStatus<DynamicList>> {
        let req = self
            .collection_request(Method::DELETE)
            .query(list_options)
            .json_body(options);
        object_or_status(req).await
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
            .object_request(Method::PATCH, self.namespace.as_deref(), Some(name))?
            .query(options)
            .body(body, patch.content_type());
        if let Some(sub) = subresource {
            req = req.subresource(sub);
        }
        Ok(req)
    }
}

fn object_name<'a>(object: &'a DynamicObject, gvr: &GroupVersionResource) -> Result<&'a str> {
    object
        .name()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Error::InvalidRequest(format!("{gvr}: the object has no metadata.name")))
}
