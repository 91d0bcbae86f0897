//! Unknown fields and defaults from an object's schema: a CRD's structural schema, or a
//! built-in's OpenAPI v3 component schema (with `$ref`s into its document).
//!
//! As the real server: unknown fields are dropped (built-ins decode into Go structs, custom
//! resources are pruned) and reported for `fieldValidation`; custom resources get their
//! schema's defaults.

use serde_json::{Map, Value};

/// The fields of `ObjectMeta`: what `metadata` of a custom resource may hold.
const OBJECT_META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// A schema and the `components.schemas` its `$ref`s point into (none for CRD schemas).
#[derive(Clone, Copy)]
pub(crate) struct Schema<'a> {
    root: &'a Value,
    components: Option<&'a Map<String, Value>>,
}

impl<'a> Schema<'a> {
    /// A CRD's `openAPIV3Schema`.
    pub(crate) fn structural(root: &'a Value) -> Self {
        Self {
            root,
            components: None,
        }
    }

    /// The component `name` of an OpenAPI document's `components.schemas`.
    pub(crate) fn component(components: &'a Map<String, Value>, name: &str) -> Option<Self> {
        components.get(name).map(|root| Self {
            root,
            components: Some(components),
        })
    }

    fn at(self, v: &'a Value) -> Self {
        Self { root: v, ..self }
    }

    /// Follows `$ref` and single-element `allOf` wrappers (how v3 documents attach a
    /// description or default to a reference).
    fn resolved(self) -> Self {
        let mut cur = self;
        for _ in 0..32 {
            if let Some(r) = cur.root.get("$ref").and_then(Value::as_str) {
                let name = r.rsplit('/').next().unwrap_or(r);
                match cur.components.and_then(|c| c.get(name)) {
                    Some(s) => cur = cur.at(s),
                    None => return cur,
                }
                continue;
            }
            match cur.root.get("allOf").and_then(Value::as_array) {
                Some(all) if all.len() == 1 && cur.root.get("properties").is_none() => {
                    cur = cur.at(&all[0]);
                }
                _ => return cur,
            }
        }
        cur
    }

    fn flag(self, name: &str) -> bool {
        self.root.get(name).and_then(Value::as_bool) == Some(true)
    }

    fn properties(self) -> Option<&'a Map<String, Value>> {
        self.root.get("properties").and_then(Value::as_object)
    }

    fn property(self, key: &str) -> Option<Self> {
        self.properties()
            .and_then(|p| p.get(key))
            .map(|s| self.at(s).resolved())
    }

    /// The schema of a map's values: `None` when any key is allowed without one.
    fn additional(self) -> Option<Self> {
        self.root
            .get("additionalProperties")
            .filter(|a| a.is_object())
            .map(|a| self.at(a).resolved())
    }

    /// Whether keys that are not properties are kept.
    fn keeps_unknown(self) -> bool {
        self.flag("x-kubernetes-preserve-unknown-fields")
            || self.root.get("additionalProperties").is_some()
            // No properties at all: a free-form object (RawExtension and the like).
            || self.properties().is_none()
    }
}

/// Drops the fields `schema` does not know from `obj` (the whole object, `metadata`
/// included) and returns their paths (`spec.items[0].x`), sorted as the real server
/// reports them.
pub(crate) fn prune(obj: &mut Value, schema: Schema<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let schema = schema.resolved();
    if let Value::Object(map) = obj {
        let custom = schema.components.is_none();
        map.retain(|k, v| {
            let known = schema.property(k);
            match (k.as_str(), known) {
                ("apiVersion" | "kind", _) => true,
                // Whatever the CRD's schema says of it, `metadata` is an ObjectMeta.
                ("metadata", _) if custom => {
                    prune_metadata(v, &mut out);
                    true
                }
                (_, Some(s)) => {
                    walk(v, s, k, &mut out);
                    true
                }
                (_, None) if schema.keeps_unknown() => true,
                (_, None) => {
                    out.push(k.clone());
                    false
                }
            }
        });
    }
    out.sort();
    out
}

/// A custom resource's `metadata`: only `ObjectMeta`'s fields are kept.
fn prune_metadata(meta: &mut Value, out: &mut Vec<String>) {
    if let Value::Object(m) = meta {
        m.retain(|k, _| {
            let known = OBJECT_META_FIELDS.contains(&k.as_str());
            if !known {
                out.push(format!("metadata.{k}"));
            }
            known
        });
    }
}

fn walk(v: &mut Value, schema: Schema<'_>, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let embedded = schema.flag("x-kubernetes-embedded-resource");
            let additional = schema.additional();
            map.retain(|k, child| {
                let child_path = format!("{path}.{k}");
                if let Some(s) = schema.property(k) {
                    walk(child, s, &child_path, out);
                    return true;
                }
                if let Some(s) = additional {
                    walk(child, s, &child_path, out);
                    return true;
                }
                if schema.keeps_unknown()
                    || (embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
                {
                    return true;
                }
                out.push(child_path);
                false
            });
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.root.get("items").map(|i| schema.at(i).resolved()) {
                for (i, item) in items.iter_mut().enumerate() {
                    walk(item, item_schema, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// Applies a structural schema's defaults to a custom resource: a missing property with
/// a `default` gets it, and a `null` in a property that is not `nullable` is dropped first
/// (and defaulted). Defaults are applied inside defaults too.
pub(crate) fn apply_defaults(obj: &mut Value, schema: Schema<'_>) {
    let schema = schema.resolved();
    match obj {
        Value::Object(map) => {
            if let Some(props) = schema.properties() {
                for (k, prop) in props {
                    // metadata defaults are only allowed for name/generateName; leave them.
                    if schema.components.is_none() && k == "metadata" && map.contains_key(k) {
                        continue;
                    }
                    let prop = schema.at(prop).resolved();
                    let nullable = prop.flag("nullable");
                    if map.get(k).is_some_and(Value::is_null) && !nullable {
                        map.remove(k);
                    }
                    if !map.contains_key(k) {
                        if let Some(d) = prop.root.get("default") {
                            map.insert(k.clone(), d.clone());
                        }
                    }
                    if let Some(child) = map.get_mut(k) {
                        apply_defaults(child, prop);
                    }
                }
            }
            if let Some(add) = schema.additional() {
                for child in map.values_mut() {
                    apply_defaults(child, add);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.root.get("items").map(|i| schema.at(i).resolved()) {
                for item in items {
                    apply_defaults(item, item_schema);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd_schema() -> Value {
        json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "version": {"type": "string", "default": "16"},
                "opts": {"type": "object", "default": {}, "properties": {
                    "mode": {"type": "string", "default": "fast"}}},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "weight": {"type": "integer", "default": 1}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                    "properties": {"known": {"type": "string", "default": "k"}}},
                "nul": {"type": "string", "default": "d"},
                "keep": {"type": "string", "nullable": true, "default": "x"}}},
            "status": {"type": "object"}}})
    }

    #[test]
    fn prunes_unknown_fields_and_reports_their_paths() {
        let mut schema = crd_schema();
        schema["properties"]["metadata"] = json!({"type": "object"});
        let mut obj = json!({"apiVersion": "g/v1", "kind": "K",
            "metadata": {"name": "a", "junk": 1},
            "spec": {"bogus": 1, "items": [{"name": "a", "x": 2}], "labels": {"q": "r"},
                "free": {"any": {"deep": 1}}},
            "top": 1});
        let unknown = prune(&mut obj, Schema::structural(&schema));
        assert_eq!(
            unknown,
            ["metadata.junk", "spec.bogus", "spec.items[0].x", "top"]
        );
        assert_eq!(
            obj,
            json!({"apiVersion": "g/v1", "kind": "K", "metadata": {"name": "a"},
                "spec": {"items": [{"name": "a"}], "labels": {"q": "r"},
                    "free": {"any": {"deep": 1}}}})
        );
    }

    #[test]
    fn applies_defaults_inside_defaults_and_replaces_nulls() {
        let schema = crd_schema();
        let mut obj = json!({"spec": {"items": [{"name": "a"}, {"weight": 5}], "free": {},
            "nul": null, "keep": null}});
        apply_defaults(&mut obj, Schema::structural(&schema));
        assert_eq!(
            obj["spec"],
            json!({"version": "16", "opts": {"mode": "fast"},
                "items": [{"name": "a", "weight": 1}, {"weight": 5}],
                "free": {"known": "k"}, "nul": "d", "keep": null})
        );
    }

    #[test]
    fn follows_refs_of_an_openapi_document() {
        let components = json!({
            "ConfigMap": {"type": "object", "properties": {
                "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                "metadata": {"allOf": [{"$ref": "#/components/schemas/ObjectMeta"}], "default": {}},
                "data": {"type": "object", "additionalProperties": {"type": "string"}},
                "raw": {"$ref": "#/components/schemas/RawExtension"}}},
            "ObjectMeta": {"type": "object", "properties": {"name": {"type": "string"}}},
            "RawExtension": {"type": "object"}});
        let components = components.as_object().unwrap();
        let schema = Schema::component(components, "ConfigMap").unwrap();
        let mut obj = json!({"kind": "ConfigMap", "metadata": {"name": "a", "bogus": 1},
            "data": {"k": "v"}, "raw": {"x": 1}, "zz": 2});
        assert_eq!(prune(&mut obj, schema), ["metadata.bogus", "zz"]);
        assert_eq!(obj["raw"], json!({"x": 1}));
    }
}
