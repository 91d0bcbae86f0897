//! The fuzz targets' entry points: each takes arbitrary bytes, feeds them to one parser and
//! checks what must hold for any input — no panic, and a value that was read writes back to
//! text that reads as the same value. Shared by the libFuzzer binaries (`fuzz_targets/`) and
//! the corpus replay test (`tests/replay.rs`).

use std::path::{Path, PathBuf};

use kubegen_meta::labels::Selector;
use kubegen_meta::{FieldsV1, Quantity, RawExtension, Status, Time};
use kubegen_runtime::config::Kubeconfig;
use kubegen_runtime::rest::decode_event;
use kubegen_testserver::fuzzing::FieldSelector;

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// Every target by name, for the replay test.
pub const TARGETS: &[(&str, Target)] = &[
    ("watch_event", watch_event),
    ("fields_v1", fields_v1),
    ("json_text", json_text),
    ("kubeconfig", kubeconfig),
    ("crd_manifest", crd_manifest),
    ("openapi_spec", openapi_spec),
    ("label_selector", label_selector),
    ("field_selector", field_selector),
    ("quantity", quantity),
    ("time", time),
];

/// One watch event line, decoded as untyped JSON and as a typed object; and the input's
/// lines one by one, as the watch framer hands them over.
pub fn watch_event(data: &[u8]) {
    let _ = decode_event::<serde_json::Value>(data);
    for line in data.split(|b| *b == b'\n') {
        let _ = decode_event::<Status>(line);
    }
}

/// A managed-fields set: what it reads, it writes back as text that reads the same.
pub fn fields_v1(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(fields) = FieldsV1::from_json(text) else {
        return;
    };
    let written = fields.to_json();
    let again = FieldsV1::from_json(&written)
        .unwrap_or_else(|e| panic!("FieldsV1 does not re-read its own {written:?}: {e}"));
    assert_eq!(again.to_json(), written);
}

/// JSON text kept verbatim (`RawExtension`): what the validator accepts, serde_json reads
/// (serde_json alone stops at 128 levels of nesting).
pub fn json_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(raw) = RawExtension::from_json(text) else {
        return;
    };
    if let Err(e) = serde_json::from_str::<serde_json::Value>(raw.json()) {
        assert!(
            e.to_string().contains("recursion limit"),
            "accepted {text:?}, which serde_json rejects: {e}"
        );
    }
}

/// A kubeconfig file.
pub fn kubeconfig(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Kubeconfig::parse(text);
    }
}

/// A file of CRD manifests, as `kubegen generate --crd` reads it.
pub fn crd_manifest(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kubegen::spec::crd::parse_manifests(Path::new("fuzz.yaml"), text);
    }
}

/// An OpenAPI v3 document as `kubegen generate --spec` reads one (`/openapi/v3` dumps):
/// parsed, its `$ref`s resolved and its schemas merged.
pub fn openapi_spec(data: &[u8]) {
    let file = PathBuf::from("apis__fuzz.example__v1_openapi.json");
    let _ = kubegen::spec::Spec::from_documents(vec![(file, data.to_vec())]);
}

/// A label selector: what parses prints as text that parses to the same selector.
pub fn label_selector(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(selector) = Selector::parse(text) else {
        return;
    };
    let printed = selector.to_string();
    let again = Selector::parse(&printed)
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which does not parse: {e}"));
    assert_eq!(again.to_string(), printed);
}

/// A field selector, as the test server parses it: what parses prints as text that parses
/// to the same requirements, and matching any object holding its values cannot fail.
pub fn field_selector(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = FieldSelector::parse(text, "", "pods");
    let Ok(selector) = FieldSelector::parse_syntax(text) else {
        return;
    };
    let printed = selector.to_string();
    let again = FieldSelector::parse_syntax(&printed)
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which does not parse: {e}"));
    let sorted = |s: &FieldSelector| {
        let mut reqs: Vec<_> =
            s.0.iter()
                .map(|r| (r.field.clone(), r.value.clone(), r.negated))
                .collect();
        reqs.sort();
        reqs
    };
    assert_eq!(
        sorted(&again),
        sorted(&selector),
        "{text:?} printed as {printed:?}"
    );
    assert_eq!(again.to_string(), printed);
    let mut object = serde_json::Map::new();
    for r in &selector.0 {
        object.insert(r.field.clone(), serde_json::Value::String(r.value.clone()));
    }
    let _ = selector.matches(&serde_json::Value::Object(object));
}

/// A quantity as JSON (string or number): written back, it reads the same.
pub fn quantity(data: &[u8]) {
    round_trip::<Quantity>(data);
}

/// A timestamp as JSON: written back, it reads the same.
pub fn time(data: &[u8]) {
    round_trip::<Time>(data);
}

fn round_trip<T>(data: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let written = serde_json::to_string(&value).expect("writes");
    let again: T = serde_json::from_str(&written)
        .unwrap_or_else(|e| panic!("{value:?} written as {written} does not re-read: {e}"));
    assert_eq!(again, value);
}

/// Runs every file of `corpus/<target>/` below `root` through its target: none may panic,
/// and no target's corpus may be empty. The corpus replay tests of both workspaces call it.
pub fn replay_corpora(root: &Path) {
    for (name, target) in TARGETS {
        let dir = root.join(name);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus of {name} ({}): {e}", dir.display()));
        let mut count = 0;
        for entry in entries {
            let path = entry.expect("a corpus entry").path();
            let data = std::fs::read(&path).expect("a corpus file");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} fails on {}", path.display());
            count += 1;
        }
        assert!(count > 0, "the corpus of {name} is empty");
    }
}
