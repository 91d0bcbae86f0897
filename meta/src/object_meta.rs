//! `ObjectMeta` and the types only it uses.

use super::serde_impl::object_serde;
use super::{CompactString, FieldsV1, Map, Time};

/// Metadata every persisted object carries (`metav1.ObjectMeta`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectMeta {
    /// Unstructured key/value data set by external tools.
    pub annotations: Option<Map<CompactString>>,
    /// When the server created the object.
    pub creation_timestamp: Option<Time>,
    /// Seconds allowed for graceful termination before the object is removed.
    pub deletion_grace_period_seconds: Option<i64>,
    /// When the object will be (or started being) deleted; set by the server.
    pub deletion_timestamp: Option<Time>,
    /// Must be empty before the object is deleted from the registry.
    pub finalizers: Option<Vec<CompactString>>,
    /// Prefix the server uses to generate a unique name when `name` is empty.
    pub generate_name: Option<CompactString>,
    /// Sequence number of the desired state (spec) generation.
    pub generation: Option<i64>,
    /// Key/value pairs used to select objects.
    pub labels: Option<Map<CompactString>>,
    /// Which field manager owns which fields; kept compact (see [`FieldsV1`]).
    pub managed_fields: Option<Vec<ManagedFieldsEntry>>,
    /// Name, unique within a namespace.
    pub name: Option<CompactString>,
    /// Namespace; empty for cluster-scoped objects.
    pub namespace: Option<CompactString>,
    /// Objects this one depends on (garbage collection).
    pub owner_references: Option<Vec<OwnerReference>>,
    /// Opaque version for optimistic concurrency and watches.
    pub resource_version: Option<CompactString>,
    /// Deprecated; never set by current servers.
    pub self_link: Option<CompactString>,
    /// Unique in time and space for this object.
    pub uid: Option<CompactString>,
}

/// A reference to an owning object (`metav1.OwnerReference`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OwnerReference {
    /// API version of the referent.
    pub api_version: CompactString,
    /// If true, the owner cannot be deleted (foreground) before this reference is removed.
    pub block_owner_deletion: Option<bool>,
    /// If true, this reference points to the managing controller.
    pub controller: Option<bool>,
    /// Kind of the referent.
    pub kind: CompactString,
    /// Name of the referent.
    pub name: CompactString,
    /// UID of the referent.
    pub uid: CompactString,
}

/// One field manager's ownership record (`metav1.ManagedFieldsEntry`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ManagedFieldsEntry {
    /// Version of the resource this field set applies to.
    pub api_version: Option<CompactString>,
    /// Format of the fields; only `FieldsV1` exists.
    pub fields_type: Option<CompactString>,
    /// The owned field set.
    pub fields_v1: Option<FieldsV1>,
    /// Identifier of the workflow managing these fields.
    pub manager: Option<CompactString>,
    /// `Apply` or `Update`.
    pub operation: Option<CompactString>,
    /// Subresource the fields were written through, if any.
    pub subresource: Option<CompactString>,
    /// When these fields were last changed.
    pub time: Option<Time>,
}

object_serde!(ObjectMeta {
    annotations: optional "annotations",
    creation_timestamp: optional "creationTimestamp",
    deletion_grace_period_seconds: optional "deletionGracePeriodSeconds",
    deletion_timestamp: optional "deletionTimestamp",
    finalizers: list "finalizers",
    generate_name: optional "generateName",
    generation: optional "generation",
    labels: optional "labels",
    managed_fields: list "managedFields",
    name: optional "name",
    namespace: optional "namespace",
    owner_references: list "ownerReferences",
    resource_version: optional "resourceVersion",
    self_link: optional "selfLink",
    uid: optional "uid",
});

object_serde!(OwnerReference {
    api_version: required "apiVersion",
    block_owner_deletion: optional "blockOwnerDeletion",
    controller: optional "controller",
    kind: required "kind",
    name: required "name",
    uid: required "uid",
});

object_serde!(ManagedFieldsEntry {
    api_version: optional "apiVersion",
    fields_type: optional "fieldsType",
    fields_v1: optional "fieldsV1",
    manager: optional "manager",
    operation: optional "operation",
    subresource: optional "subresource",
    time: optional "time",
});

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
        // Required fields of an owner reference are always written, nulls read as empty.
        let owner: OwnerReference =
            serde_json::from_str(r#"{"kind":null,"name":"rs","controller":true}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&owner).unwrap(),
            r#"{"apiVersion":"","controller":true,"kind":"","name":"rs","uid":""}"#
        );
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
