//! `DynamicObject`: any Kubernetes object without a Rust type for its kind: typed
//! `metadata`, optional `apiVersion` + `kind`, and every other field as JSON.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::discovery::{ApiResource, GroupVersionKind};
use crate::meta::{Kind, Object, ObjectMeta, Resource, Scope};

/// `apiVersion` + `kind` of an object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeMeta {
    /// `group/version` (`v1` for the core group).
    pub api_version: String,
    /// The kind.
    pub kind: String,
}

impl TypeMeta {
    /// An object of that `apiVersion` and kind, with empty metadata.
    pub fn new(api_version: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            api_version: api_version.into(),
            kind: kind.into(),
        }
    }

    /// The `apiVersion` and `kind` of resource `resource`'s objects.
    pub fn of(resource: &ApiResource) -> Self {
        Self::new(resource.api_version(), &resource.kind)
    }
}

/// Why a [`DynamicObject`] did not convert to or from a typed object.
#[derive(Debug, thiserror::Error)]
pub enum ConversionError {
    /// The object's `apiVersion`/`kind` are not the target type's.
    #[error("object is {found}, not {expected}")]
    KindMismatch {
        /// The target type's `apiVersion` and kind.
        expected: String,
        /// The object's `apiVersion` and kind.
        found: String,
    },
    /// The JSON does not fit the target type (field and reason inside).
    #[error("object does not convert to {target}: {source}")]
    Serde {
        /// The target type's name.
        target: &'static str,
        #[source]
        /// The decoder's error.
        source: serde_json::Error,
    },
}

/// Any object: typed metadata, optional type information and the remaining fields (`spec`,
/// `status`, `data`, ...) as a JSON map, all flattened on the wire.
///
/// It implements the [`Object`] traits so the informer machinery works with it, but its
/// [`Kind`]/[`Resource`] constants are placeholders (`DynamicObject`/`dynamicobjects`):
/// reach the server through [`DynamicClient`](super::DynamicClient), which takes the
/// resource at run time, never through `ResourceClient<DynamicObject>`. Dynamic informers
/// name their resource (group, version, plural) in logs, not the placeholder.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DynamicObject {
    /// `apiVersion` + `kind`, when the object carries both (a lone one stays in `data`).
    #[serde(flatten)]
    pub types: Option<TypeMeta>,
    /// The object's metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Every other field.
    #[serde(flatten)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// The wire shape: metadata typed, everything else (type information included) as JSON.
#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    metadata: Option<ObjectMeta>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for DynamicObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Wire { metadata, mut rest } = Wire::deserialize(deserializer)?;
        let types = match (rest.get("apiVersion"), rest.get("kind")) {
            (Some(serde_json::Value::String(a)), Some(serde_json::Value::String(k))) => {
                let types = TypeMeta::new(a.clone(), k.clone());
                rest.remove("apiVersion");
                rest.remove("kind");
                Some(types)
            }
            _ => None,
        };
        Ok(Self {
            types,
            metadata: metadata.unwrap_or_default(),
            data: rest,
        })
    }
}

impl DynamicObject {
    /// A new object of `resource`'s kind called `name` (apiVersion and kind set).
    pub fn new(name: &str, resource: &ApiResource) -> Self {
        Self {
            types: Some(TypeMeta::of(resource)),
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..ObjectMeta::default()
            },
            data: serde_json::Map::new(),
        }
    }

    /// Sets the namespace (builder style).
    pub fn within(mut self, namespace: &str) -> Self {
        self.metadata.namespace = Some(namespace.into());
        self
    }

    /// Sets a top-level field (`spec`, `data`, ...) (builder style).
    pub fn with(mut self, field: &str, value: serde_json::Value) -> Self {
        self.data.insert(field.to_string(), value);
        self
    }

    /// `metadata.name`.
    pub fn name(&self) -> Option<&str> {
        self.metadata.name.as_deref()
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata.namespace.as_deref()
    }

    /// The group-version-kind the object says it is, if it carries type information.
    pub fn gvk(&self) -> Option<GroupVersionKind> {
        let t = self.types.as_ref()?;
        GroupVersionKind::from_api_version(&t.api_version, &t.kind)
    }

    /// The field at a JSON pointer below the top level (`/spec/replicas`).
    pub fn pointer(&self, pointer: &str) -> Option<&serde_json::Value> {
        let rest = pointer.strip_prefix('/')?;
        let (first, tail) = match rest.split_once('/') {
            Some((f, t)) => (f, Some(t)),
            None => (rest, None),
        };
        let value = self.data.get(first)?;
        match tail {
            None => Some(value),
            Some(t) => value.pointer(&format!("/{t}")),
        }
    }

    /// Converts into the generated type `K`, checking `apiVersion`/`kind` when present.
    pub fn try_parse<K: Kind + DeserializeOwned>(&self) -> Result<K, ConversionError> {
        if let Some(t) = &self.types {
            if t.api_version != K::API_VERSION || t.kind != K::KIND {
                return Err(ConversionError::KindMismatch {
                    expected: format!("{}/{}", K::API_VERSION, K::KIND),
                    found: format!("{}/{}", t.api_version, t.kind),
                });
            }
        }
        let serde_error = |source| ConversionError::Serde {
            target: std::any::type_name::<K>(),
            source,
        };
        let value = serde_json::to_value(self).map_err(serde_error)?;
        serde_json::from_value(value).map_err(serde_error)
    }

    /// Converts a generated object (its `apiVersion` and `kind` always set).
    pub fn from_typed<K: Kind + Serialize>(object: &K) -> Result<Self, ConversionError> {
        let serde_error = |source| ConversionError::Serde {
            target: "DynamicObject",
            source,
        };
        let value = serde_json::to_value(object).map_err(serde_error)?;
        let mut dynamic: DynamicObject = serde_json::from_value(value).map_err(serde_error)?;
        dynamic.types = Some(TypeMeta::new(K::API_VERSION, K::KIND));
        Ok(dynamic)
    }
}

impl Kind for DynamicObject {
    const GROUP: &'static str = "";
    const VERSION: &'static str = "";
    const KIND: &'static str = "DynamicObject";
    const API_VERSION: &'static str = "";
}

impl Resource for DynamicObject {
    const PLURAL: &'static str = "dynamicobjects";
    const SCOPE: Scope = Scope::Namespaced;
    const LIST_KIND: &'static str = "DynamicObjectList";
}

impl Object for DynamicObject {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct ConfigMap {
        #[serde(rename = "apiVersion", default)]
        api_version: String,
        #[serde(default)]
        kind: String,
        metadata: ObjectMeta,
        #[serde(default)]
        data: std::collections::BTreeMap<String, String>,
    }
    impl Kind for ConfigMap {
        const GROUP: &'static str = "";
        const VERSION: &'static str = "v1";
        const KIND: &'static str = "ConfigMap";
        const API_VERSION: &'static str = "v1";
    }

    #[test]
    fn round_trips_the_wire_shape() {
        let wire = json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "namespace": "ns", "resourceVersion": "7"},
            "spec": {"size": 3}, "status": {"ready": true}
        });
        let obj: DynamicObject = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(obj.types, Some(TypeMeta::new("example.com/v1", "Widget")));
        assert_eq!(obj.name(), Some("w"));
        assert_eq!(obj.metadata.resource_version.as_deref(), Some("7"));
        assert_eq!(
            obj.data.len(),
            2,
            "apiVersion/kind/metadata are not in data"
        );
        assert_eq!(obj.pointer("/spec/size"), Some(&json!(3)));
        assert_eq!(obj.pointer("/status"), Some(&json!({"ready": true})));
        assert_eq!(serde_json::to_value(&obj).unwrap(), wire);
        assert_eq!(
            obj.gvk(),
            Some(GroupVersionKind::new("example.com", "v1", "Widget"))
        );

        let untyped: DynamicObject =
            serde_json::from_value(json!({"metadata": {"name": "x"}, "spec": {}})).unwrap();
        assert_eq!(untyped.types, None);
        assert_eq!(
            serde_json::to_value(&untyped).unwrap(),
            json!({"metadata": {"name": "x"}, "spec": {}})
        );
    }

    #[test]
    fn keeps_managed_fields_and_partial_type_information() {
        let wire = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"managedFields":[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:k":{}}},"manager":"m","operation":"Apply"}],"name":"c"},"data":{"k":"v"}}"#;
        let obj: DynamicObject = serde_json::from_str(wire).unwrap();
        assert_eq!(serde_json::to_string(&obj).unwrap(), wire);
        let fields = obj.metadata.managed_fields.as_ref().unwrap()[0]
            .fields_v1
            .as_ref()
            .unwrap();
        assert_eq!(fields.to_json(), r#"{"f:data":{"f:k":{}}}"#);

        // A `kind` without `apiVersion` is no TypeMeta, but is not lost either.
        let obj: DynamicObject =
            serde_json::from_value(json!({"kind": "Widget", "metadata": {}})).unwrap();
        assert_eq!(obj.types, None);
        assert_eq!(obj.data.get("kind"), Some(&json!("Widget")));
    }

    #[test]
    fn converts_to_and_from_typed() {
        let cm = ConfigMap {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            metadata: ObjectMeta {
                name: Some("c".into()),
                ..ObjectMeta::default()
            },
            data: [("k".to_string(), "v".to_string())].into(),
        };
        let dynamic = DynamicObject::from_typed(&cm).unwrap();
        assert_eq!(dynamic.types, Some(TypeMeta::new("v1", "ConfigMap")));
        assert_eq!(dynamic.pointer("/data/k"), Some(&json!("v")));
        assert_eq!(dynamic.try_parse::<ConfigMap>().unwrap(), cm);

        let wrong = DynamicObject {
            types: Some(TypeMeta::new("apps/v1", "Deployment")),
            ..DynamicObject::default()
        };
        assert!(matches!(
            wrong.try_parse::<ConfigMap>(),
            Err(ConversionError::KindMismatch { .. })
        ));
        let bad = dynamic.clone().with("data", json!(["not", "a", "map"]));
        assert!(matches!(
            bad.try_parse::<ConfigMap>(),
            Err(ConversionError::Serde { .. })
        ));
    }
}
