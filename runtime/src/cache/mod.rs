//! Informers: a local, indexed cache of one resource kept current by list + watch, and the
//! event handlers and listers built on it. Modelled on client-go's `tools/cache`.
//!
//! The pieces, bottom-up, one file each:
//! - [`Store`] (`store`, `thread_safe_store`, `index`): objects by `namespace/name`, shared as
//!   `Arc<K>`, with secondary indices (a namespace index built in);
//! - [`DeltaFifo`] (`delta_fifo`): the per-key change queue between reflector and informer,
//!   producing [`DeletedFinalStateUnknown`] tombstones for deletions missed during a relist;
//! - [`Reflector`] (`reflector`, over a [`ListerWatcher`] from `list_watch`): list + watch (or
//!   WatchList) with relist on 410 and jittered backoff on errors, feeding a DeltaFifo; an
//!   object that does not decode is skipped (keeping its last good state) and every error
//!   reaches a [`WatchErrorHandler`] and counters (`watch_errors`);
//! - [`SharedIndexInformer`] (`shared_informer`, `handler`, `processor`): one reflector and one
//!   store for any number of [`EventHandler`]s, each with its own buffer;
//! - [`Lister`] (`lister`): label-selector and namespace reads of the store;
//! - [`SharedInformerFactory`] (`factory`): one informer per resource type and options;
//! - [`RestListerWatcher`] (`rest_lister_watcher`): the lister-watcher over the REST client
//!   (`rest::Client` implements [`ListerWatcherFor`] for every object type, including the
//!   metadata-only `PartialObjectMetadata<K>`); it is a [`ClientListerWatcher`] over the typed
//!   client, as the dynamic informers' is over the dynamic one ([`ListWatchClient`]).
//!
//! Watches hand out the runtime's one event type, [`rest::WatchEvent`](crate::rest::WatchEvent)
//! (bookmarks as [`rest::Bookmark`](crate::rest::Bookmark)), whether they come from the REST
//! client or a test's scripted lister-watcher.
//!
//! ```no_run
//! # async fn demo<C, K>(client: C)
//! # where C: kubegen_runtime::cache::ListerWatcherFor<K> + Send + Sync + 'static,
//! #       K: kubegen_runtime::meta::Object + Send + Sync + 'static {
//! use kubegen_runtime::cache::{EventHandlerFns, SharedInformerFactory};
//! use kubegen_runtime::meta::labels::Selector;
//!
//! let factory = SharedInformerFactory::new(client);
//! let informer = factory.informer::<K>();
//! informer.add_event_handler(EventHandlerFns::new().on_add(|obj, _| { /* enqueue a key */ }));
//! factory.start();
//! factory.wait_for_cache_sync().await;
//! let all = informer.lister().list(&Selector::everything());
//! # }
//! ```

mod backoff;
mod delta_fifo;
mod factory;
#[cfg(test)]
mod fake_server;
mod handler;
mod index;
#[cfg(test)]
mod informer_props;
mod list_watch;
mod lister;
mod processor;
mod reflector;
mod rest_lister_watcher;
mod shared_informer;
mod store;
#[cfg(test)]
pub(crate) mod testing;
mod thread_safe_store;
mod watch_errors;

pub use backoff::{Backoff, BackoffConfig};
pub use delta_fifo::{DeletedFinalStateUnknown, DeletedObject, Delta, DeltaFifo, DeltaType};
pub(crate) use factory::all_synced;
pub use factory::{FactoryOptions, SharedInformerFactory, TweakListOptions};
pub use handler::{EventHandler, EventHandlerFns, Notification};
pub use index::{index_func, namespace_index_func, IndexFunc, Indexers, NAMESPACE_INDEX};
pub use list_watch::{
    ListPage, ListRequest, ListWatchError, ListWatchOptions, ListWatchStream, ListerWatcher,
    ListerWatcherFor, SkippedObject, WatchRequest,
};
pub use lister::{Lister, NamespaceLister};
pub use processor::HandlerRegistration;
pub use reflector::{Reflector, ReflectorConfig, ReflectorStatus, ReflectorStore, Transform};
pub use rest_lister_watcher::{ClientListerWatcher, ListWatchClient, RestListerWatcher};
pub use shared_informer::{drop_managed_fields, InformerOptions, SharedIndexInformer};
pub use store::{object_key, split_key, KnownObjects, Store};
pub use thread_safe_store::{IndexError, ThreadSafeStore};
pub use watch_errors::WatchErrorHandler;

// Old names, kept for one release.

/// The annotation that marks the end of a WatchList's initial events on a bookmark.
#[deprecated(
    note = "use `rest::Bookmark::INITIAL_EVENTS_END` (or `Bookmark::is_initial_events_end`)"
)]
pub const INITIAL_EVENTS_END_ANNOTATION: &str = crate::rest::Bookmark::INITIAL_EVENTS_END;

/// The event type of lister-watchers, now the runtime's one [`rest::WatchEvent`](crate::rest::WatchEvent).
#[deprecated(
    note = "use `rest::WatchEvent`: a bookmark is `WatchEvent::Bookmark(rest::Bookmark)`, an error carries an `ApiError`"
)]
pub type WatchEvent<K> = crate::rest::WatchEvent<K>;

/// The old name of [`ListWatchStream`].
#[deprecated(
    note = "renamed `ListWatchStream` (`rest::WatchStream` is the HTTP watch it is made from)"
)]
pub type WatchStream<K> = ListWatchStream<K>;

/// The old name of [`ListRequest`].
#[deprecated(note = "renamed `ListRequest` (`rest::ListOptions` are a request's query options)")]
pub type ListParams = ListRequest;

/// The old name of [`WatchRequest`].
#[deprecated(note = "renamed `WatchRequest` (`rest::ListOptions` are a request's query options)")]
pub type WatchParams = WatchRequest;

#[cfg(test)]
mod deprecated_names {
    /// The old names still compile, as the types they now stand for.
    #[test]
    #[allow(deprecated)]
    fn old_names_are_the_new_types() {
        use super::testing::TestObj;
        let request: super::ListParams = super::ListRequest::default();
        let watch: super::WatchParams = super::WatchRequest::default();
        assert_eq!((request, watch), Default::default());
        let event: super::WatchEvent<TestObj> =
            crate::rest::WatchEvent::Bookmark(crate::rest::Bookmark::initial_events_end("7"));
        let super::WatchEvent::Bookmark(bookmark) = &event else {
            panic!("{event:?}")
        };
        assert!(bookmark.annotations[super::INITIAL_EVENTS_END_ANNOTATION] == "true");
        let stream: super::WatchStream<TestObj> = Box::pin(futures_util::stream::empty());
        let _: super::ListWatchStream<TestObj> = stream;
    }
}
