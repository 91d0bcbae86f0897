//! `FieldsV1`: a managed-fields set, kept in a compact byte encoding of its JSON tree.
//!
//! `managedFields` is often the largest part of an object (a third of a typical pod's JSON)
//! and nothing but the server reads it. k8s-openapi parses it into a `serde_json::Value` tree
//! (≈ 10× its text in memory); keeping the text costs its size. This encoding keeps the same
//! tree, in the same key order, at about half the text: the structure costs one byte per key,
//! common field names (`f:name`, `f:metadata`, `.`, ...) one byte in all, and the usual
//! list-map keys (`k:{"name":"web"}`) only their variable part. It is decoded straight from
//! the wire, into a single allocation, and serializes back to the equivalent JSON.
//!
//! Layout of the bytes (private; never persisted, so free to change):
//! - byte 0: [`FORMAT_TREE`] (the value is an object, encoded as below) or [`FORMAT_JSON`]
//!   (any other JSON value, kept as its text: the format always holds an object, but nothing
//!   breaks if a server sends something else).
//! - an object is a list of entries ended by [`END`]. An entry is a header byte
//!   `key_code << 2 | kind`, the key, and for kinds [`KIND_OBJECT`] / [`KIND_DOT_OBJECT`] the
//!   child object. `kind` is [`KIND_EMPTY`] for the value `{}` (the leaves of a field set),
//!   [`KIND_OBJECT`] for a non-empty object, [`KIND_DOT_OBJECT`] for an object whose first
//!   member, `".": {}`, is implied rather than stored.
//! - `key_code` 1..=`LITERAL_FORMS.len()`: a literal key `prefix + middle + suffix` with the
//!   middle stored as a LEB128 length and bytes; `KEY_DICT_EXTENDED`: one more byte indexes
//!   `DICTIONARY`; from `KEY_DICT_HOT` up: `DICTIONARY[key_code - KEY_DICT_HOT]`.
//! - [`EXOTIC`] starts an entry whose value is not an object: an entry header (kind 0) and
//!   key follow, then the value's JSON text as a LEB128 length and bytes.

mod from_serde;
#[cfg(feature = "json")]
mod from_text;
mod keys;
mod to_serde;

use std::fmt;
use std::sync::Arc;

use serde_core::{Deserialize, Deserializer};

use keys::DOT_LEAF;

/// A field set in the structured-merge-diff format (`metav1.FieldsV1`), stored compactly.
///
/// Equal field sets (the same keys in the same order) compare equal. Serializes back to the
/// same JSON object, members in the order they came.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FieldsV1(Arc<[u8]>);

const FORMAT_TREE: u8 = 0;
const FORMAT_JSON: u8 = 1;

const END: u8 = 0;
const EXOTIC: u8 = 1;

const KIND_EMPTY: u8 = 0;
const KIND_OBJECT: u8 = 1;
const KIND_DOT_OBJECT: u8 = 2;
const KIND_MASK: u8 = 3;

impl FieldsV1 {
    /// Parses a field set from JSON text.
    #[cfg(feature = "json")]
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The field set as compact JSON text.
    #[cfg(feature = "json")]
    pub fn to_json(&self) -> String {
        // Serializing our own encoding into a string cannot fail: it was checked when built.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// The field set as a JSON tree.
    #[cfg(feature = "json")]
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    /// Bytes of the encoding (on the heap, possibly shared with equal sets).
    pub fn heap_size(&self) -> usize {
        self.0.len()
    }

    /// True when both hold the same storage (decoded in a sharing scope, or cloned).
    pub fn shares_storage_with(&self, other: &FieldsV1) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Wraps finished encoded bytes, from the shared pool inside a sharing scope.
    fn from_encoded(encoded: &[u8]) -> Self {
        if super::sharing::active() {
            return Self(super::sharing::bytes(encoded));
        }
        Self(Arc::from(encoded))
    }
}

impl Default for FieldsV1 {
    /// The empty field set, `{}`.
    fn default() -> Self {
        Self(Arc::new([FORMAT_TREE, END]))
    }
}

impl fmt::Debug for FieldsV1 {
    /// The JSON text; without the `json` feature (no JSON writer), its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(feature = "json")]
        return f.debug_tuple("FieldsV1").field(&self.to_json()).finish();
        #[cfg(not(feature = "json"))]
        write!(f, "FieldsV1(<{} bytes encoded>)", self.heap_size())
    }
}

impl<'de> Deserialize<'de> for FieldsV1 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_serde::decode(deserializer)
    }
}

/// Completes an encoded top-level object whose entries `kind` describes.
fn finish_root(buf: &mut Vec<u8>, kind: u8) {
    match kind {
        KIND_EMPTY => buf.push(END),
        // The root has no header to record an implied ".": put it back.
        KIND_DOT_OBJECT => buf.insert(1, DOT_LEAF),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::keys::{dictionary_index, DICTIONARY, HOT_ENTRIES, KEY_DICT_EXTENDED, KEY_DICT_HOT};
    use super::*;
    use proptest::prelude::*;
    // The derive macros (`meta` itself uses `serde_core`, which has none).
    use serde::Deserialize;

    fn round_trip(json: &str) -> FieldsV1 {
        let fields = FieldsV1::from_json(json).unwrap();
        assert_eq!(fields.to_json(), json, "{fields:?}");
        fields
    }

    /// Found by fuzzing (`fuzz/corpus/fields_v1/crash-huge-number`): an integer beyond `u64`
    /// is read as a float; its text must then read back as the same float, which serde_json
    /// guarantees only with `float_roundtrip`.
    #[test]
    fn a_number_too_large_for_an_integer_is_written_back_stably() {
        let first = FieldsV1::from_json("2222220000000220239000002202393686281213686281210907")
            .unwrap()
            .to_json();
        assert_eq!(FieldsV1::from_json(&first).unwrap().to_json(), first);
        let exotic = r#"{"f:a":1e400,"f:b":2.2222200000002198e+51}"#;
        let first = FieldsV1::from_json(exotic).map(|f| f.to_json());
        if let Ok(first) = first {
            assert_eq!(FieldsV1::from_json(&first).unwrap().to_json(), first);
        }
    }

    #[test]
    fn keeps_keys_in_order() {
        round_trip(r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#);
        round_trip(r#"{"f:z":{},"f:a":{},".":{},"f:name":{"f:x":{}}}"#);
        round_trip(r#"{".":{},"f:a":{}}"#);
        round_trip(r#"{".":{"f:a":{}},"f:b":{}}"#);
        round_trip(r#"{"f:a":{"f:b":{".":{}}}}"#);
        round_trip("{}");
    }

    #[test]
    fn literal_key_forms() {
        round_trip(
            r#"{"k:{\"name\":\"web\"}":{".":{},"f:name":{}},"k:{\"type\":\"Ready\"}":{},"k:{\"uid\":\"u\"}":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{},"v:\"x\"":{},"i:3":{},"plain":{},"k:{\"name\":\"\"}":{},"k:{\"name\":\"a\",\"b\":\"c\"}":{}}"#,
        );
        let long = format!(r#"{{"f:{}":{{}}}}"#, "x".repeat(300));
        round_trip(&long);
        round_trip(r#"{"f:ünïcödé \u0001 \" \\":{}}"#);
    }

    #[test]
    fn values_that_are_not_objects_survive() {
        round_trip(r#"{"f:a":1,"f:b":[1,{"x":null}],"f:c":"s","f:d":null,"f:e":true}"#);
        round_trip(r#"{".":{},"f:nested":{"f:x":2.5}}"#);
        assert_eq!(FieldsV1::from_json("[1,2]").unwrap().to_json(), "[1,2]");
        assert_eq!(FieldsV1::from_json("\"x\"").unwrap().to_json(), "\"x\"");
        assert!(FieldsV1::from_json("{").is_err());
        assert!(FieldsV1::from_json(r#"{"a":}"#).is_err());
    }

    /// The field set kube-controller-manager writes for a Deployment's pod.
    const POD_FIELDS: &str = r#"{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/restartedAt":{},"f:prometheus.io/port":{},"f:prometheus.io/scrape":{}},"f:generateName":{},"f:labels":{".":{},"f:app.kubernetes.io/name":{},"f:app.kubernetes.io/part-of":{},"f:app.kubernetes.io/version":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"2b7e4f10-9c3a-4d8e-b1f6-7a0c5d3e9b21\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:env":{".":{},"k:{\"name\":\"LOG_LEVEL\"}":{".":{},"f:name":{},"f:value":{}},"k:{\"name\":\"DB_PASSWORD\"}":{".":{},"f:name":{},"f:valueFrom":{".":{},"f:secretKeyRef":{}}}},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}}},"f:readinessProbe":{".":{},"f:failureThreshold":{},"f:httpGet":{".":{},"f:path":{},"f:port":{},"f:scheme":{}},"f:periodSeconds":{},"f:successThreshold":{},"f:timeoutSeconds":{}},"f:resources":{".":{},"f:limits":{".":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{},"f:volumeMounts":{".":{},"k:{\"mountPath\":\"/etc/web\"}":{".":{},"f:mountPath":{},"f:name":{},"f:readOnly":{}},"k:{\"mountPath\":\"/cache\"}":{".":{},"f:mountPath":{},"f:name":{}}}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{".":{},"f:fsGroup":{},"f:runAsNonRoot":{}},"f:serviceAccount":{},"f:serviceAccountName":{},"f:terminationGracePeriodSeconds":{},"f:volumes":{".":{},"k:{\"name\":\"config\"}":{".":{},"f:configMap":{".":{},"f:defaultMode":{},"f:name":{}},"f:name":{}},"k:{\"name\":\"cache\"}":{".":{},"f:emptyDir":{".":{},"f:sizeLimit":{}},"f:name":{}}}}}"#;

    #[test]
    fn realistic_set_is_smaller_than_its_text() {
        let fields = round_trip(POD_FIELDS);
        assert!(
            fields.heap_size() * 10 < POD_FIELDS.len() * 6,
            "{} bytes for {} bytes of JSON",
            fields.heap_size(),
            POD_FIELDS.len()
        );
    }

    #[test]
    fn equality_default_and_value() {
        assert_eq!(FieldsV1::default().to_json(), "{}");
        assert_eq!(FieldsV1::default(), FieldsV1::from_json("{}").unwrap());
        let a = FieldsV1::from_json(r#"{"f:a":{}}"#).unwrap();
        let b = FieldsV1::from_json(r#"{ "f:a" : { } }"#).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, FieldsV1::from_json(r#"{"f:b":{}}"#).unwrap());
        assert_eq!(a.to_value().unwrap(), serde_json::json!({"f:a": {}}));
        let from_value: FieldsV1 =
            serde_json::from_value(serde_json::json!({"f:a": {"f:b": {}}})).unwrap();
        assert_eq!(from_value.to_json(), r#"{"f:a":{"f:b":{}}}"#);
        assert_eq!(format!("{a:?}"), r#"FieldsV1("{\"f:a\":{}}")"#);
    }

    #[test]
    fn other_deserializers_take_the_general_path() {
        // Buffered by serde (untagged enums, flatten): the newtype's content, not raw text.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Buffered {
            Fields(FieldsV1),
        }
        let Buffered::Fields(fields) =
            serde_json::from_str(r#"{"f:a":{".":{},"f:b":{}},"f:c":1}"#).unwrap();
        assert_eq!(fields.to_json(), r#"{"f:a":{".":{},"f:b":{}},"f:c":1}"#);
        {
            let fields: FieldsV1 =
                serde_saphyr::from_str("f:a:\n  .: {}\n  f:b: {}\nf:c: {}\n").unwrap();
            assert_eq!(fields.to_json(), r#"{"f:a":{".":{},"f:b":{}},"f:c":{}}"#);
            assert_eq!(
                serde_saphyr::to_string(&fields).unwrap(),
                "\"f:a\":\n  \".\": {}\n  \"f:b\": {}\n\"f:c\": {}\n"
            );
        }
        // From a reader, serde_json hands raw text over as an owned string.
        let fields: FieldsV1 = serde_json::from_reader(&br#"{"f:x":{}}"#[..]).unwrap();
        assert_eq!(fields.to_json(), r#"{"f:x":{}}"#);
    }

    #[test]
    fn dictionary_fits_its_codes() {
        assert!(DICTIONARY.len() <= 256);
        let unique: std::collections::BTreeSet<_> = DICTIONARY.iter().collect();
        assert_eq!(
            unique.len(),
            DICTIONARY.len(),
            "duplicate dictionary entries"
        );
        assert_eq!(DICTIONARY[0], ".");
        assert_eq!(KEY_DICT_HOT as usize + HOT_ENTRIES - 1, 63);
        // Every entry encodes to itself.
        for (i, key) in DICTIONARY.iter().enumerate() {
            assert_eq!(dictionary_index(key.as_bytes()), Some(i as u8));
            let json = serde_json::to_string(&serde_json::json!({ *key: {"f:x": {}} })).unwrap();
            round_trip(&json);
        }
    }

    #[test]
    fn corrupt_bytes_are_an_error_not_a_panic() {
        for bytes in [
            vec![],
            vec![9],
            vec![FORMAT_TREE, 0xff],
            vec![FORMAT_TREE, 2 << 2, 200],
            vec![FORMAT_TREE, EXOTIC],
            vec![FORMAT_TREE, KEY_DICT_EXTENDED << 2, 255],
            vec![FORMAT_JSON, b'{'],
            vec![FORMAT_TREE, 1 << 2, 2, 0xff, 0xfe],
        ] {
            assert!(serde_json::to_string(&FieldsV1(Arc::from(bytes))).is_err());
        }
    }

    /// A field-set-like tree: keys from dictionary entries, literal forms and arbitrary text;
    /// values empty, nested, or (rarely) not objects. Rendered as JSON text in member order.
    fn tree() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            proptest::sample::select(DICTIONARY).prop_map(String::from),
            "[fkvi]:[a-zA-Z./-]{0,12}",
            "\\PC{0,8}",
            "[a-z\"]{0,6}".prop_map(|s| format!("k:{{\"name\":\"{s}\"}}")),
            "[a-z]{0,6}".prop_map(|s| format!("k:{{\"type\":\"{s}\"}}")),
        ];
        let leaf = prop_oneof![
            8 => Just("{}".to_owned()),
            1 => any::<i64>().prop_map(|n| n.to_string()),
            1 => "\\PC{0,4}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            1 => Just("[1,{\"a\":null}]".to_owned()),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            proptest::collection::vec((key.clone(), inner), 0..8).prop_map(|members| {
                let mut seen = std::collections::BTreeSet::new();
                let body: Vec<String> = members
                    .into_iter()
                    .filter(|(k, _)| seen.insert(k.clone()))
                    .map(|(k, v)| format!("{}:{v}", serde_json::to_string(&k).unwrap()))
                    .collect();
                format!("{{{}}}", body.join(","))
            })
        })
    }

    proptest! {
        #[test]
        fn any_tree_round_trips(text in tree()) {
            let fields = FieldsV1::from_json(&text).unwrap();
            prop_assert_eq!(fields.to_json(), text);
        }
    }
}
