//! `ObjectMeta` and the types only it uses.

use serde::{Deserialize, Serialize};

use super::CompactString;

use super::serde_helpers::{null_as_default, shrunk};
use super::{FieldsV1, Map, Time};

/// Metadata every persisted object carries (`metav1.ObjectMeta`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Unstructured key/value data set by external tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Map<CompactString>>,
    /// When the server created the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    /// Seconds allowed for graceful termination before the object is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    /// When the object will be (or started being) deleted; set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Time>,
    /// Must be empty before the object is deleted from the registry.
    #[serde(
        default,
        deserialize_with = "shrunk",
        skip_serializing_if = "Option::is_none"
    )]
    pub finalizers: Option<Vec<CompactString>>,
    /// Prefix the server uses to generate a unique name when `name` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<CompactString>,
    /// Sequence number of the desired state (spec) generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    /// Key/value pairs used to select objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Map<CompactString>>,
    /// Which field manager owns which fields; kept compact (see [`FieldsV1`]).
    #[serde(
        default,
        deserialize_with = "shrunk",
        skip_serializing_if = "Option::is_none"
    )]
    pub managed_fields: Option<Vec<ManagedFieldsEntry>>,
    /// Name, unique within a namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<CompactString>,
    /// Namespace; empty for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<CompactString>,
    /// Objects this one depends on (garbage collection).
    #[serde(
        default,
        deserialize_with = "shrunk",
        skip_serializing_if = "Option::is_none"
    )]
    pub owner_references: Option<Vec<OwnerReference>>,
    /// Opaque version for optimistic concurrency and watches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<CompactString>,
    /// Deprecated; never set by current servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<CompactString>,
    /// Unique in time and space for this object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<CompactString>,
}

/// A reference to an owning object (`metav1.OwnerReference`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference {
    /// API version of the referent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub api_version: CompactString,
    /// If true, the owner cannot be deleted (foreground) before this reference is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
    /// If true, this reference points to the managing controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    /// Kind of the referent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub kind: CompactString,
    /// Name of the referent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: CompactString,
    /// UID of the referent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub uid: CompactString,
}

/// One field manager's ownership record (`metav1.ManagedFieldsEntry`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedFieldsEntry {
    /// Version of the resource this field set applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<CompactString>,
    /// Format of the fields; only `FieldsV1` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields_type: Option<CompactString>,
    /// The owned field set.
    #[serde(default, rename = "fieldsV1", skip_serializing_if = "Option::is_none")]
    pub fields_v1: Option<FieldsV1>,
    /// Identifier of the workflow managing these fields.
    #[serde(
        default,
        deserialize_with = "super::well_known::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub manager: Option<CompactString>,
    /// `Apply` or `Update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<CompactString>,
    /// Subresource the fields were written through, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subresource: Option<CompactString>,
    /// When these fields were last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_meta_round_trips() {
        let json = r#"{"creationTimestamp":"2026-01-01T00:00:00Z","labels":{"app":"x"},"managedFields":[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}},"manager":"kubectl","operation":"Apply","time":"2026-01-01T00:00:00Z"}],"name":"p","namespace":"default","ownerReferences":[{"apiVersion":"apps/v1","blockOwnerDeletion":true,"controller":true,"kind":"ReplicaSet","name":"rs","uid":"u1"}],"resourceVersion":"12","uid":"u2"}"#;
        let meta: ObjectMeta = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&meta).unwrap(), json);
        let fields = meta.managed_fields.as_ref().unwrap()[0]
            .fields_v1
            .as_ref()
            .unwrap();
        assert_eq!(
            fields.to_json(),
            r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#
        );
    }

    #[test]
    fn empty_meta_serializes_empty() {
        assert_eq!(serde_json::to_string(&ObjectMeta::default()).unwrap(), "{}");
    }

    #[test]
    fn fields_from_value_deserializer() {
        let v = serde_json::json!({"fieldsV1": {"f:a": {}}});
        let entry: ManagedFieldsEntry = serde_json::from_value(v).unwrap();
        assert_eq!(
            entry.fields_v1.unwrap().to_value().unwrap(),
            serde_json::json!({"f:a": {}})
        );
    }
}
