//! The OpenAPI schemas of built-in kinds, read from the served documents, for what depends
//! on them: the patch strategy and merge key of lists (strategic merge patch).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

use crate::catalog::{Catalog, ResourceDef};

/// The `components.schemas` of one OpenAPI v3 document.
pub(crate) struct Schemas {
    components: Map<String, Value>,
}

/// One schema within [`Schemas`], `$ref`s followed.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a> {
    schemas: &'a Schemas,
    schema: &'a Value,
}

impl Schemas {
    /// Parses a document; `None` when it has no schemas.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        let mut doc: Value = serde_json::from_slice(bytes).ok()?;
        let components = doc
            .pointer_mut("/components/schemas")?
            .as_object_mut()
            .map(std::mem::take)?;
        Some(Self { components })
    }

    /// The schema of `group/version` `kind` (by `x-kubernetes-group-version-kind`).
    pub(crate) fn of_kind(&self, group: &str, version: &str, kind: &str) -> Option<Node<'_>> {
        let schema = self.components.values().find(|s| {
            s["x-kubernetes-group-version-kind"]
                .as_array()
                .is_some_and(|gvks| {
                    gvks.iter().any(|g| {
                        g["group"] == group && g["version"] == version && g["kind"] == kind
                    })
                })
        })?;
        Some(Node {
            schemas: self,
            schema,
        })
    }

    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        // `$ref`, directly or as the single member of an `allOf` (how v3 documents wrap a
        // reference that carries a description or default); a bounded walk.
        for _ in 0..8 {
            let reference = schema["$ref"].as_str().or_else(|| {
                schema["allOf"]
                    .as_array()
                    .filter(|a| a.len() == 1)
                    .and_then(|a| a[0]["$ref"].as_str())
            });
            let Some(name) = reference.and_then(|r| r.strip_prefix("#/components/schemas/")) else {
                return schema;
            };
            match self.components.get(name) {
                Some(next) => schema = next,
                None => return schema,
            }
        }
        schema
    }
}

impl<'a> Node<'a> {
    /// The schema of property `name`, as written on the property (its own extensions kept).
    pub(crate) fn property(&self, name: &str) -> Option<Node<'a>> {
        let resolved = self.schemas.resolve(self.schema);
        let schema = resolved["properties"].get(name)?;
        Some(Node {
            schemas: self.schemas,
            schema,
        })
    }

    /// The schema of a list's items.
    pub(crate) fn items(&self) -> Option<Node<'a>> {
        let schema = self.schema.get("items")?;
        Some(Node {
            schemas: self.schemas,
            schema,
        })
    }

    /// Whether a strategic merge patch merges this list rather than replacing it.
    pub(crate) fn merges(&self) -> bool {
        self.schema["x-kubernetes-patch-strategy"]
            .as_str()
            .is_some_and(|s| s.split(',').any(|p| p == "merge"))
    }

    /// The key list items are merged by (`None` for a list of primitives).
    pub(crate) fn merge_key(&self) -> Option<&'a str> {
        self.schema["x-kubernetes-patch-merge-key"].as_str()
    }
}

/// Removes the empty maps and lists of optional fields from `obj`, as a real server's Go
/// types drop them (`omitempty`) when decoding a request: they are neither stored nor owned.
/// Structs, required fields and fields the schema does not describe are kept.
pub(crate) fn drop_empty(obj: &mut Value, schema: Node<'_>) {
    let resolved = schema.schemas.resolve(schema.schema);
    let Value::Object(map) = obj else { return };
    let required: Vec<&str> = resolved["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    map.retain(|k, v| {
        let Some(child) = schema.property(k) else {
            return true;
        };
        if required.contains(&k.as_str()) {
            return true;
        }
        let child_schema = child.schemas.resolve(child.schema);
        let is_map = child_schema.get("additionalProperties").is_some()
            && child_schema.get("properties").is_none();
        let is_list = child_schema["type"] == "array";
        !(is_map && v.as_object().is_some_and(|m| m.is_empty())
            || is_list && v.as_array().is_some_and(|a| a.is_empty()))
    });
    for (k, v) in map.iter_mut() {
        let Some(child) = schema.property(k) else {
            continue;
        };
        match v {
            Value::Object(_) => drop_empty(v, child),
            Value::Array(items) => {
                if let Some(item) = child.items() {
                    for i in items.iter_mut() {
                        drop_empty(i, item);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The parsed schemas of the document serving `res` (parsed once per document).
pub(crate) fn for_resource(catalog: &Catalog, res: &ResourceDef) -> Option<Arc<Schemas>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Schemas>>>>> = OnceLock::new();
    let path = if res.group.is_empty() {
        format!("api/{}", res.version)
    } else {
        format!("apis/{}/{}", res.group, res.version)
    };
    let doc = catalog.docs.iter().find(|d| d.path == path)?;
    let cache = CACHE.get_or_init(Mutex::default);
    let key = format!("{}#{}", doc.file, doc.path);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| Schemas::parse(&doc.bytes).map(Arc::new))
        .clone()
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;

    pub(crate) fn sample() -> Schemas {
        let doc = json!({"components": {"schemas": {
            "Deployment": {"x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
                "properties": {"spec": {"allOf": [{"$ref": "#/components/schemas/PodSpec"}]}}},
            "PodSpec": {"properties": {
                "containers": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Container"}]},
                    "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
                "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
                "args": {"type": "array", "items": {"type": "string"}}}},
            "Container": {"properties": {"env": {"type": "array", "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge,retainKeys"}}}
        }}});
        Schemas::parse(doc.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn drops_empty_optional_maps_and_lists_only() {
        let doc = json!({"components": {"schemas": {
            "ConfigMap": {"x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "ConfigMap"}],
                "properties": {
                    "data": {"type": "object", "additionalProperties": {"type": "string"}},
                    "metadata": {"allOf": [{"$ref": "#/components/schemas/ObjectMeta"}]},
                    "spec": {"allOf": [{"$ref": "#/components/schemas/Spec"}]},
                    "must": {"type": "array"}},
                "required": ["must"]},
            "ObjectMeta": {"properties": {
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "finalizers": {"type": "array", "items": {"type": "string"}}}},
            "Spec": {"properties": {"resources": {"type": "object", "properties": {"limits": {}}}}}
        }}});
        let s = Schemas::parse(doc.to_string().as_bytes()).unwrap();
        let mut obj = json!({"data": {}, "must": [], "unknown": {},
            "metadata": {"name": "x", "labels": {}, "finalizers": []},
            "spec": {"resources": {}}});
        drop_empty(&mut obj, s.of_kind("", "v1", "ConfigMap").unwrap());
        assert_eq!(
            obj,
            json!({"must": [], "unknown": {}, "metadata": {"name": "x"}, "spec": {"resources": {}}})
        );
    }

    #[test]
    fn follows_references_to_merge_keys() {
        let s = sample();
        let d = s.of_kind("apps", "v1", "Deployment").unwrap();
        let containers = d.property("spec").unwrap().property("containers").unwrap();
        assert!(containers.merges());
        assert_eq!(containers.merge_key(), Some("name"));
        let env = containers.items().unwrap().property("env").unwrap();
        assert!(env.merges());
        let spec = d.property("spec").unwrap();
        assert!(spec.property("finalizers").unwrap().merges());
        assert!(!spec.property("args").unwrap().merges());
        assert!(s.of_kind("apps", "v1", "StatefulSet").is_none());
    }
}
