//! How the workspace reads and writes YAML manifests (CRDs, objects, test fixtures): through
//! `serde-saphyr`, with the rules of a Kubernetes manifest rather than the crate's defaults.
//!
//! Why `serde-saphyr`: it is a maintained serde front end over `granit-parser`, the
//! workspace's one YAML parser (the runtime reads kubeconfig from its events); it resolves
//! anchors, aliases and merge keys with limits on alias expansion and nesting (hostile input
//! fails cleanly), reads multi-document streams, and names the line and column of a syntax
//! error. It needs Rust 1.89, which this crate and the ones built on it declare.
//!
//! The rules ([`options`]): scalars are typed by the YAML 1.2 core schema, as
//! `serde_json`-bound manifests expect and as this workspace has always read them (`yes`,
//! `on`, `0123` and `1_000` stay strings; `0x1F` and `0o17` are integers); a key given twice
//! keeps its last value, as the API server's non-strict decoding does; errors are one line
//! (`... at line 3, column 5`) so they fit in messages that name the file or request.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a text is not YAML of the expected shape (or a value cannot be written as YAML): the
/// parser's message with the line and column at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct YamlError(String);

/// The reading rules of every manifest in the workspace (see the module doc).
pub fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        with_snippet: false,
    }
}

/// The first (usually only) document of `text`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| YamlError(e.to_string()))
}

/// The first document of `bytes` (UTF-8, as request bodies are).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, YamlError> {
    serde_saphyr::from_slice_with_options(bytes, options()).map_err(|e| YamlError(e.to_string()))
}

/// Every document of a `---`-separated stream, skipping empty and `null` ones (a manifest
/// file often ends with `---`).
pub fn documents<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, YamlError> {
    serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| YamlError(e.to_string()))
}

/// `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, YamlError> {
    serde_saphyr::to_string(value).map_err(|e| YamlError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn scalars_follow_the_core_schema() {
        let v: Value = from_str("[yes, on, 0123, 1_000, 0x1F, 0o17, 1.5, ~, '1', true]").unwrap();
        assert_eq!(
            v,
            json!(["yes", "on", "0123", "1_000", 31, 15, 1.5, null, "1", true])
        );
    }

    #[test]
    fn anchors_and_merge_keys_resolve() {
        let v: Value = from_str("base: &b {a: 1, b: 2}\nuse:\n  <<: *b\n  b: 3\n").unwrap();
        assert_eq!(v["use"], json!({"a": 1, "b": 3}));
    }

    #[test]
    fn streams_skip_empty_documents() {
        let docs: Vec<Value> = documents("---\na: 1\n---\n---\nb: 2\n---\n").unwrap();
        assert_eq!(docs, [json!({"a": 1}), json!({"b": 2})]);
    }

    #[test]
    fn errors_name_line_and_column_on_one_line() {
        let e = from_str::<Value>("a: [1, 2\nb: 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column 2"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn alias_bombs_fail_cleanly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(from_str::<Value>(&text).is_err());
    }

    #[test]
    fn round_trips_through_text() {
        let v = json!({"a": "yes", "b": "0123", "c": [1, 2.5, null], "d": "two\nlines\n"});
        assert_eq!(from_str::<Value>(&to_string(&v).unwrap()).unwrap(), v);
    }
}
