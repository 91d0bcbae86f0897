//! Secondary indices over a store: index functions and the maps they maintain.
//!
//! Contract (client-go's `index.go` + `storeIndex`): an [`IndexFunc`] maps an object to zero
//! or more *index values* (its namespace, the ConfigMaps it mounts, …); for each named index
//! the store keeps `index value → set of object keys`, updated on every add, update and delete,
//! so `by_index("namespace", "default")` is a map lookup instead of a scan. Index values of an
//! object are recomputed only from the object itself, so index functions must be pure.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::meta::Object;

/// Computes the index values of an object for one index.
pub type IndexFunc<K> = Arc<dyn Fn(&K) -> Vec<String> + Send + Sync>;

/// Named index functions, as given to `add_indexers`.
pub type Indexers<K> = HashMap<String, IndexFunc<K>>;

/// Name of the built-in index every informer store has: objects by namespace.
pub const NAMESPACE_INDEX: &str = "namespace";

/// Indexes an object by its namespace (empty for cluster-scoped objects).
pub fn namespace_index_func<K: Object>(obj: &K) -> Vec<String> {
    vec![obj
        .metadata()
        .namespace
        .as_deref()
        .unwrap_or_default()
        .to_owned()]
}

/// Wraps a closure as an [`IndexFunc`].
pub fn index_func<K>(f: impl Fn(&K) -> Vec<String> + Send + Sync + 'static) -> IndexFunc<K> {
    Arc::new(f)
}

/// One index: index value → keys of the objects that have it.
type Index = HashMap<String, HashSet<String>>;

/// The index functions of a store and the indices they maintain (not synchronized itself).
pub(crate) struct StoreIndex<K> {
    indexers: Indexers<K>,
    indices: HashMap<String, Index>,
}

impl<K> Default for StoreIndex<K> {
    fn default() -> Self {
        Self {
            indexers: HashMap::new(),
            indices: HashMap::new(),
        }
    }
}

impl<K> StoreIndex<K> {
    /// Adds index functions; a name already in use is an error (nothing is added then).
    /// `existing` objects are indexed right away.
    pub(crate) fn add_indexers<'a>(
        &mut self,
        new: Indexers<K>,
        existing: impl Iterator<Item = (&'a String, &'a Arc<K>)> + Clone,
    ) -> Result<(), String>
    where
        K: 'a,
    {
        if let Some(name) = new.keys().find(|n| self.indexers.contains_key(*n)) {
            return Err(name.clone());
        }
        for (name, func) in new {
            let mut index = Index::new();
            for (key, obj) in existing.clone() {
                for value in func(obj) {
                    index.entry(value).or_default().insert(key.clone());
                }
            }
            self.indices.insert(name.clone(), index);
            self.indexers.insert(name, func);
        }
        Ok(())
    }

    /// Moves `key` from `old`'s index values to `new`'s in every index.
    pub(crate) fn update(&mut self, key: &str, old: Option<&K>, new: Option<&K>) {
        for (name, func) in &self.indexers {
            let old_values = old.map(|o| func(o)).unwrap_or_default();
            let new_values = new.map(|n| func(n)).unwrap_or_default();
            if old_values == new_values {
                continue;
            }
            let index = self.indices.entry(name.clone()).or_default();
            for value in &old_values {
                if let Some(keys) = index.get_mut(value) {
                    keys.remove(key);
                    if keys.is_empty() {
                        index.remove(value);
                    }
                }
            }
            for value in new_values {
                index.entry(value).or_default().insert(key.to_string());
            }
        }
    }

    /// Drops every indexed key (the index functions stay).
    pub(crate) fn clear(&mut self) {
        for index in self.indices.values_mut() {
            index.clear();
        }
    }

    pub(crate) fn indexer(&self, name: &str) -> Option<&IndexFunc<K>> {
        self.indexers.get(name)
    }

    pub(crate) fn index(&self, name: &str) -> Option<&Index> {
        self.indices.get(name)
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &String> {
        self.indexers.keys()
    }
}
