//! Listers: typed reads of an informer's cache, for controllers.
//!
//! Contract (client-go's `listers.ResourceIndexer[T]`): a [`Lister`] reads the store only —
//! never the network — so its answers are as fresh as the informer and cost no requests. List
//! calls filter by a label [`Selector`]; namespace-scoped lists go through the namespace index
//! instead of scanning every object. Results are the cache's shared `Arc`s, in no particular
//! order. The generator emits thin typed wrappers (`PodLister`, `lister.pods("ns")`) over this.

use std::fmt;
use std::sync::Arc;

use super::index::NAMESPACE_INDEX;
use super::store::Store;
use crate::meta::labels::Selector;
use crate::meta::Object;

/// Reads objects of one resource from an informer's cache.
pub struct Lister<K> {
    store: Store<K>,
}

impl<K> Clone for Lister<K> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
        }
    }
}

impl<K> fmt::Debug for Lister<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lister")
            .field("store", &self.store)
            .finish()
    }
}

impl<K: Object + Send + Sync + 'static> Lister<K> {
    /// A lister over `store`.
    pub fn new(store: Store<K>) -> Self {
        Self { store }
    }

    /// Every cached object matching `selector` (all namespaces).
    pub fn list(&self, selector: &Selector) -> Vec<Arc<K>> {
        let mut all = self.store.list();
        if !selector.is_everything() {
            all.retain(|o| selector.matches_opt(o.metadata().labels.as_ref()));
        }
        all
    }

    /// The cluster-scoped object `name` (or an object by its full `namespace/name` key).
    pub fn get(&self, name: &str) -> Option<Arc<K>> {
        self.store.get_by_key(name)
    }

    /// A lister for one namespace.
    pub fn namespace(&self, namespace: &str) -> NamespaceLister<K> {
        NamespaceLister {
            store: self.store.clone(),
            namespace: namespace.to_string(),
        }
    }

    /// The underlying store (for index queries).
    pub fn store(&self) -> &Store<K> {
        &self.store
    }
}

/// Reads the objects of one namespace from an informer's cache.
pub struct NamespaceLister<K> {
    store: Store<K>,
    namespace: String,
}

impl<K> fmt::Debug for NamespaceLister<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamespaceLister")
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl<K: Object + Send + Sync + 'static> NamespaceLister<K> {
    /// Objects of this namespace matching `selector`, through the namespace index.
    pub fn list(&self, selector: &Selector) -> Vec<Arc<K>> {
        let mut objects = match self.store.by_index(NAMESPACE_INDEX, &self.namespace) {
            Ok(objects) => objects,
            // Every store has the namespace index; should it be missing, scan instead.
            Err(_) => self
                .store
                .list()
                .into_iter()
                .filter(|o| o.metadata().namespace.as_deref().unwrap_or_default() == self.namespace)
                .collect(),
        };
        if !selector.is_everything() {
            objects.retain(|o| selector.matches_opt(o.metadata().labels.as_ref()));
        }
        objects
    }

    /// The object `name` in this namespace.
    pub fn get(&self, name: &str) -> Option<Arc<K>> {
        self.store
            .get_by_key(&format!("{}/{}", self.namespace, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::testing::obj;

    #[test]
    fn lists_by_selector_and_namespace() {
        let store = Store::new();
        store.add(Arc::new(obj("a", "web-1", "1").with_label("app", "web")));
        store.add(Arc::new(obj("a", "db-1", "1").with_label("app", "db")));
        store.add(Arc::new(obj("b", "web-2", "1").with_label("app", "web")));
        store.add(Arc::new(obj("", "node", "1")));
        let lister = Lister::new(store);
        let web = Selector::parse("app=web").unwrap();
        let mut names: Vec<_> = lister
            .list(&web)
            .iter()
            .map(|o| o.metadata.name.clone().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["web-1", "web-2"]);
        assert_eq!(lister.list(&Selector::everything()).len(), 4);
        assert_eq!(lister.namespace("a").list(&web).len(), 1);
        assert_eq!(lister.namespace("a").list(&Selector::everything()).len(), 2);
        assert!(lister.namespace("a").get("db-1").is_some());
        assert!(lister.namespace("b").get("db-1").is_none());
        assert!(lister.get("node").is_some());
        assert_eq!(
            lister.list(&Selector::parse("!app").unwrap())[0]
                .metadata
                .name
                .as_deref(),
            Some("node")
        );
    }
}
