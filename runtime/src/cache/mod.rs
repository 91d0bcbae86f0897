//! Informers: a local, indexed cache of one resource kept current by list + watch, and the
//! event handlers and listers built on it. Modelled on client-go's `tools/cache`.
//!
//! The pieces, bottom-up, one file each:
//! - [`Store`] (`store`, `thread_safe_store`, `index`): objects by `namespace/name`, shared as
//!   `Arc<K>`, with secondary indices (a namespace index built in);
//! - [`DeltaFifo`] (`delta_fifo`): the per-key change queue between reflector and informer,
//!   producing [`DeletedFinalStateUnknown`] tombstones for deletions missed during a relist;
//! - [`Reflector`] (`reflector`, over a [`ListerWatcher`] from `list_watch`): list + watch (or
//!   WatchList) with relist on 410 and jittered backoff on errors, feeding a DeltaFifo;

mod backoff;
mod delta_fifo;
mod index;
mod list_watch;
mod reflector;
#[cfg(test)]
mod reflector_tests;
mod store;
#[cfg(test)]
pub(crate) mod testing;
mod thread_safe_store;

pub use backoff::{Backoff, BackoffConfig};
pub use delta_fifo::{DeletedFinalStateUnknown, DeletedObject, Delta, DeltaFifo, DeltaType};
pub use index::{index_func, namespace_index_func, IndexFunc, Indexers, NAMESPACE_INDEX};
pub use list_watch::{
    ListPage, ListParams, ListWatchError, ListWatchOptions, ListerWatcher, WatchEvent, WatchParams,
    WatchStream, INITIAL_EVENTS_END_ANNOTATION,
};
pub use reflector::{Reflector, ReflectorConfig, ReflectorStatus, ReflectorStore, Transform};
pub use store::{object_key, split_key, KnownObjects, Store};
pub use thread_safe_store::{IndexError, ThreadSafeStore};
