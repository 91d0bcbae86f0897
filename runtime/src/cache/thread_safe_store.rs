//! The synchronized map behind every store: key → `Arc<K>`, plus its indices.
//!
//! Contract (client-go's `thread_safe_store.go`): every operation takes the key explicitly and
//! is atomic with respect to the others; indices are updated under the same lock as the items,
//! so a reader never sees an object that its indices disagree with. Objects are kept as
//! `Arc<K>` and handed out as clones of the `Arc` — never deep copies — so they must be treated
//! as read-only.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::index::{Indexers, StoreIndex};

/// Errors of index queries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// No object under the key.
    #[error("index {0:?} does not exist")]
    NotFound(String),
    /// An index function failed, or a key maps to two objects.
    #[error("indexer {0:?} already exists")]
    Conflict(String),
}

/// A synchronized `key → Arc<K>` map with secondary indices.
pub struct ThreadSafeStore<K> {
    inner: RwLock<Inner<K>>,
}

struct Inner<K> {
    items: HashMap<String, Arc<K>>,
    index: StoreIndex<K>,
}

impl<K> Default for ThreadSafeStore<K> {
    fn default() -> Self {
        Self {
            inner: RwLock::new(Inner {
                items: HashMap::new(),
                index: StoreIndex::default(),
            }),
        }
    }
}

impl<K> ThreadSafeStore<K> {
    fn read(&self) -> RwLockReadGuard<'_, Inner<K>> {
        // Writers finish every mutation before they can panic in user index functions only
        // between whole-item updates, so the map stays usable after a poisoning panic.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<K>> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Inserts or replaces the object under `key`; returns the object it replaced.
    pub fn insert(&self, key: String, obj: Arc<K>) -> Option<Arc<K>> {
        let mut inner = self.write();
        let old = inner.items.get(&key).cloned();
        inner.index.update(&key, old.as_deref(), Some(&obj));
        inner.items.insert(key, obj);
        old
    }

    /// Removes the object under `key`; returns it.
    pub fn remove(&self, key: &str) -> Option<Arc<K>> {
        let mut inner = self.write();
        let old = inner.items.remove(key)?;
        inner.index.update(key, Some(&old), None);
        Some(old)
    }

    /// The object under `key`.
    pub fn get(&self, key: &str) -> Option<Arc<K>> {
        self.read().items.get(key).cloned()
    }

    /// Every object (in no particular order).
    pub fn list(&self) -> Vec<Arc<K>> {
        self.read().items.values().cloned().collect()
    }

    /// Every key (in no particular order).
    pub fn list_keys(&self) -> Vec<String> {
        self.read().items.keys().cloned().collect()
    }

    /// How many objects are stored.
    pub fn len(&self) -> usize {
        self.read().items.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the whole content and rebuilds the indices.
    pub fn replace(&self, items: HashMap<String, Arc<K>>) {
        let mut inner = self.write();
        inner.index.clear();
        for (key, obj) in &items {
            inner.index.update(key, None, Some(obj));
        }
        inner.items = items;
    }

    /// Adds index functions (and indexes the current objects with them).
    pub fn add_indexers(&self, indexers: Indexers<K>) -> Result<(), IndexError> {
        let mut inner = self.write();
        let Inner { items, index } = &mut *inner;
        index
            .add_indexers(indexers, items.iter())
            .map_err(IndexError::Conflict)
    }

    /// Names of the indices.
    pub fn index_names(&self) -> Vec<String> {
        self.read().index.names().cloned().collect()
    }

    /// Objects sharing at least one value of index `name` with `obj`.
    pub fn index(&self, name: &str, obj: &K) -> Result<Vec<Arc<K>>, IndexError> {
        let inner = self.read();
        let func = inner
            .index
            .indexer(name)
            .ok_or_else(|| IndexError::NotFound(name.to_string()))?;
        let values = func(obj);
        let Some(index) = inner.index.index(name) else {
            return Ok(Vec::new());
        };
        let keys: HashSet<&String> = values
            .iter()
            .filter_map(|v| index.get(v))
            .flatten()
            .collect();
        Ok(keys
            .into_iter()
            .filter_map(|k| inner.items.get(k).cloned())
            .collect())
    }

    /// Keys of the objects whose index `name` includes `value`.
    pub fn index_keys(&self, name: &str, value: &str) -> Result<Vec<String>, IndexError> {
        let inner = self.read();
        Self::check_index(&inner, name)?;
        Ok(inner
            .index
            .index(name)
            .and_then(|index| index.get(value))
            .map(|keys| keys.iter().cloned().collect())
            .unwrap_or_default())
    }

    /// Objects whose index `name` includes `value`.
    pub fn by_index(&self, name: &str, value: &str) -> Result<Vec<Arc<K>>, IndexError> {
        let inner = self.read();
        Self::check_index(&inner, name)?;
        Ok(inner
            .index
            .index(name)
            .and_then(|index| index.get(value))
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| inner.items.get(k).cloned())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Every value index `name` currently has objects for.
    pub fn list_index_func_values(&self, name: &str) -> Result<Vec<String>, IndexError> {
        let inner = self.read();
        Self::check_index(&inner, name)?;
        Ok(inner
            .index
            .index(name)
            .map(|index| index.keys().cloned().collect())
            .unwrap_or_default())
    }

    fn check_index(inner: &Inner<K>, name: &str) -> Result<(), IndexError> {
        match inner.index.indexer(name) {
            Some(_) => Ok(()),
            None => Err(IndexError::NotFound(name.to_string())),
        }
    }
}
