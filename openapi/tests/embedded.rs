//! The embedded documents are exactly the ones imported: each matches the SHA-256 recorded
//! in its version's `SHA256SUMS`, and every listed document is embedded.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

fn recorded_sums(version: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(version)
        .join("SHA256SUMS");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(hash, file)| (file.to_owned(), hash.to_owned()))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_embedded_document_matches_its_recorded_hash() {
    assert!(!kubegen_openapi::versions().is_empty());
    for version in kubegen_openapi::versions() {
        let sums = recorded_sums(version.name());
        let docs = version.documents().unwrap();
        let embedded: Vec<&str> = docs.iter().map(|d| d.file.as_str()).collect();
        let listed: Vec<&str> = sums.keys().map(String::as_str).collect();
        assert_eq!(embedded, listed, "{}", version.name());
        for doc in &docs {
            assert_eq!(
                hex(&doc.bytes),
                sums[&doc.file],
                "{} {}",
                version.name(),
                doc.file
            );
        }
        assert!(version.provenance().contains(version.name()));
    }
}

#[test]
fn the_pinned_version_is_the_one_versions_toml_pins() {
    let table =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("versions.toml"))
            .unwrap();
    let pinned = kubegen_openapi::pinned();
    assert!(pinned.is_pinned());
    assert_eq!(pinned.name(), kubegen_openapi::PINNED);
    let marker = format!(
        "name = \"{}\"\nspec = \"{}\"\npinned = true",
        pinned.name(),
        pinned.name()
    );
    assert!(
        table.contains(&marker),
        "versions.toml does not pin {}",
        pinned.name()
    );
}

#[test]
fn an_unknown_version_lists_the_supported_ones() {
    let err = kubegen_openapi::version("v9.99").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("v9.99") && text.contains(kubegen_openapi::PINNED),
        "{text}"
    );
    assert!(kubegen_openapi::version(kubegen_openapi::PINNED).is_ok());
}

#[cfg(feature = "all-versions")]
#[test]
fn every_version_of_versions_toml_is_embedded() {
    let names: Vec<&str> = kubegen_openapi::versions()
        .iter()
        .map(|v| v.name())
        .collect();
    assert_eq!(names, ["v1.33", "v1.34", "v1.35", "v1.36"]);
}

#[test]
fn embedded_proto_files_match_their_recorded_hashes() {
    let pinned = kubegen_openapi::pinned();
    let sums = recorded_sums(&format!("{}/proto", pinned.name()));
    let protos = pinned.proto_files().unwrap();
    let embedded: Vec<&str> = protos.iter().map(|d| d.file.as_str()).collect();
    let listed: Vec<&str> = sums.keys().map(String::as_str).collect();
    assert_eq!(embedded, listed);
    assert!(embedded.contains(&"k8s.io/api/core/v1/generated.proto"));
    for proto in &protos {
        assert_eq!(hex(&proto.bytes), sums[&proto.file], "{}", proto.file);
    }
    let unset = pinned
        .zero_is_unset()
        .expect("the pinned version has protobuf schemas");
    assert!(unset
        .lines()
        .any(|l| l.starts_with("k8s.io.api.core.v1.ContainerPort ") && l.contains(" hostPort")));
}
