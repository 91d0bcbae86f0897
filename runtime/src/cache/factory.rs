//! The informer factory: one shared informer per resource type, however many callers ask.
//!
//! Contract (client-go's `SharedInformerFactory`): [`SharedInformerFactory::informer_for`]
//! returns the same [`SharedIndexInformer`] for the same resource type and list/watch options
//! (keyed by `TypeId` of the object type + [`ListWatchOptions`]), creating it on first use with
//! the factory's namespace, selectors (after the optional tweak), resync period and reflector
//! settings. [`SharedInformerFactory::start`] starts every informer not yet started (call it
//! again after asking for more); [`SharedInformerFactory::wait_for_cache_sync`] waits for all
//! started ones; [`SharedInformerFactory::shutdown`] stops them and waits for their tasks.

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::list_watch::{ListWatchOptions, ListerWatcher, ListerWatcherFor};
use super::reflector::{ReflectorConfig, Transform};
use super::shared_informer::{
    drop_managed_fields, AnyInformer, InformerOptions, SharedIndexInformer,
};
use crate::meta::{Object, PartialObjectMetadata, Resource};

/// Changes the list/watch options of every informer the factory makes.
pub type TweakListOptions = Arc<dyn Fn(&mut ListWatchOptions) + Send + Sync>;

/// Settings shared by all informers of a factory.
#[derive(Clone, Default)]
pub struct FactoryOptions {
    /// Namespace and selectors (all namespaces, no selectors by default).
    pub list_watch: ListWatchOptions,
    /// Applied to `list_watch` for every informer.
    pub tweak_list_options: Option<TweakListOptions>,
    /// Resync period of every informer (none by default).
    pub default_resync: Option<Duration>,
    /// Paging, WatchList and backoff settings (its `resync_period` is replaced by
    /// `default_resync`).
    pub reflector: ReflectorConfig,
    /// Drop `metadata.managedFields` before storing (saves memory; few controllers read it).
    pub drop_managed_fields: bool,
}

impl fmt::Debug for FactoryOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FactoryOptions")
            .field("list_watch", &self.list_watch)
            .field("tweak_list_options", &self.tweak_list_options.is_some())
            .field("default_resync", &self.default_resync)
            .field("reflector", &self.reflector)
            .field("drop_managed_fields", &self.drop_managed_fields)
            .finish()
    }
}

impl FactoryOptions {
    /// Only objects in `namespace`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.list_watch.namespace = Some(namespace.into());
        self
    }

    /// Only objects matching this label selector (server-side).
    pub fn label_selector(mut self, selector: impl Into<String>) -> Self {
        self.list_watch.label_selector = Some(selector.into());
        self
    }

    /// Only objects matching this field selector (server-side).
    pub fn field_selector(mut self, selector: impl Into<String>) -> Self {
        self.list_watch.field_selector = Some(selector.into());
        self
    }

    /// Tweak every informer's list/watch options.
    pub fn tweak_list_options(
        mut self,
        tweak: impl Fn(&mut ListWatchOptions) + Send + Sync + 'static,
    ) -> Self {
        self.tweak_list_options = Some(Arc::new(tweak));
        self
    }

    /// Resync every informer this often.
    pub fn default_resync(mut self, period: Duration) -> Self {
        self.default_resync = Some(period);
        self
    }
}

type InformerKey = (TypeId, ListWatchOptions);

struct Entry {
    informer: Box<dyn AnyInformer>,
    started: bool,
}

/// Makes and owns shared informers; cloning shares the factory.
pub struct SharedInformerFactory<C> {
    inner: Arc<FactoryInner<C>>,
}

struct FactoryInner<C> {
    client: C,
    options: FactoryOptions,
    informers: Mutex<HashMap<InformerKey, Entry>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    shut_down: AtomicBool,
}

impl<C> Clone for SharedInformerFactory<C> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C> fmt::Debug for SharedInformerFactory<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let resources: Vec<String> = self
            .lock()
            .values()
            .map(|e| e.informer.resource())
            .collect();
        f.debug_struct("SharedInformerFactory")
            .field("options", &self.inner.options)
            .field("informers", &resources)
            .finish()
    }
}

impl<C> SharedInformerFactory<C> {
    fn lock(&self) -> MutexGuard<'_, HashMap<InformerKey, Entry>> {
        self.inner
            .informers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

impl<C: Send + Sync + 'static> SharedInformerFactory<C> {
    /// A factory over `client`: all namespaces, no selectors, no resync.
    pub fn new(client: C) -> Self {
        Self::with_options(client, FactoryOptions::default())
    }

    /// A factory with explicit options.
    pub fn with_options(client: C, options: FactoryOptions) -> Self {
        Self {
            inner: Arc::new(FactoryInner {
                client,
                options,
                informers: Mutex::new(HashMap::new()),
                tasks: Mutex::new(Vec::new()),
                shut_down: AtomicBool::new(false),
            }),
        }
    }

    /// The client informers are made from.
    pub fn client(&self) -> &C {
        &self.inner.client
    }

    /// The factory's options.
    pub fn options(&self) -> &FactoryOptions {
        &self.inner.options
    }

    /// The list/watch options every informer of this factory gets.
    pub fn list_watch_options(&self) -> ListWatchOptions {
        let mut options = self.inner.options.list_watch.clone();
        if let Some(tweak) = &self.inner.options.tweak_list_options {
            tweak(&mut options);
        }
        options
    }

    /// The shared informer for `K` (created with `C`'s lister-watcher on first use).
    pub fn informer<K>(&self) -> SharedIndexInformer<K>
    where
        K: Object + Send + Sync + 'static,
        C: ListerWatcherFor<K>,
    {
        self.informer_for(|client, options| client.lister_watcher(options))
    }

    /// The shared metadata-only informer for resource `K` (objects as
    /// [`PartialObjectMetadata<K>`]).
    pub fn metadata_informer<K>(&self) -> SharedIndexInformer<PartialObjectMetadata<K>>
    where
        K: Resource + 'static,
        C: ListerWatcherFor<PartialObjectMetadata<K>>,
    {
        self.informer::<PartialObjectMetadata<K>>()
    }

    /// The shared informer for `K` with the factory's options, made by `new_lister_watcher`
    /// on first use.
    pub fn informer_for<K, L>(
        &self,
        new_lister_watcher: impl FnOnce(&C, &ListWatchOptions) -> L,
    ) -> SharedIndexInformer<K>
    where
        K: Object + Send + Sync + 'static,
        L: ListerWatcher<K>,
    {
        self.informer_for_options(self.list_watch_options(), new_lister_watcher)
    }

    /// The shared informer for `K` with specific list/watch `options` (one per distinct
    /// options value).
    pub fn informer_for_options<K, L>(
        &self,
        options: ListWatchOptions,
        new_lister_watcher: impl FnOnce(&C, &ListWatchOptions) -> L,
    ) -> SharedIndexInformer<K>
    where
        K: Object + Send + Sync + 'static,
        L: ListerWatcher<K>,
    {
        let key = (TypeId::of::<K>(), options);
        let mut informers = self.lock();
        if let Some(existing) = informers
            .get(&key)
            .and_then(|e| e.informer.as_any().downcast_ref::<SharedIndexInformer<K>>())
        {
            return existing.clone();
        }
        let factory = &self.inner.options;
        let transform: Option<Transform<K>> = factory
            .drop_managed_fields
            .then(|| Arc::new(drop_managed_fields::<K>) as Transform<K>);
        let informer = SharedIndexInformer::new(
            new_lister_watcher(&self.inner.client, &key.1),
            InformerOptions {
                reflector: ReflectorConfig {
                    resync_period: factory.default_resync,
                    ..factory.reflector.clone()
                },
                transform,
            },
        );
        informers.insert(
            key,
            Entry {
                informer: Box::new(informer.clone()),
                started: false,
            },
        );
        informer
    }

    /// Starts every informer not started yet (on the current tokio runtime).
    pub fn start(&self) {
        if self.inner.shut_down.load(Ordering::SeqCst) {
            tracing::warn!("informer factory already shut down; not starting informers");
            return;
        }
        let mut handles = Vec::new();
        for entry in self.lock().values_mut() {
            if !entry.started {
                entry.started = true;
                handles.push(entry.informer.start());
            }
        }
        self.inner
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(handles);
    }

    /// Waits until every started informer has synced; `false` if one stopped before.
    pub async fn wait_for_cache_sync(&self) -> bool {
        // Collected first: the lock is not held across the wait.
        let waits: Vec<_> = self
            .lock()
            .values()
            .filter(|e| e.started)
            .map(|e| e.informer.wait_for_cache_sync())
            .collect();
        all_synced(waits).await
    }

    /// Whether every started informer has synced.
    pub fn has_synced(&self) -> bool {
        self.lock()
            .values()
            .filter(|e| e.started)
            .all(|e| e.informer.has_synced())
    }

    /// Stops every informer and waits for their tasks to end.
    pub async fn shutdown(&self) {
        self.inner.shut_down.store(true, Ordering::SeqCst);
        for entry in self.lock().values() {
            entry.informer.shutdown();
        }
        let tasks: Vec<_> =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for task in tasks {
            if let Err(err) = task.await {
                if err.is_panic() {
                    tracing::error!("informer task panicked");
                }
            }
        }
    }
}

/// Awaits the cache-sync waits of several informers together: `true` if every one synced,
/// `false` if any stopped first (client-go's `WaitForCacheSync` over a set of informers). The
/// typed and dynamic factories both wait through it.
pub(crate) async fn all_synced<W>(waits: impl IntoIterator<Item = W>) -> bool
where
    W: std::future::Future<Output = bool>,
{
    futures_util::future::join_all(waits)
        .await
        .into_iter()
        .all(|synced| synced)
}
