//! A stored object: the JSON value and its bytes, encoded once.

use bytes::{BufMut, Bytes, BytesMut};
use serde_json::Value;

/// One object as stored: its value, and the same value serialized once so that lists and
/// watches copy bytes instead of re-encoding. `kind` and `apiVersion` are not part of
/// either: they depend on the version a client asks for and are spliced in when served.
#[derive(Debug)]
pub(crate) struct StoredObject {
    /// The object without `kind` and `apiVersion`.
    pub value: Value,
    /// `value` serialized; starts with `{`.
    pub body: Bytes,
    /// Its resourceVersion.
    pub rv: u64,
    /// Namespace ("" when cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl StoredObject {
    /// Encodes `value` (whose `kind`/`apiVersion` are removed) as stored at `rv`.
    pub(crate) fn new(mut value: Value, rv: u64) -> Self {
        if let Some(map) = value.as_object_mut() {
            map.remove("kind");
            map.remove("apiVersion");
        }
        let body = Bytes::from(serde_json::to_vec(&value).unwrap_or_else(|_| b"{}".to_vec()));
        let meta = value.get("metadata");
        let field = |f: &str| {
            meta.and_then(|m| m.get(f))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Self {
            namespace: field("namespace"),
            name: field("name"),
            value,
            body,
            rv,
        }
    }

    /// The labels of the object.
    pub(crate) fn labels(&self) -> Option<&serde_json::Map<String, Value>> {
        self.value.get("metadata")?.get("labels")?.as_object()
    }

    /// The uid of the object.
    pub(crate) fn uid(&self) -> &str {
        self.value
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The value with `kind` and `apiVersion` put back.
    pub(crate) fn to_value(&self, kind: &str, api_version: &str) -> Value {
        let mut v = self.value.clone();
        if let Some(map) = v.as_object_mut() {
            map.insert("kind".into(), Value::String(kind.into()));
            map.insert("apiVersion".into(), Value::String(api_version.into()));
        }
        v
    }

    /// Writes `{"kind":..,"apiVersion":..,<body>}` into `out`.
    pub(crate) fn write_with_type(&self, prefix: &[u8], out: &mut BytesMut) {
        out.put_slice(prefix);
        let rest = &self.body[1..];
        if rest.first() != Some(&b'}') {
            out.put_u8(b',');
        }
        out.put_slice(rest);
    }
}

/// `{"kind":"X","apiVersion":"v"` — the start of a typed object, without the closing comma.
pub(crate) fn type_prefix(kind: &str, api_version: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(kind.len() + api_version.len() + 32);
    p.extend_from_slice(b"{\"kind\":");
    p.extend_from_slice(serde_json::to_string(kind).unwrap_or_default().as_bytes());
    p.extend_from_slice(b",\"apiVersion\":");
    p.extend_from_slice(
        serde_json::to_string(api_version)
            .unwrap_or_default()
            .as_bytes(),
    );
    p
}

impl AsRef<StoredObject> for StoredObject {
    fn as_ref(&self) -> &StoredObject {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splices_type_in_front() {
        let o = StoredObject::new(
            json!({"kind": "X", "apiVersion": "v9", "metadata": {"name": "a", "namespace": "n"}}),
            3,
        );
        assert_eq!(o.name, "a");
        assert_eq!(o.namespace, "n");
        let mut out = BytesMut::new();
        o.write_with_type(&type_prefix("ConfigMap", "v1"), &mut out);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["kind"], "ConfigMap");
        assert_eq!(v["apiVersion"], "v1");
        assert_eq!(v["metadata"]["name"], "a");
        let empty = StoredObject::new(json!({}), 1);
        let mut out = BytesMut::new();
        empty.write_with_type(&type_prefix("K", "v1"), &mut out);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["kind"], "K");
    }
}
