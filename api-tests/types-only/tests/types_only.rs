//! A types-only build decodes and encodes as the full build does.

use std::path::PathBuf;

use kubegen_api::apps::v1::ControllerRevision;
use kubegen_api::core::v1::Pod;
use kubegen_runtime::meta::{FieldsV1, RawExtension};
use serde_json::Value;

/// Without the runtime's `json` feature a field set's `Debug` shows its size, not its JSON.
fn runtime_json_feature_on() -> bool {
    !format!("{:?}", FieldsV1::default()).contains("bytes encoded")
}

#[test]
fn built_without_the_runtime_json_feature() {
    // `.ci/run` tests this crate alone and sets the variable; inside a workspace build the
    // runtime's features are unified and `json` is on.
    if std::env::var_os("KUBEGEN_EXPECT_TYPES_ONLY").is_some() {
        assert!(
            !runtime_json_feature_on(),
            "kubegen-runtime was built with `json`: test this crate alone"
        );
    }
}

fn realistic_pod() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bench/pod-realistic.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The value with its `null` members left out (an unset field is not written back).
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

#[test]
fn realistic_pod_round_trips() {
    let json = realistic_pod();
    let pod: Pod = serde_json::from_str(&json).unwrap();
    let managed = pod.metadata.managed_fields.as_deref().unwrap_or_default();
    assert!(!managed.is_empty() && managed.iter().all(|m| m.fields_v1.is_some()));
    let back: Value = serde_json::from_str(&serde_json::to_string(&pod).unwrap()).unwrap();
    assert_eq!(back, without_nulls(serde_json::from_str(&json).unwrap()));
    // From a `Value` too (its objects come with their keys sorted, so compare as values).
    let from_value: Pod = serde_json::from_value(back.clone()).unwrap();
    assert_eq!(serde_json::to_value(&from_value).unwrap(), back);
}

#[test]
fn field_sets_with_odd_values_round_trip() {
    let json = r#"{"f:a":{"f:b":[1,2.5,"x",null]},"f:c":{},"f:d":true,".":{}}"#;
    let set: FieldsV1 = serde_json::from_str(json).unwrap();
    let back: Value = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
    assert!(serde_json::from_str::<FieldsV1>(r#"{"f:a":[1,}"#).is_err());
}

#[test]
fn controller_revision_keeps_its_embedded_object() {
    let data = r#"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x:1"}]}}},"n":[1,-2,2.5,"s\"",null,true]}"#;
    let json = format!(
        r#"{{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{{"name":"r-1"}},"revision":3,"data":{data}}}"#
    );
    let revision: ControllerRevision = serde_json::from_str(&json).unwrap();
    let raw = revision.data.as_ref().unwrap();
    assert_eq!(raw.json(), data, "serde_json's text is kept as read");
    let back: Value = serde_json::from_str(&serde_json::to_string(&revision).unwrap()).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(&json).unwrap());

    // Another format: re-encoded as compact JSON, written back as the value.
    let yaml = "apiVersion: apps/v1\nkind: ControllerRevision\nmetadata:\n  name: r-1\nrevision: 3\ndata:\n  spec: {replicas: 2}\n  list: [a, 1]\n";
    let revision: ControllerRevision = serde_saphyr::from_str(yaml).unwrap();
    assert_eq!(
        revision.data.as_ref().unwrap().json(),
        r#"{"spec":{"replicas":2},"list":["a",1]}"#
    );
    let again: Value =
        serde_saphyr::from_str(&serde_saphyr::to_string(&revision).unwrap()).unwrap();
    assert_eq!(again, serde_saphyr::from_str::<Value>(yaml).unwrap());
}

#[test]
fn raw_extension_from_text() {
    let raw = RawExtension::from_json(r#"{ "a" : [1, 2] }"#).unwrap();
    assert_eq!(serde_json::to_string(&raw).unwrap(), r#"{"a":[1,2]}"#);
    let err = RawExtension::from_json("[1,").unwrap_err();
    assert!(err.to_string().contains("byte 3"), "{err}");
}
