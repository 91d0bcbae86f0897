//! The informer's local cache: objects keyed `namespace/name`, with indices.
//!
//! Contract (client-go's `store.go` + the `Indexer` of `index.go`): [`Store`] keys every object
//! with [`object_key`] (`namespace/name`, or `name` for cluster-scoped objects) and delegates to
//! a [`ThreadSafeStore`]. Every store has the [`NAMESPACE_INDEX`] so listers can list one
//! namespace without a scan; more indices can be added with [`Store::add_indexers`]. Objects go
//! in as `Arc<K>` and come out as the same `Arc` — stored once, shared with every handler and
//! lister. `Store` is a cheap handle: clones share the same map.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::index::{namespace_index_func, IndexFunc, Indexers, NAMESPACE_INDEX};
use super::thread_safe_store::{IndexError, ThreadSafeStore};
use crate::meta::Object;

/// The cache key of an object: `namespace/name`, or `name` without a namespace.
pub fn object_key<K: Object>(obj: &K) -> String {
    let meta = obj.metadata();
    let name = meta.name.as_deref().unwrap_or_default();
    match meta.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

/// Splits a cache key into (namespace, name); the namespace is `None` for cluster keys.
pub fn split_key(key: &str) -> (Option<&str>, &str) {
    match key.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, key),
    }
}

/// Read access to what a store knows, used by the DeltaFIFO to detect deletions on relist.
pub trait KnownObjects<K>: Send + Sync {
    /// Every key in the store.
    fn list_keys(&self) -> Vec<String>;
    /// The object under `key`.
    fn get_by_key(&self, key: &str) -> Option<Arc<K>>;
}

/// An indexed, thread-safe cache of objects (client-go's `Indexer`).
pub struct Store<K> {
    items: Arc<ThreadSafeStore<K>>,
}

impl<K> Clone for Store<K> {
    fn clone(&self) -> Self {
        Self {
            items: Arc::clone(&self.items),
        }
    }
}

impl<K> fmt::Debug for Store<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("len", &self.items.len())
            .finish()
    }
}

impl<K: Object + Send + Sync + 'static> Default for Store<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Object + Send + Sync + 'static> Store<K> {
    /// An empty store with the namespace index.
    pub fn new() -> Self {
        let items = ThreadSafeStore::default();
        let mut indexers: Indexers<K> = HashMap::new();
        let ns: IndexFunc<K> = Arc::new(namespace_index_func::<K>);
        indexers.insert(NAMESPACE_INDEX.to_string(), ns);
        // A fresh store has no indexers, so this cannot conflict.
        let _ = items.add_indexers(indexers);
        Self {
            items: Arc::new(items),
        }
    }

    /// Inserts or replaces `obj`; returns the object it replaced.
    pub fn add(&self, obj: Arc<K>) -> Option<Arc<K>> {
        self.items.insert(object_key(&*obj), obj)
    }

    /// Same as [`Store::add`] (kept for client-go's vocabulary).
    pub fn update(&self, obj: Arc<K>) -> Option<Arc<K>> {
        self.add(obj)
    }

    /// Removes the object with `obj`'s key; returns what was stored.
    pub fn delete(&self, obj: &K) -> Option<Arc<K>> {
        self.items.remove(&object_key(obj))
    }

    /// Removes the object under `key`; returns it.
    pub fn delete_key(&self, key: &str) -> Option<Arc<K>> {
        self.items.remove(key)
    }

    /// The stored object with `obj`'s key.
    pub fn get(&self, obj: &K) -> Option<Arc<K>> {
        self.items.get(&object_key(obj))
    }

    /// The object under `key` (`namespace/name` or `name`).
    pub fn get_by_key(&self, key: &str) -> Option<Arc<K>> {
        self.items.get(key)
    }

    /// Every object (in no particular order).
    pub fn list(&self) -> Vec<Arc<K>> {
        self.items.list()
    }

    /// Every key (in no particular order).
    pub fn list_keys(&self) -> Vec<String> {
        self.items.list_keys()
    }

    /// How many objects are cached.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Replaces the whole content with `objects`.
    pub fn replace(&self, objects: impl IntoIterator<Item = Arc<K>>) {
        let items = objects.into_iter().map(|o| (object_key(&*o), o)).collect();
        self.items.replace(items);
    }

    /// Adds index functions; a name already in use is an error and adds nothing.
    pub fn add_indexers(&self, indexers: Indexers<K>) -> Result<(), IndexError> {
        self.items.add_indexers(indexers)
    }

    /// Objects sharing an index-`name` value with `obj`.
    pub fn index(&self, name: &str, obj: &K) -> Result<Vec<Arc<K>>, IndexError> {
        self.items.index(name, obj)
    }

    /// Keys of the objects whose index `name` includes `value`.
    pub fn index_keys(&self, name: &str, value: &str) -> Result<Vec<String>, IndexError> {
        self.items.index_keys(name, value)
    }

    /// Objects whose index `name` includes `value`.
    pub fn by_index(&self, name: &str, value: &str) -> Result<Vec<Arc<K>>, IndexError> {
        self.items.by_index(name, value)
    }

    /// Values index `name` currently has objects for.
    pub fn list_index_func_values(&self, name: &str) -> Result<Vec<String>, IndexError> {
        self.items.list_index_func_values(name)
    }

    /// Names of the store's indices.
    pub fn index_names(&self) -> Vec<String> {
        self.items.index_names()
    }
}

impl<K: Object + Send + Sync + 'static> KnownObjects<K> for Store<K> {
    fn list_keys(&self) -> Vec<String> {
        Store::list_keys(self)
    }

    fn get_by_key(&self, key: &str) -> Option<Arc<K>> {
        Store::get_by_key(self, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::index::index_func;
    use crate::cache::testing::{obj, TestObj};

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    fn names(v: Vec<Arc<TestObj>>) -> Vec<String> {
        sorted(v.iter().map(|o| object_key(&**o)).collect())
    }

    #[test]
    fn keys_and_split() {
        assert_eq!(object_key(&obj("ns", "a", "1")), "ns/a");
        assert_eq!(object_key(&obj("", "node1", "1")), "node1");
        assert_eq!(split_key("ns/a"), (Some("ns"), "a"));
        assert_eq!(split_key("node1"), (None, "node1"));
    }

    #[test]
    fn add_update_delete_keep_namespace_index() {
        let store = Store::new();
        store.add(Arc::new(obj("a", "x", "1")));
        store.add(Arc::new(obj("a", "y", "1")));
        store.add(Arc::new(obj("b", "x", "1")));
        assert_eq!(store.len(), 3);
        assert_eq!(
            names(store.by_index(NAMESPACE_INDEX, "a").unwrap()),
            ["a/x", "a/y"]
        );
        assert_eq!(
            sorted(store.list_index_func_values(NAMESPACE_INDEX).unwrap()),
            ["a", "b"]
        );
        let old = store.update(Arc::new(obj("a", "x", "2"))).unwrap();
        assert_eq!(old.metadata.resource_version.as_deref(), Some("1"));
        store.delete(&obj("a", "y", "9"));
        store.delete_key("b/x");
        assert_eq!(
            names(store.by_index(NAMESPACE_INDEX, "a").unwrap()),
            ["a/x"]
        );
        assert_eq!(
            store.list_index_func_values(NAMESPACE_INDEX).unwrap(),
            ["a"]
        );
        assert!(store.by_index(NAMESPACE_INDEX, "b").unwrap().is_empty());
        assert_eq!(
            store
                .get_by_key("a/x")
                .unwrap()
                .metadata
                .resource_version
                .as_deref(),
            Some("2")
        );
    }

    #[test]
    fn custom_indexers_follow_updates() {
        let store: Store<TestObj> = Store::new();
        store.add(Arc::new(obj("a", "before", "1").with_label("app", "web")));
        let mut indexers = Indexers::new();
        indexers.insert(
            "app".to_string(),
            index_func(|o: &TestObj| {
                o.metadata
                    .labels
                    .iter()
                    .flatten()
                    .filter(|(k, _)| *k == "app")
                    .map(|(_, v)| v.to_string())
                    .collect()
            }),
        );
        store.add_indexers(indexers.clone()).unwrap();
        assert_eq!(
            store.add_indexers(indexers),
            Err(IndexError::Conflict("app".into()))
        );
        assert_eq!(store.index_keys("app", "web").unwrap(), ["a/before"]);
        store.add(Arc::new(obj("a", "x", "1").with_label("app", "web")));
        store.add(Arc::new(obj("a", "before", "2").with_label("app", "db")));
        assert_eq!(store.index_keys("app", "web").unwrap(), ["a/x"]);
        assert_eq!(
            names(
                store
                    .index("app", &obj("z", "q", "1").with_label("app", "db"))
                    .unwrap()
            ),
            ["a/before"]
        );
        assert_eq!(
            sorted(store.list_index_func_values("app").unwrap()),
            ["db", "web"]
        );
        assert_eq!(
            store.by_index("nope", "x"),
            Err(IndexError::NotFound("nope".into()))
        );
    }

    #[test]
    fn replace_rebuilds_indices_and_shares_arcs() {
        let store = Store::new();
        store.add(Arc::new(obj("old", "x", "1")));
        let shared = Arc::new(obj("new", "y", "1"));
        store.replace(vec![shared.clone()]);
        assert!(store.by_index(NAMESPACE_INDEX, "old").unwrap().is_empty());
        let got = store.by_index(NAMESPACE_INDEX, "new").unwrap();
        assert!(Arc::ptr_eq(&got[0], &shared), "no deep copy");
    }
}
