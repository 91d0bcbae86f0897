//! Test support: reading the fixtures the behaviour tests of `kubegen-api` use.

use std::path::PathBuf;

/// The repository's `fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// The realistic pod every memory and decode benchmark uses.
pub fn realistic_pod_json() -> String {
    let path = fixtures_dir().join("bench/pod-realistic.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The response body of a recorded kube-apiserver exchange (`60-create-deployment.http`).
pub fn recorded_response(name: &str) -> serde_json::Value {
    let path = fixtures_dir().join("kube-apiserver-v1.36").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (_, response) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{}: no response separator", path.display()));
    let (_, body) = response
        .split_once("\n\n")
        .unwrap_or_else(|| panic!("{}: no response body", path.display()));
    serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{}: body is not JSON: {e}", path.display()))
}

/// A YAML fixture (CRDs and their example objects) as JSON.
pub fn yaml_fixture(rel: &str) -> serde_json::Value {
    let path = fixtures_dir().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    kubegen::yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: invalid YAML: {e}", path.display()))
}

/// Removes object members whose value is `null`: Go servers write `null` for unset pointers
/// (`lastProbeTime: null`), which means the same as leaving the member out.
pub fn strip_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The JSON pointer of the first place two values differ, for readable assertion messages.
pub fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                match (x.get(key), y.get(key)) {
                    (Some(v), Some(w)) => {
                        if let Some(p) = first_difference(v, w) {
                            return Some(format!("/{key}{p}"));
                        }
                    }
                    (v, w) => return Some(format!("/{key}: {v:?} vs {w:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w).map(|p| format!("/{i}{p}"))),
        _ if a == b => None,
        _ => Some(format!(": {a} vs {b}")),
    }
}
