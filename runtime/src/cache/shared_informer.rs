//! The shared informer: one reflector and one cache for any number of handlers.
//!
//! Contract (client-go's `shared_informer.go` + `controller.go`): [`SharedIndexInformer::run`]
//! starts a [`Reflector`] feeding a [`DeltaFifo`] and pops it, applying each object's deltas to
//! the [`Store`] and turning them into notifications: added → `on_add`, changed → `on_update`,
//! deleted (or tombstoned by a relist) → `on_delete`; resyncs, and relists that return an
//! unchanged object, become `on_update(old, new)` only when a resync period is set. Every
//! handler has its own buffer and task (see [`HandlerRegistration`]); a handler added while the
//! informer runs first receives the cache's current content as initial adds, atomically with
//! respect to later events. [`SharedIndexInformer::has_synced`] is true once the first full
//! list has been applied to the store; listers read the store and never the network.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::delta_fifo::{DeletedObject, Delta, DeltaFifo};
use super::handler::{EventHandler, Notification};
use super::index::Indexers;
use super::list_watch::ListerWatcher;
use super::lister::Lister;
use super::processor::{remover, HandlerRegistration, Listener};
use super::reflector::{Reflector, ReflectorConfig, ReflectorStatus, Transform};
use super::store::{object_key, Store};
use super::thread_safe_store::IndexError;
use crate::meta::Object;

/// How an informer lists, watches and stores.
pub struct InformerOptions<K> {
    /// Paging, WatchList, resync period, backoff.
    pub reflector: ReflectorConfig,
    /// Applied to every object before it is stored (see [`drop_managed_fields`]).
    pub transform: Option<Transform<K>>,
}

impl<K> Default for InformerOptions<K> {
    fn default() -> Self {
        Self {
            reflector: ReflectorConfig::default(),
            transform: None,
        }
    }
}

impl<K> Clone for InformerOptions<K> {
    fn clone(&self) -> Self {
        Self {
            reflector: self.reflector.clone(),
            transform: self.transform.clone(),
        }
    }
}

/// A transform that drops `metadata.managedFields`, which controllers rarely read and which is
/// often the largest part of an object.
pub fn drop_managed_fields<K: Object>(obj: &mut K) {
    obj.metadata_mut().managed_fields = None;
}

type Runner = Box<dyn FnOnce(CancellationToken) -> BoxFuture<'static, ()> + Send>;

/// A cache of one resource, kept current from the server, shared by many handlers. Cloning
/// shares it.
pub struct SharedIndexInformer<K> {
    inner: Arc<Inner<K>>,
}

struct Inner<K> {
    store: Store<K>,
    fifo: DeltaFifo<K>,
    /// Also the lock that makes "replay the cache to a new handler" atomic with event delivery.
    listeners: Mutex<Listeners<K>>,
    runner: Mutex<Option<Runner>>,
    resync_enabled: bool,
    status: ReflectorStatus,
    cancel: CancellationToken,
    running: AtomicBool,
    /// What logs call the resource (from the lister-watcher).
    resource: Cow<'static, str>,
}

struct Listeners<K> {
    list: Vec<Arc<Listener<K>>>,
    next_id: u64,
    started: bool,
}

impl<K> Clone for SharedIndexInformer<K> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<K> fmt::Debug for SharedIndexInformer<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedIndexInformer")
            .field("resource", &self.inner.resource)
            .field("store", &self.inner.store)
            .field("fifo", &self.inner.fifo)
            .field("running", &self.inner.running.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl<K: Object + Send + Sync + 'static> SharedIndexInformer<K> {
    /// An informer over `lister_watcher`; nothing happens until [`SharedIndexInformer::run`].
    pub fn new<L: ListerWatcher<K>>(lister_watcher: L, options: InformerOptions<K>) -> Self {
        let store = Store::new();
        let fifo = DeltaFifo::new(Some(Arc::new(store.clone())));
        let resync_enabled = options
            .reflector
            .resync_period
            .is_some_and(|p| !p.is_zero());
        let resource = lister_watcher.resource_name();
        let reflector = Reflector::new(lister_watcher, Arc::new(fifo.clone()), options.reflector)
            .with_transform(options.transform);
        let status = reflector.status();
        let runner: Runner = Box::new(move |cancel| Box::pin(reflector.run(cancel)));
        Self {
            inner: Arc::new(Inner {
                store,
                fifo,
                listeners: Mutex::new(Listeners {
                    list: Vec::new(),
                    next_id: 0,
                    started: false,
                }),
                runner: Mutex::new(Some(runner)),
                resync_enabled,
                status,
                cancel: CancellationToken::new(),
                running: AtomicBool::new(false),
                resource,
            }),
        }
    }

    /// Lists, watches and delivers events until [`SharedIndexInformer::shutdown`]. Only the
    /// first call runs; later calls return at once.
    pub async fn run(&self) {
        let runner = self
            .inner
            .runner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(runner) = runner else {
            tracing::warn!(resource = %self.inner.resource, "informer already started");
            return;
        };
        if self.inner.cancel.is_cancelled() {
            return;
        }
        self.inner.running.store(true, Ordering::SeqCst);
        {
            let mut listeners = self.inner.lock_listeners();
            listeners.started = true;
            for listener in &listeners.list {
                listener.start();
            }
        }
        let reflector = tokio::spawn(runner(self.inner.cancel.child_token()));
        let inner = &self.inner;
        loop {
            let popped = tokio::select! {
                () = inner.cancel.cancelled() => None,
                popped = inner.fifo.pop(|deltas, initial| inner.handle_deltas(deltas, initial)) => popped,
            };
            if popped.is_none() {
                break;
            }
        }
        inner.cancel.cancel();
        inner.fifo.close();
        if let Err(err) = reflector.await {
            if err.is_panic() {
                tracing::error!(resource = %inner.resource, "reflector task panicked");
            }
        }
        for listener in &inner.lock_listeners().list {
            listener.close();
        }
        inner.running.store(false, Ordering::SeqCst);
    }

    /// Spawns [`SharedIndexInformer::run`] on the current tokio runtime.
    pub fn start(&self) -> JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move { this.run().await })
    }

    /// Stops the reflector and the delivery loop; handlers finish what is queued.
    pub fn shutdown(&self) {
        self.inner.cancel.cancel();
    }

    /// Whether [`SharedIndexInformer::shutdown`] was called.
    pub fn is_stopped(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }

    /// Adds a handler; if the informer runs, it first receives the cache's content as adds.
    pub fn add_event_handler(&self, handler: impl EventHandler<K>) -> HandlerRegistration {
        self.add_shared_event_handler(Arc::new(handler))
    }

    /// Like [`SharedIndexInformer::add_event_handler`] for a handler shared elsewhere.
    pub fn add_shared_event_handler(
        &self,
        handler: Arc<dyn EventHandler<K>>,
    ) -> HandlerRegistration {
        let mut listeners = self.inner.lock_listeners();
        let id = listeners.next_id;
        listeners.next_id += 1;
        let listener = Arc::new(Listener::new(id, handler));
        if listeners.started {
            for obj in self.inner.store.list() {
                listener.push(Notification::Add {
                    obj,
                    is_in_initial_list: true,
                });
            }
            if !self.inner.cancel.is_cancelled() {
                listener.start();
            }
        }
        listeners.list.push(Arc::clone(&listener));
        let remove = remover(Arc::downgrade(&self.inner), |inner: &Inner<K>, id| {
            let mut listeners = inner.lock_listeners();
            if let Some(pos) = listeners.list.iter().position(|l| l.id() == id) {
                listeners.list.remove(pos).close();
            }
        });
        listener.registration(self.inner.fifo.synced_watch(), remove)
    }

    /// Adds indices to the cache (normally before starting).
    pub fn add_indexers(&self, indexers: Indexers<K>) -> Result<(), IndexError> {
        self.inner.store.add_indexers(indexers)
    }

    /// The cache (read it; the informer writes it).
    pub fn store(&self) -> Store<K> {
        self.inner.store.clone()
    }

    /// A lister over the cache.
    pub fn lister(&self) -> Lister<K> {
        Lister::new(self.inner.store.clone())
    }

    /// Whether the first full list has been applied to the cache.
    pub fn has_synced(&self) -> bool {
        self.inner.fifo.has_synced()
    }

    /// Waits until the cache has synced (`true`) or the informer stopped first (`false`).
    pub async fn wait_for_cache_sync(&self) -> bool {
        let mut synced = self.inner.fifo.synced_watch();
        loop {
            if *synced.borrow_and_update() {
                return true;
            }
            tokio::select! {
                () = self.inner.cancel.cancelled() => return *synced.borrow(),
                changed = synced.changed() => if changed.is_err() { return false },
            }
        }
    }

    /// A receiver that turns true when the cache has synced.
    pub fn synced_watch(&self) -> watch::Receiver<bool> {
        self.inner.fifo.synced_watch()
    }

    /// The resource version the cache reflects.
    pub fn last_sync_resource_version(&self) -> String {
        self.inner.status.last_sync_resource_version()
    }

    /// Calls `handler` with every list or watch error the informer's reflector meets
    /// (client-go's `SetWatchErrorHandler`), e.g. to count them or to stop the program
    /// when the server keeps refusing; the reflector retries whatever the handler does.
    pub fn set_watch_error_handler(
        &self,
        handler: impl Fn(&super::ListWatchError) + Send + Sync + 'static,
    ) {
        self.inner.status.set_error_handler(handler);
    }

    /// The reflector's progress and error counters.
    pub fn reflector_status(&self) -> ReflectorStatus {
        self.inner.status.clone()
    }
}

impl<K: Object + Send + Sync + 'static> Inner<K> {
    fn lock_listeners(&self) -> MutexGuard<'_, Listeners<K>> {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies one object's deltas to the store and tells the handlers (client-go's
    /// `processDeltas`). Runs under the DeltaFIFO's lock.
    fn handle_deltas(&self, deltas: Vec<Delta<K>>, is_in_initial_list: bool) {
        let listeners = self.lock_listeners();
        let distribute = |n: Notification<K>| {
            if let Some((last, rest)) = listeners.list.split_last() {
                for l in rest {
                    l.push(n.clone());
                }
                last.push(n);
            }
        };
        for delta in deltas {
            match delta {
                Delta::Deleted(deleted) => {
                    let key = match &deleted {
                        DeletedObject::Object(obj) => object_key(&**obj),
                        DeletedObject::FinalStateUnknown(t) => t.key.clone(),
                    };
                    self.store.delete_key(&key);
                    distribute(Notification::Delete(deleted));
                }
                delta => {
                    let kind = delta.kind();
                    let obj = Arc::clone(delta.object());
                    match self.store.update(Arc::clone(&obj)) {
                        Some(old) => {
                            let unchanged = kind == super::DeltaType::Sync
                                || (kind == super::DeltaType::Replaced
                                    && old.metadata().resource_version
                                        == obj.metadata().resource_version);
                            if unchanged && !self.resync_enabled {
                                continue;
                            }
                            distribute(Notification::Update { old, new: obj });
                        }
                        None => distribute(Notification::Add {
                            obj,
                            is_in_initial_list,
                        }),
                    }
                }
            }
        }
    }
}

/// Type-erased informer operations, for the factory.
pub(crate) trait AnyInformer: Send + Sync {
    fn as_any(&self) -> &dyn std::any::Any;
    fn start(&self) -> JoinHandle<()>;
    fn has_synced(&self) -> bool;
    fn wait_for_cache_sync(&self) -> BoxFuture<'static, bool>;
    fn shutdown(&self);
    fn resource(&self) -> String;
}

impl<K: Object + Send + Sync + 'static> AnyInformer for SharedIndexInformer<K> {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn start(&self) -> JoinHandle<()> {
        SharedIndexInformer::start(self)
    }
    fn has_synced(&self) -> bool {
        SharedIndexInformer::has_synced(self)
    }
    fn wait_for_cache_sync(&self) -> BoxFuture<'static, bool> {
        let this = self.clone();
        Box::pin(async move { this.wait_for_cache_sync().await })
    }
    fn shutdown(&self) {
        SharedIndexInformer::shutdown(self);
    }
    fn resource(&self) -> String {
        self.inner.resource.to_string()
    }
}

/// Informer, handler and factory tests (the property tests beside reuse their helpers).
#[cfg(test)]
pub(super) mod tests;
