//! In-memory storage with one global resourceVersion counter, like etcd, and a bounded
//! window of past events, like the API server's watch cache.

mod object;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch;

pub(crate) use object::{type_prefix, StoredObject};

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventType {
    /// Created.
    Added,
    /// Changed.
    Modified,
    /// Removed.
    Deleted,
}

/// One change, kept in the history window for watches and consistent snapshots.
#[derive(Debug)]
pub(crate) struct Event {
    /// resourceVersion of the change.
    pub rv: u64,
    /// Storage key of the resource (`group/plural`).
    pub key: Arc<str>,
    /// What happened.
    pub kind: EventType,
    /// The object after the change (for a delete: its last state at `rv`).
    pub object: Arc<StoredObject>,
    /// The object before the change.
    pub prev: Option<Arc<StoredObject>>,
}

/// Why a read at a resourceVersion cannot be served.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RvError {
    /// The version fell out of the history window (compacted).
    TooOld,
    /// The version is newer than the newest write.
    TooLarge {
        /// Current resourceVersion.
        current: u64,
    },
}

type ObjectMap = BTreeMap<(String, String), Arc<StoredObject>>;

struct Inner {
    rv: u64,
    objects: HashMap<Arc<str>, ObjectMap>,
    history: VecDeque<Arc<Event>>,
    window: usize,
    /// Watching or reading at any version >= this is possible.
    oldest_valid: u64,
}

/// The change a mutation makes.
pub(crate) enum Change {
    /// Store this value (create or replace).
    Put(Value),
    /// Remove the object.
    Delete,
    /// Remove the object, recording this value as its final state (the last finalizer
    /// was removed by an update).
    DeleteFinal(Value),
    /// Leave it as it is.
    None,
}

/// Shared storage of all objects.
pub(crate) struct Store {
    inner: Mutex<Inner>,
    notify: watch::Sender<u64>,
}

/// A consistent view of the objects of one resource.
pub(crate) struct Snapshot {
    /// The resourceVersion it reflects.
    pub rv: u64,
    /// Objects in key order (namespace, name).
    pub items: Vec<Arc<StoredObject>>,
}

impl Store {
    /// An empty store keeping `window` past events.
    pub(crate) fn new(window: usize) -> Self {
        let (notify, _) = watch::channel(0);
        Self {
            inner: Mutex::new(Inner {
                rv: 0,
                objects: HashMap::new(),
                history: VecDeque::new(),
                window: window.max(1),
                oldest_valid: 0,
            }),
            notify,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A receiver that changes whenever a write commits.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.notify.subscribe()
    }

    /// The newest resourceVersion.
    pub(crate) fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    /// The oldest resourceVersion still readable.
    pub(crate) fn oldest_valid_rv(&self) -> u64 {
        self.lock().oldest_valid
    }

    /// One object.
    pub(crate) fn get(&self, key: &str, ns: &str, name: &str) -> Option<Arc<StoredObject>> {
        let inner = self.lock();
        inner
            .objects
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// Runs `f` on the current object and commits what it returns, atomically.
    /// `f` gets the next resourceVersion to stamp into the value it returns.
    pub(crate) fn mutate<E>(
        &self,
        key: &str,
        ns: &str,
        name: &str,
        f: impl FnOnce(Option<&Arc<StoredObject>>, u64) -> Result<Change, E>,
    ) -> Result<Option<Arc<StoredObject>>, E> {
        let mut inner = self.lock();
        let k = (ns.to_string(), name.to_string());
        let current = inner.objects.get(key).and_then(|m| m.get(&k)).cloned();
        let next = inner.rv + 1;
        let change = f(current.as_ref(), next)?;
        let result = match change {
            Change::None => return Ok(current),
            Change::Put(mut value) => {
                set_rv(&mut value, next);
                let obj = Arc::new(StoredObject::new(value, next));
                let kind = if current.is_some() {
                    EventType::Modified
                } else {
                    EventType::Added
                };
                let key: Arc<str> = inner
                    .objects
                    .get_key_value(key)
                    .map(|(k, _)| k.clone())
                    .unwrap_or_else(|| Arc::from(key));
                inner
                    .objects
                    .entry(key.clone())
                    .or_default()
                    .insert(k, obj.clone());
                inner.commit(key, kind, obj.clone(), current);
                Some(obj)
            }
            Change::Delete | Change::DeleteFinal(_) => {
                let Some(cur) = current else { return Ok(None) };
                let mut value = match change {
                    Change::DeleteFinal(v) => v,
                    _ => cur.value.clone(),
                };
                // The deleting request is answered with the object as last stored (a real
                // server reads it back from etcd before deleting); the DELETED event carries
                // the deletion's version.
                let mut answer = value.clone();
                set_rv(&mut answer, cur.rv);
                set_rv(&mut value, next);
                let obj = Arc::new(StoredObject::new(value, next));
                let key: Arc<str> = inner
                    .objects
                    .get_key_value(key)
                    .map(|(k, _)| k.clone())
                    .unwrap_or_else(|| Arc::from(key));
                if let Some(m) = inner.objects.get_mut(&key) {
                    m.remove(&k);
                }
                let prev_rv = cur.rv;
                inner.commit(key, EventType::Deleted, obj, Some(cur));
                Some(Arc::new(StoredObject::new(answer, prev_rv)))
            }
        };
        let rv = inner.rv;
        drop(inner);
        self.notify.send_replace(rv);
        Ok(result)
    }

    /// The objects of `key` (optionally in one namespace) as of `at` (None: now).
    pub(crate) fn snapshot(
        &self,
        key: &str,
        ns: Option<&str>,
        at: Option<u64>,
    ) -> Result<Snapshot, RvError> {
        self.snapshot_from(key, ns, at, None, usize::MAX, &|_| true)
            .map(|(s, _)| s)
    }

    /// Like [`Store::snapshot`], starting after `after` and stopping once `limit` objects
    /// accepted by `keep` are collected. Also returns how many accepted objects follow.
    pub(crate) fn snapshot_from(
        &self,
        key: &str,
        ns: Option<&str>,
        at: Option<u64>,
        after: Option<&(String, String)>,
        limit: usize,
        keep: &dyn Fn(&StoredObject) -> bool,
    ) -> Result<(Snapshot, usize), RvError> {
        let inner = self.lock();
        let rv = match at {
            None => inner.rv,
            Some(at) if at > inner.rv => return Err(RvError::TooLarge { current: inner.rv }),
            Some(at) if at < inner.oldest_valid => return Err(RvError::TooOld),
            Some(at) => at,
        };
        let empty = ObjectMap::new();
        let current = inner.objects.get(key).unwrap_or(&empty);
        // Undo the changes made after `rv`: the earliest change after it holds the state at it.
        let mut overrides: BTreeMap<(String, String), Option<Arc<StoredObject>>> = BTreeMap::new();
        if rv < inner.rv {
            let start = inner.history.partition_point(|e| e.rv <= rv);
            for e in inner.history.range(start..) {
                if &*e.key != key {
                    continue;
                }
                let k = (e.object.namespace.clone(), e.object.name.clone());
                overrides.entry(k).or_insert_with(|| e.prev.clone());
            }
        }
        let in_range = |k: &(String, String)| -> bool {
            ns.is_none_or(|ns| k.0 == ns) && after.is_none_or(|a| k > a)
        };
        let lower = match (after, ns) {
            (Some(a), _) => std::ops::Bound::Excluded(a.clone()),
            (None, Some(ns)) => std::ops::Bound::Included((ns.to_string(), String::new())),
            (None, None) => std::ops::Bound::Unbounded,
        };
        let mut items = Vec::new();
        let mut more = 0;
        if overrides.is_empty() {
            for (k, o) in current.range((lower, std::ops::Bound::Unbounded)) {
                if !in_range(k) {
                    if ns.is_some_and(|ns| k.0.as_str() > ns) {
                        break;
                    }
                    continue;
                }
                if !keep(o) {
                    continue;
                }
                if items.len() == limit {
                    more += 1;
                    continue;
                }
                items.push(o.clone());
            }
        } else {
            let mut merged: BTreeMap<(String, String), Arc<StoredObject>> = current
                .range((lower, std::ops::Bound::Unbounded))
                .filter(|(k, _)| in_range(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in overrides {
                if !in_range(&k) {
                    continue;
                }
                match v {
                    Some(v) => {
                        merged.insert(k, v);
                    }
                    None => {
                        merged.remove(&k);
                    }
                }
            }
            for (_, o) in merged {
                if !keep(&o) {
                    continue;
                }
                if items.len() == limit {
                    more += 1;
                    continue;
                }
                items.push(o);
            }
        }
        Ok((Snapshot { rv, items }, more))
    }

    /// Replaces the current objects of `key` that `f` maps to a new value, keeping their
    /// resourceVersion and recording no event: what a real server shows on read without
    /// writing (defaults of a changed CRD schema). Returns how many changed.
    pub(crate) fn rewrite_in_place(
        &self,
        key: &str,
        f: impl Fn(&StoredObject) -> Option<Value>,
    ) -> usize {
        let mut inner = self.lock();
        let Some(objects) = inner.objects.get_mut(key) else {
            return 0;
        };
        let mut changed = 0;
        for o in objects.values_mut() {
            if let Some(v) = f(o) {
                *o = Arc::new(StoredObject::new(v, o.rv));
                changed += 1;
            }
        }
        changed
    }

    /// Up to `max` events after `rv`, or `TooOld` when some were compacted away.
    pub(crate) fn events_after(&self, rv: u64, max: usize) -> Result<Vec<Arc<Event>>, RvError> {
        let inner = self.lock();
        if rv < inner.oldest_valid {
            return Err(RvError::TooOld);
        }
        let start = inner.history.partition_point(|e| e.rv <= rv);
        Ok(inner.history.range(start..).take(max).cloned().collect())
    }

    /// Forgets all history: reads and watches at older versions get `410 Gone`.
    pub(crate) fn compact(&self) {
        let mut inner = self.lock();
        inner.history.clear();
        inner.oldest_valid = inner.rv;
    }

    /// Every stored key, for namespace cleanup.
    pub(crate) fn keys(&self) -> Vec<String> {
        self.lock().objects.keys().map(|k| k.to_string()).collect()
    }
}

impl Inner {
    fn commit(
        &mut self,
        key: Arc<str>,
        kind: EventType,
        object: Arc<StoredObject>,
        prev: Option<Arc<StoredObject>>,
    ) {
        self.rv = object.rv;
        self.history.push_back(Arc::new(Event {
            rv: object.rv,
            key,
            kind,
            object,
            prev,
        }));
        while self.history.len() > self.window {
            if let Some(e) = self.history.pop_front() {
                self.oldest_valid = e.rv;
            }
        }
    }
}

pub(crate) fn set_rv(value: &mut Value, rv: u64) {
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn put(s: &Store, name: &str, v: &str) -> u64 {
        s.mutate::<()>("/cm", "ns", name, |_, _| {
            Ok(Change::Put(
                json!({"metadata": {"name": name, "namespace": "ns"}, "v": v}),
            ))
        })
        .unwrap()
        .unwrap()
        .rv
    }

    #[test]
    fn global_rv_and_snapshots() {
        let s = Store::new(100);
        let r1 = put(&s, "a", "1");
        let r2 = put(&s, "b", "1");
        let r3 = put(&s, "a", "2");
        assert_eq!((r1, r2, r3), (1, 2, 3));
        s.mutate::<()>("/cm", "ns", "b", |_, _| Ok(Change::Delete))
            .unwrap();
        let now = s.snapshot("/cm", None, None).unwrap();
        assert_eq!(now.items.len(), 1);
        assert_eq!(now.items[0].value["v"], "2");
        let at2 = s.snapshot("/cm", Some("ns"), Some(2)).unwrap();
        assert_eq!(at2.items.len(), 2);
        assert_eq!(at2.items[0].value["v"], "1");
        let at0 = s.snapshot("/cm", None, Some(0)).unwrap();
        assert!(at0.items.is_empty());
        assert_eq!(
            s.snapshot("/cm", None, Some(99)).err(),
            Some(RvError::TooLarge { current: 4 })
        );
        assert_eq!(s.events_after(1, 10).unwrap().len(), 3);
    }

    #[test]
    fn rewrites_in_place_keep_the_version_and_record_nothing() {
        let s = Store::new(100);
        let r1 = put(&s, "a", "1");
        let n = s.rewrite_in_place("/cm", |o| {
            let mut v = o.value.clone();
            v["d"] = json!("default");
            Some(v)
        });
        assert_eq!(n, 1);
        let a = s.get("/cm", "ns", "a").unwrap();
        assert_eq!((a.rv, a.value["d"].clone()), (r1, json!("default")));
        assert_eq!(s.current_rv(), r1);
        assert!(s.events_after(r1, 10).unwrap().is_empty());
    }

    #[test]
    fn window_and_compaction() {
        let s = Store::new(2);
        for i in 0..5 {
            put(&s, &format!("o{i}"), "x");
        }
        assert_eq!(s.events_after(2, 10).err(), Some(RvError::TooOld));
        assert_eq!(s.events_after(3, 10).unwrap().len(), 2);
        s.compact();
        assert_eq!(s.events_after(4, 10).err(), Some(RvError::TooOld));
        assert!(s.events_after(5, 10).unwrap().is_empty());
        let (page, more) = s
            .snapshot_from(
                "/cm",
                None,
                None,
                Some(&("ns".into(), "o1".into())),
                2,
                &|_| true,
            )
            .unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(more, 1);
        assert_eq!(page.items[0].name, "o2");
    }
}
