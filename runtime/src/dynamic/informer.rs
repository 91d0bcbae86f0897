//! Dynamic informers: the cache machinery (reflector, store, handlers, listers) over
//! [`DynamicObject`]s of a resource chosen at run time, and a factory keyed by
//! group-version-resource (client-go's `dynamicinformer`).
//!
//! Contract: [`DynamicListerWatcher`] lists and watches one resource through a
//! [`DynamicResourceClient`], scoped by [`ListWatchOptions`]: it is the typed
//! [`RestListerWatcher`](crate::cache::RestListerWatcher)'s [`ClientListerWatcher`] over the
//! dynamic client, so queries, error classification (410 → `Gone`, 429 →
//! `TooManyRequests`, a rejected `sendInitialEvents` → `WatchListUnsupported`) and events
//! are the same code.
//! [`DynamicSharedInformerFactory::for_resource`] returns the same informer for the same
//! resource; under the hood it keeps one [`SharedInformerFactory`] per resource, so options,
//! resync, tweaks and shutdown behave exactly as for typed informers.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::client::{DynamicClient, DynamicList, DynamicResourceClient};
use super::object::DynamicObject;
use crate::cache::{
    all_synced, ClientListerWatcher, FactoryOptions, ListWatchClient, ListWatchOptions,
    SharedIndexInformer, SharedInformerFactory,
};
use crate::discovery::{ApiResource, GroupVersionResource};
use crate::rest::{self, Client, ListOptions};

/// Lists and watches one resource's objects as [`DynamicObject`]s.
pub type DynamicListerWatcher = ClientListerWatcher<DynamicResourceClient>;

impl DynamicListerWatcher {
    /// Lists and watches through `client`, scoped by `options` (their namespace replaces the
    /// client's; it is ignored for cluster-scoped resources).
    pub fn new(client: DynamicResourceClient, options: &ListWatchOptions) -> Self {
        let client = match &options.namespace {
            Some(ns) => client.namespace(ns.clone()),
            None => client.all_namespaces(),
        };
        Self::from_client(client, options)
    }
}

impl ListWatchClient for DynamicResourceClient {
    type Object = DynamicObject;

    async fn list_page(
        &self,
        options: &ListOptions,
    ) -> rest::Result<(DynamicList, Vec<rest::UndecodableObject>)> {
        // A dynamic object is any JSON object: no item is left out.
        Ok((self.list(options).await?, Vec::new()))
    }

    async fn watch(&self, options: &ListOptions) -> rest::Result<rest::WatchStream<DynamicObject>> {
        DynamicResourceClient::watch(self, options).await
    }

    fn resource_name(&self) -> Cow<'static, str> {
        Cow::Owned(self.gvr().to_string())
    }
}

/// Shared informers of [`DynamicObject`]s, one per group-version-resource; cloning shares
/// the factory.
#[derive(Clone)]
pub struct DynamicSharedInformerFactory {
    inner: Arc<Inner>,
}

struct Inner {
    client: DynamicClient,
    options: FactoryOptions,
    factories: Mutex<BTreeMap<GroupVersionResource, SharedInformerFactory<DynamicClient>>>,
}

impl fmt::Debug for DynamicSharedInformerFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let resources: Vec<String> = self.lock().keys().map(ToString::to_string).collect();
        f.debug_struct("DynamicSharedInformerFactory")
            .field("options", &self.inner.options)
            .field("resources", &resources)
            .finish()
    }
}

impl DynamicSharedInformerFactory {
    /// A factory over `client`: all namespaces, no selectors, no resync.
    pub fn new(client: Client) -> Self {
        Self::with_options(client, FactoryOptions::default())
    }

    /// A factory whose informers all get `options` (namespace, selectors, resync, ...).
    pub fn with_options(client: Client, options: FactoryOptions) -> Self {
        Self {
            inner: Arc::new(Inner {
                client: DynamicClient::new(client),
                options,
                factories: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    fn lock(
        &self,
    ) -> MutexGuard<'_, BTreeMap<GroupVersionResource, SharedInformerFactory<DynamicClient>>> {
        self.inner
            .factories
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The shared informer of `resource` (created on first use; call
    /// [`DynamicSharedInformerFactory::start`] after asking for it).
    pub fn for_resource(&self, resource: &ApiResource) -> SharedIndexInformer<DynamicObject> {
        let factory = self
            .lock()
            .entry(resource.gvr())
            .or_insert_with(|| {
                SharedInformerFactory::with_options(
                    self.inner.client.clone(),
                    self.inner.options.clone(),
                )
            })
            .clone();
        factory.informer_for(|client: &DynamicClient, options| {
            DynamicListerWatcher::new(client.resource(resource), options)
        })
    }

    /// The resources informers were asked for.
    pub fn resources(&self) -> Vec<GroupVersionResource> {
        self.lock().keys().cloned().collect()
    }

    fn factories(&self) -> Vec<SharedInformerFactory<DynamicClient>> {
        self.lock().values().cloned().collect()
    }

    /// Starts every informer not started yet.
    pub fn start(&self) {
        for f in self.factories() {
            f.start();
        }
    }

    /// Waits until every started informer has synced; `false` if one stopped first.
    pub async fn wait_for_cache_sync(&self) -> bool {
        let factories = self.factories();
        all_synced(
            factories
                .iter()
                .map(SharedInformerFactory::wait_for_cache_sync),
        )
        .await
    }

    /// Whether every started informer has synced.
    pub fn has_synced(&self) -> bool {
        self.factories().iter().all(|f| f.has_synced())
    }

    /// Stops every informer and waits for their tasks.
    pub async fn shutdown(&self) {
        for f in self.factories() {
            f.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::ListerWatcher;
    use crate::config::Config;

    #[test]
    fn logs_name_the_resource_not_the_placeholder() {
        let client = Client::new(Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
        let gvr = GroupVersionResource::new("example.com", "v1", "widgets");
        let lw = DynamicListerWatcher::new(
            DynamicClient::new(client).gvr(gvr),
            &ListWatchOptions::default(),
        );
        assert_eq!(lw.resource_name(), "example.com/v1, Resource=widgets");
        let informer = SharedIndexInformer::new(lw, Default::default());
        let view = format!("{informer:?}");
        assert!(view.contains("Resource=widgets"), "{view}");
        assert!(!view.contains("dynamicobjects"), "{view}");
    }
}
