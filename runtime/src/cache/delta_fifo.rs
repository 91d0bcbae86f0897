//! The queue between the reflector and the informer: per-key deltas, in arrival order.
//!
//! Contract (client-go's `delta_fifo.go`): every change the reflector sees for an object is
//! appended to that object's list of [`Delta`]s, and the object's key is queued once; [`pop`]
//! hands one key's whole delta list to a process function, so a consumer sees every change of
//! an object in order and never two keys' changes interleaved. Two consecutive deletions
//! collapse into one (keeping the one that knows the final state). [`replace`] (a relist)
//! queues `Replaced` for every listed object and a `Deleted` carrying a
//! [`DeletedFinalStateUnknown`] tombstone for every object the consumer's store (or the queue)
//! knows that the list no longer has — deletions missed while disconnected. [`resync`] queues
//! `Sync` for every known object without pending deltas. [`has_synced`] turns true once
//! everything from the first `replace` has been popped *and processed*.
//!
//! [`pop`]: DeltaFifo::pop
//! [`replace`]: DeltaFifo::replace
//! [`resync`]: DeltaFifo::resync
//! [`has_synced`]: DeltaFifo::has_synced

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{watch, Notify};

use super::store::{object_key, KnownObjects};
use crate::meta::Object;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeltaType {
    /// The object is new to the store.
    Added,
    /// The object changed.
    Updated,
    /// The object is gone.
    Deleted,
    /// Listed again by a relist (the object may or may not have changed).
    Replaced,
    /// Re-delivered by a periodic resync, unchanged.
    Sync,
}

/// An object that was deleted while we were not watching: the last state we knew of it.
#[derive(Debug)]
pub struct DeletedFinalStateUnknown<K> {
    /// The object's cache key.
    pub key: String,
    /// The last state the cache had; the object may have changed before it was deleted.
    pub obj: Arc<K>,
}

impl<K> Clone for DeletedFinalStateUnknown<K> {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            obj: Arc::clone(&self.obj),
        }
    }
}

/// The object a deletion carries: the deleted object itself, or a tombstone.
#[derive(Debug)]
pub enum DeletedObject<K> {
    /// Seen deleted by a watch: the final state.
    Object(Arc<K>),
    /// Noticed missing by a relist: the last known state.
    FinalStateUnknown(DeletedFinalStateUnknown<K>),
}

impl<K> Clone for DeletedObject<K> {
    fn clone(&self) -> Self {
        match self {
            Self::Object(o) => Self::Object(Arc::clone(o)),
            Self::FinalStateUnknown(t) => Self::FinalStateUnknown(t.clone()),
        }
    }
}

impl<K> DeletedObject<K> {
    /// The object, final or last known.
    pub fn object(&self) -> &Arc<K> {
        match self {
            Self::Object(o) => o,
            Self::FinalStateUnknown(t) => &t.obj,
        }
    }

    /// Whether this is a tombstone from a relist rather than an observed deletion.
    pub fn is_tombstone(&self) -> bool {
        matches!(self, Self::FinalStateUnknown(_))
    }
}

/// One change of one object.
#[derive(Debug)]
pub enum Delta<K> {
    /// The object appeared (a watch `ADDED`, or new in a relist).
    Added(Arc<K>),
    /// The object changed.
    Updated(Arc<K>),
    /// The object is gone (possibly seen only as missing from a relist).
    Deleted(DeletedObject<K>),
    /// The object was in a relist (client-go's `Replaced`).
    Replaced(Arc<K>),
    /// A periodic resync of an object already in the store.
    Sync(Arc<K>),
}

impl<K> Clone for Delta<K> {
    fn clone(&self) -> Self {
        match self {
            Self::Added(o) => Self::Added(Arc::clone(o)),
            Self::Updated(o) => Self::Updated(Arc::clone(o)),
            Self::Deleted(d) => Self::Deleted(d.clone()),
            Self::Replaced(o) => Self::Replaced(Arc::clone(o)),
            Self::Sync(o) => Self::Sync(Arc::clone(o)),
        }
    }
}

impl<K> Delta<K> {
    /// The kind of change.
    pub fn kind(&self) -> DeltaType {
        match self {
            Self::Added(_) => DeltaType::Added,
            Self::Updated(_) => DeltaType::Updated,
            Self::Deleted(_) => DeltaType::Deleted,
            Self::Replaced(_) => DeltaType::Replaced,
            Self::Sync(_) => DeltaType::Sync,
        }
    }

    /// The object the change carries (for a deletion, the final or last known state).
    pub fn object(&self) -> &Arc<K> {
        match self {
            Self::Added(o) | Self::Updated(o) | Self::Replaced(o) | Self::Sync(o) => o,
            Self::Deleted(d) => d.object(),
        }
    }
}

/// The per-key delta queue; cloning shares it.
pub struct DeltaFifo<K> {
    shared: Arc<Shared<K>>,
}

struct Shared<K> {
    state: Mutex<State<K>>,
    changed: Notify,
    known: Option<Arc<dyn KnownObjects<K>>>,
    /// Mirrors `has_synced`, for waiters.
    synced: watch::Sender<bool>,
}

struct State<K> {
    items: HashMap<String, Vec<Delta<K>>>,
    queue: VecDeque<String>,
    /// A replace or a first add/update/delete happened.
    populated: bool,
    /// Keys of the first replace not yet popped and processed.
    initial_population_count: usize,
    closed: bool,
}

impl<K> Clone for DeltaFifo<K> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<K> fmt::Debug for DeltaFifo<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("DeltaFifo")
            .field("queued", &s.queue.len())
            .field("populated", &s.populated)
            .field("initial_population_count", &s.initial_population_count)
            .field("closed", &s.closed)
            .finish()
    }
}

impl<K> DeltaFifo<K> {
    /// Publishes `has_synced` (call with the state lock held, after a change).
    fn publish_synced(&self, state: &State<K>) {
        let now = state.populated && state.initial_population_count == 0;
        self.shared.synced.send_if_modified(|v| {
            let changed = *v != now;
            *v = now;
            changed
        });
    }

    /// A receiver that sees `has_synced` change.
    pub fn synced_watch(&self) -> watch::Receiver<bool> {
        self.shared.synced.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, State<K>> {
        // Mutations complete before any user code (the process function) runs, except inside
        // `pop`, which has already removed the key: the state stays consistent.
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<K: Object + Send + Sync + 'static> DeltaFifo<K> {
    /// A queue whose deletion detection and resync consult `known` (the consumer's store);
    /// without it, only the queue's own content is consulted.
    pub fn new(known: Option<Arc<dyn KnownObjects<K>>>) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    items: HashMap::new(),
                    queue: VecDeque::new(),
                    populated: false,
                    initial_population_count: 0,
                    closed: false,
                }),
                changed: Notify::new(),
                known,
                synced: watch::Sender::new(false),
            }),
        }
    }

    /// The consumer's stored state of `key` (none without a known-objects store).
    pub(crate) fn known_object(&self, key: &str) -> Option<Arc<K>> {
        self.shared.known.as_ref()?.get_by_key(key)
    }

    /// Queues an `Added` delta.
    pub fn add(&self, obj: Arc<K>) {
        self.enqueue_one(Delta::Added(obj));
    }

    /// Queues an `Updated` delta.
    pub fn update(&self, obj: Arc<K>) {
        self.enqueue_one(Delta::Updated(obj));
    }

    /// Queues a `Deleted` delta, unless neither the store nor the queue knows the object.
    pub fn delete(&self, obj: Arc<K>) {
        let key = object_key(&*obj);
        let mut state = self.lock();
        state.populated = true;
        self.publish_synced(&state);
        let queued = state.items.contains_key(&key);
        let known = match &self.shared.known {
            Some(known) => known.get_by_key(&key).is_some(),
            None => false,
        };
        if !queued && !known {
            return;
        }
        state.queue_delta(key, Delta::Deleted(DeletedObject::Object(obj)));
        drop(state);
        self.shared.changed.notify_waiters();
    }

    fn enqueue_one(&self, delta: Delta<K>) {
        let key = object_key(&**delta.object());
        let mut state = self.lock();
        state.populated = true;
        state.queue_delta(key, delta);
        self.publish_synced(&state);
        drop(state);
        self.shared.changed.notify_waiters();
    }

    /// A relist: `Replaced` for every object in `list`, and a tombstone deletion for every
    /// object known (queued or stored) that `list` lacks.
    pub fn replace(&self, list: Vec<Arc<K>>) {
        let mut state = self.lock();
        let mut keys = HashSet::with_capacity(list.len());
        for obj in list {
            let key = object_key(&*obj);
            keys.insert(key.clone());
            state.queue_delta(key, Delta::Replaced(obj));
        }
        let mut deletions = 0;
        // Queued objects the list lacks (seen by the old watch, gone by now).
        let vanished: Vec<(String, Arc<K>)> = state
            .items
            .iter()
            .filter(|(k, _)| !keys.contains(*k))
            .filter_map(|(k, deltas)| deltas.last().map(|d| (k.clone(), Arc::clone(d.object()))))
            .collect();
        for (key, obj) in vanished {
            deletions += 1;
            state.queue_delta(key.clone(), tombstone(key, obj));
        }
        // Stored objects the list lacks and that have nothing queued.
        if let Some(known) = &self.shared.known {
            for key in known.list_keys() {
                if keys.contains(&key) || state.items.contains_key(&key) {
                    continue;
                }
                if let Some(obj) = known.get_by_key(&key) {
                    deletions += 1;
                    state.queue_delta(key.clone(), tombstone(key, obj));
                }
            }
        }
        if !state.populated {
            state.populated = true;
            state.initial_population_count = keys.len() + deletions;
        }
        self.publish_synced(&state);
        drop(state);
        self.shared.changed.notify_waiters();
    }

    /// Queues `Sync` for every stored object that has no pending deltas.
    pub fn resync(&self) {
        let Some(known) = &self.shared.known else {
            return;
        };
        let mut state = self.lock();
        let mut any = false;
        for key in known.list_keys() {
            if state.items.get(&key).is_some_and(|d| !d.is_empty()) {
                continue;
            }
            if let Some(obj) = known.get_by_key(&key) {
                state.queue_delta(key, Delta::Sync(obj));
                any = true;
            }
        }
        drop(state);
        if any {
            self.shared.changed.notify_waiters();
        }
    }

    /// Waits for a key with deltas and hands them, oldest first, to `process` together with
    /// whether they belong to the initial list; `None` once closed. `process` runs while the
    /// queue is locked, so it must not call back into this queue.
    pub async fn pop<R>(&self, process: impl FnOnce(Vec<Delta<K>>, bool) -> R) -> Option<R> {
        loop {
            let notified;
            {
                let mut state = self.lock();
                while let Some(key) = state.queue.pop_front() {
                    let Some(deltas) = state.items.remove(&key) else {
                        continue;
                    };
                    let initial = state.initial_population_count > 0;
                    let result = process(deltas, initial);
                    if initial {
                        state.initial_population_count -= 1;
                        self.publish_synced(&state);
                    }
                    drop(state);
                    self.shared.changed.notify_waiters();
                    return Some(result);
                }
                if state.closed {
                    return None;
                }
                notified = self.shared.changed.notified();
            }
            notified.await;
        }
    }

    /// Whether the first relist has been fully popped and processed.
    pub fn has_synced(&self) -> bool {
        let state = self.lock();
        state.populated && state.initial_population_count == 0
    }

    /// Makes `pop` return `None` once the queue is empty (waking waiting pops).
    pub fn close(&self) {
        self.lock().closed = true;
        self.shared.changed.notify_waiters();
    }

    /// Whether [`DeltaFifo::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// How many keys have pending deltas.
    pub fn len(&self) -> usize {
        self.lock().queue.len()
    }

    /// Whether no key has pending deltas.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys with pending deltas, in queue order.
    pub fn list_keys(&self) -> Vec<String> {
        self.lock().queue.iter().cloned().collect()
    }

    /// The pending deltas of `key`.
    pub fn deltas(&self, key: &str) -> Vec<Delta<K>> {
        self.lock().items.get(key).cloned().unwrap_or_default()
    }
}

/// A tombstone deletion, unwrapping a tombstone the last delta may already carry.
fn tombstone<K>(key: String, obj: Arc<K>) -> Delta<K> {
    Delta::Deleted(DeletedObject::FinalStateUnknown(DeletedFinalStateUnknown {
        key,
        obj,
    }))
}

impl<K> State<K> {
    fn queue_delta(&mut self, key: String, delta: Delta<K>) {
        let deltas = match self.items.get_mut(&key) {
            Some(deltas) => deltas,
            None => {
                self.queue.push_back(key.clone());
                self.items.entry(key).or_default()
            }
        };
        deltas.push(delta);
        dedup_deletions(deltas);
    }
}

/// Collapses the last two deltas if both are deletions, keeping the one that is not a tombstone
/// (the newer one when both or neither are).
fn dedup_deletions<K>(deltas: &mut Vec<Delta<K>>) {
    let n = deltas.len();
    if n < 2 {
        return;
    }
    let (Delta::Deleted(older), Delta::Deleted(newer)) = (&deltas[n - 2], &deltas[n - 1]) else {
        return;
    };
    if newer.is_tombstone() && !older.is_tombstone() {
        deltas.pop();
    } else {
        deltas.remove(n - 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::store::Store;
    use crate::cache::testing::{obj, TestObj};

    fn a(ns: &str, name: &str, rv: &str) -> Arc<TestObj> {
        Arc::new(obj(ns, name, rv))
    }

    fn kinds(deltas: &[Delta<TestObj>]) -> Vec<(DeltaType, String)> {
        deltas
            .iter()
            .map(|d| {
                (
                    d.kind(),
                    d.object()
                        .metadata
                        .resource_version
                        .as_deref()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    }

    async fn pop_all(fifo: &DeltaFifo<TestObj>) -> Vec<(String, Vec<(DeltaType, String)>, bool)> {
        let mut out = Vec::new();
        while !fifo.is_empty() {
            let popped = fifo
                .pop(|deltas, initial| (object_key(&**deltas[0].object()), kinds(&deltas), initial))
                .await
                .unwrap();
            out.push(popped);
        }
        out
    }

    #[tokio::test]
    async fn deltas_accumulate_per_key_in_fifo_order() {
        let fifo = DeltaFifo::new(None);
        fifo.add(a("ns", "x", "1"));
        fifo.add(a("ns", "y", "2"));
        fifo.update(a("ns", "x", "3"));
        fifo.delete(a("ns", "x", "4"));
        assert_eq!(fifo.list_keys(), ["ns/x", "ns/y"]);
        let popped = pop_all(&fifo).await;
        assert_eq!(
            popped[0].1,
            [
                (DeltaType::Added, "1".into()),
                (DeltaType::Updated, "3".into()),
                (DeltaType::Deleted, "4".into())
            ]
        );
        assert_eq!(popped[1].0, "ns/y");
    }

    #[tokio::test]
    async fn consecutive_deletes_collapse_keeping_the_known_final_state() {
        let fifo = DeltaFifo::new(None);
        fifo.add(a("ns", "x", "1"));
        fifo.delete(a("ns", "x", "2"));
        fifo.replace(vec![]); // tombstone after a real delete: dropped
        let d = fifo.deltas("ns/x");
        assert_eq!(
            kinds(&d),
            [
                (DeltaType::Added, "1".into()),
                (DeltaType::Deleted, "2".into())
            ]
        );
        let Delta::Deleted(deleted) = &d[1] else {
            panic!()
        };
        assert!(!deleted.is_tombstone());
        fifo.delete(a("ns", "x", "3")); // newer real delete wins
        assert_eq!(
            kinds(&fifo.deltas("ns/x"))[1],
            (DeltaType::Deleted, "3".into())
        );
    }

    #[tokio::test]
    async fn delete_of_unknown_object_is_ignored() {
        let store = Store::new();
        let fifo = DeltaFifo::new(Some(Arc::new(store.clone())));
        fifo.delete(a("ns", "ghost", "1"));
        assert!(fifo.is_empty());
        store.add(a("ns", "known", "1"));
        fifo.delete(a("ns", "known", "2"));
        assert_eq!(fifo.list_keys(), ["ns/known"]);
    }

    #[tokio::test]
    async fn replace_tombstones_vanished_objects_and_tracks_initial_population() {
        let store = Store::new();
        store.add(a("ns", "stored-gone", "1"));
        store.add(a("ns", "stays", "1"));
        let fifo = DeltaFifo::new(Some(Arc::new(store.clone())));
        fifo.add(a("ns", "queued-gone", "5"));
        // As in client-go, an add before the first replace counts as populated.
        assert!(fifo.has_synced());
        // `add` marked the queue populated, so this replace is not the initial population.
        fifo.replace(vec![a("ns", "stays", "2"), a("ns", "new", "3")]);
        let mut popped = pop_all(&fifo).await;
        popped.sort_by(|x, y| x.0.cmp(&y.0));
        let find = |k: &str| popped.iter().find(|p| p.0 == k).unwrap().1.clone();
        assert_eq!(find("ns/stays"), [(DeltaType::Replaced, "2".into())]);
        assert_eq!(find("ns/new"), [(DeltaType::Replaced, "3".into())]);
        assert_eq!(
            find("ns/queued-gone"),
            [
                (DeltaType::Added, "5".into()),
                (DeltaType::Deleted, "5".into())
            ]
        );
        assert_eq!(find("ns/stored-gone"), [(DeltaType::Deleted, "1".into())]);
        assert!(fifo.has_synced());
    }

    #[tokio::test]
    async fn tombstones_carry_key_and_last_state() {
        let store = Store::new();
        store.add(a("ns", "gone", "7"));
        let fifo = DeltaFifo::new(Some(Arc::new(store)));
        fifo.replace(vec![]);
        let deltas = fifo.deltas("ns/gone");
        let [Delta::Deleted(DeletedObject::FinalStateUnknown(t))] = &deltas[..] else {
            panic!("{deltas:?}")
        };
        assert_eq!(t.key, "ns/gone");
        assert_eq!(t.obj.metadata.resource_version.as_deref(), Some("7"));
    }

    #[tokio::test]
    async fn has_synced_waits_for_the_first_replace_to_be_processed() {
        let fifo = DeltaFifo::new(None);
        fifo.replace(vec![a("ns", "x", "1"), a("ns", "y", "1")]);
        fifo.add(a("ns", "z", "2"));
        assert!(!fifo.has_synced());
        assert!(fifo.pop(|_, initial| initial).await.unwrap());
        assert!(!fifo.has_synced());
        assert!(fifo.pop(|_, initial| initial).await.unwrap());
        assert!(fifo.has_synced());
        assert!(!fifo.pop(|_, initial| initial).await.unwrap());
        // An empty first list is synced at once.
        let empty: DeltaFifo<TestObj> = DeltaFifo::new(None);
        let watch = empty.synced_watch();
        assert!(!*watch.borrow());
        empty.replace(vec![]);
        assert!(empty.has_synced());
        assert!(*watch.borrow());
    }

    #[tokio::test]
    async fn resync_skips_objects_with_pending_deltas() {
        let store = Store::new();
        store.add(a("ns", "x", "1"));
        store.add(a("ns", "y", "1"));
        let fifo = DeltaFifo::new(Some(Arc::new(store)));
        fifo.update(a("ns", "x", "2"));
        fifo.resync();
        assert_eq!(
            kinds(&fifo.deltas("ns/x")),
            [(DeltaType::Updated, "2".into())]
        );
        assert_eq!(kinds(&fifo.deltas("ns/y")), [(DeltaType::Sync, "1".into())]);
    }

    #[tokio::test]
    async fn close_wakes_a_waiting_pop() {
        let fifo: DeltaFifo<TestObj> = DeltaFifo::new(None);
        let f2 = fifo.clone();
        let popper = tokio::spawn(async move { f2.pop(|_, _| ()).await });
        tokio::task::yield_now().await;
        fifo.close();
        assert_eq!(popper.await.unwrap(), None);
    }
}
