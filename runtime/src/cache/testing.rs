//! Test helpers shared by the cache's unit tests: a tiny object kind.

use std::collections::BTreeMap;

use crate::meta::{Kind, Object, ObjectMeta, Resource, Scope};

/// A minimal namespaced kind for tests.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct TestObj {
    pub metadata: ObjectMeta,
    pub data: u64,
}

impl Kind for TestObj {
    const GROUP: &'static str = "test.kubegen.io";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "TestObj";
    const API_VERSION: &'static str = "test.kubegen.io/v1";
}

impl Resource for TestObj {
    const PLURAL: &'static str = "testobjs";
    const SCOPE: Scope = Scope::Namespaced;
    const LIST_KIND: &'static str = "TestObjList";
}

impl Object for TestObj {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// An object `ns/name` at resource version `rv` (empty `ns`: cluster-scoped key).
pub(crate) fn obj(ns: &str, name: &str, rv: &str) -> TestObj {
    TestObj {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: (!ns.is_empty()).then(|| ns.to_string()),
            resource_version: Some(rv.to_string()),
            ..ObjectMeta::default()
        },
        data: 0,
    }
}

impl TestObj {
    pub(crate) fn with_label(mut self, key: &str, value: &str) -> Self {
        self.metadata
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(key.to_string(), value.to_string());
        self
    }
}
