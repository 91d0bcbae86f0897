//! `$ref` checks: every reference must be a local schema reference that exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ref_target, Pointer, SchemaEntry, SpecError};

/// A `$ref` found in a document.
pub(super) struct FoundRef {
    pub file: PathBuf,
    pub pointer: Pointer,
    pub target: String,
}

/// Collects every `$ref` of a document.
pub(super) fn collect(file: &Path, value: &serde_json::Value, out: &mut Vec<FoundRef>) {
    let mut path = Vec::new();
    walk(value, &mut path, &mut |path, target| {
        let pointer = path.iter().fold(Pointer::root(), |p, t| p.push(t));
        out.push(FoundRef {
            file: file.to_path_buf(),
            pointer,
            target: target.to_owned(),
        });
    });
}

/// Rejects references that are not `#/components/schemas/...` or name no schema (neither
/// one of the documents' nor one `external` knows).
pub(super) fn check(
    refs: &[FoundRef],
    schemas: &BTreeMap<String, SchemaEntry>,
    external: &dyn Fn(&str) -> bool,
) -> Result<(), SpecError> {
    for found in refs {
        match ref_target(&found.target) {
            Some(name) if schemas.contains_key(name) || external(name) => {}
            _ => {
                return Err(SpecError::DanglingRef {
                    file: found.file.clone(),
                    pointer: found.pointer.clone(),
                    target: found.target.clone(),
                })
            }
        }
    }
    Ok(())
}

fn walk<'a>(
    value: &'a serde_json::Value,
    path: &mut Vec<String>,
    found: &mut dyn FnMut(&[String], &'a str),
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                path.push(key.clone());
                match child.as_str() {
                    // JSONSchemaProps has a *property* named `$ref`: only string values are refs.
                    Some(target) if key == "$ref" => found(path, target),
                    _ => walk(child, path, found),
                }
                path.pop();
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(i.to_string());
                walk(child, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}
