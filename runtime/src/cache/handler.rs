//! Event handlers: what informers tell their consumers.
//!
//! Contract (client-go's `ResourceEventHandler`): `on_add` for an object the cache did not have
//! (with `is_in_initial_list` during the initial sync, or for the current state replayed to a
//! handler added late), `on_update(old, new)` for a change (and, with a resync period, for a
//! resync where `old` and `new` are the same version), `on_delete` for a removal — which may be
//! a [`DeletedObject::FinalStateUnknown`] tombstone when the deletion was missed and noticed by
//! a relist. Objects are the cache's own `Arc`s: share them, never mutate. Handlers run on the
//! informer's task for that handler, one event at a time, in order; keep them short (typically:
//! put a key in a work queue).

use std::fmt;
use std::sync::Arc;

pub(crate) use super::delta_fifo::DeletedObject;

/// Receives an informer's notifications.
pub trait EventHandler<K>: Send + Sync + 'static {
    /// An object appeared in the cache.
    fn on_add(&self, obj: &Arc<K>, is_in_initial_list: bool) {
        let _ = (obj, is_in_initial_list);
    }
    /// An object in the cache changed (or was resynced).
    fn on_update(&self, old: &Arc<K>, new: &Arc<K>) {
        let _ = (old, new);
    }
    /// An object left the cache.
    fn on_delete(&self, obj: &DeletedObject<K>) {
        let _ = obj;
    }
}

/// One notification as buffered for a handler.
pub enum Notification<K> {
    /// An object appeared.
    Add {
        /// The object.
        obj: Arc<K>,
        /// Whether it came with the initial list (not a later watch event).
        is_in_initial_list: bool,
    },
    /// An object changed (or was resynced: `old` and `new` then have the same resource version).
    Update {
        /// The object before.
        old: Arc<K>,
        /// The object now.
        new: Arc<K>,
    },
    /// An object is gone.
    Delete(DeletedObject<K>),
}

impl<K> Clone for Notification<K> {
    fn clone(&self) -> Self {
        match self {
            Self::Add {
                obj,
                is_in_initial_list,
            } => Self::Add {
                obj: Arc::clone(obj),
                is_in_initial_list: *is_in_initial_list,
            },
            Self::Update { old, new } => Self::Update {
                old: Arc::clone(old),
                new: Arc::clone(new),
            },
            Self::Delete(d) => Self::Delete(d.clone()),
        }
    }
}

impl<K> fmt::Debug for Notification<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Add {
                is_in_initial_list, ..
            } => write!(f, "Add {{ is_in_initial_list: {is_in_initial_list} }}"),
            Self::Update { .. } => f.write_str("Update"),
            Self::Delete(d) => write!(f, "Delete {{ tombstone: {} }}", d.is_tombstone()),
        }
    }
}

impl<K: 'static> Notification<K> {
    /// Calls the matching method of `handler`.
    pub fn dispatch(&self, handler: &dyn EventHandler<K>) {
        match self {
            Self::Add {
                obj,
                is_in_initial_list,
            } => handler.on_add(obj, *is_in_initial_list),
            Self::Update { old, new } => handler.on_update(old, new),
            Self::Delete(obj) => handler.on_delete(obj),
        }
    }
}

type AddFn<K> = Box<dyn Fn(&Arc<K>, bool) + Send + Sync>;
type UpdateFn<K> = Box<dyn Fn(&Arc<K>, &Arc<K>) + Send + Sync>;
type DeleteFn<K> = Box<dyn Fn(&DeletedObject<K>) + Send + Sync>;

/// An [`EventHandler`] made of closures; unset ones ignore their events.
///
/// ```
/// # use kubegen_runtime::cache::EventHandlerFns;
/// # use kubegen_runtime::meta::PartialObjectMetadata;
/// # struct Pod;
/// let handler = EventHandlerFns::<PartialObjectMetadata<Pod>>::new()
///     .on_add(|obj, _initial| tracing::info!(name = ?obj.metadata.name, "added"))
///     .on_delete(|obj| tracing::info!(tombstone = obj.is_tombstone(), "deleted"));
/// ```
pub struct EventHandlerFns<K> {
    add: Option<AddFn<K>>,
    update: Option<UpdateFn<K>>,
    delete: Option<DeleteFn<K>>,
}

impl<K> Default for EventHandlerFns<K> {
    fn default() -> Self {
        Self {
            add: None,
            update: None,
            delete: None,
        }
    }
}

impl<K> fmt::Debug for EventHandlerFns<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventHandlerFns")
            .field("add", &self.add.is_some())
            .field("update", &self.update.is_some())
            .field("delete", &self.delete.is_some())
            .finish()
    }
}

impl<K> EventHandlerFns<K> {
    /// A handler that ignores everything until closures are set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Called for adds (`obj`, `is_in_initial_list`).
    pub fn on_add(mut self, f: impl Fn(&Arc<K>, bool) + Send + Sync + 'static) -> Self {
        self.add = Some(Box::new(f));
        self
    }

    /// Called for updates (`old`, `new`).
    pub fn on_update(mut self, f: impl Fn(&Arc<K>, &Arc<K>) + Send + Sync + 'static) -> Self {
        self.update = Some(Box::new(f));
        self
    }

    /// Called for deletions (possibly tombstones).
    pub fn on_delete(mut self, f: impl Fn(&DeletedObject<K>) + Send + Sync + 'static) -> Self {
        self.delete = Some(Box::new(f));
        self
    }
}

impl<K: 'static> EventHandler<K> for EventHandlerFns<K> {
    fn on_add(&self, obj: &Arc<K>, is_in_initial_list: bool) {
        if let Some(f) = &self.add {
            f(obj, is_in_initial_list);
        }
    }

    fn on_update(&self, old: &Arc<K>, new: &Arc<K>) {
        if let Some(f) = &self.update {
            f(old, new);
        }
    }

    fn on_delete(&self, obj: &DeletedObject<K>) {
        if let Some(f) = &self.delete {
            f(obj);
        }
    }
}
