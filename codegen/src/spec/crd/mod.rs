//! CustomResourceDefinition manifests as input.
//!
//! A CRD manifest (`kubectl get crd -o yaml`, a multi-document YAML file, a `List`) is turned
//! into the OpenAPI v3 document a kube-apiserver publishes for it at
//! `/openapi/v3/apis/{group}/{version}`: one kind schema and one list schema per served
//! version, plus the REST paths that tell the model plural, scope, verbs and subresources.
//! From there CRDs flow through the same model as built-in kinds, and a cluster's published
//! document and the manifest it came from give the same types.
//!
//! Every schema of a synthesized document remembers where it lives in the manifest, so a
//! warning or error points at the CRD's file and the JSON pointer inside it.

mod document;
mod manifest;
mod structural;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use document::{documents, schema_name};
pub use manifest::{Crd, CrdNames, CrdVersion};

use super::{Pointer, SpecError};

/// CRDs read from files and directories, and every file read (for `rerun-if-changed`).
#[derive(Clone, Debug, Default)]
pub struct CrdSet {
    /// The CRDs, in the order read.
    pub crds: Vec<Crd>,
    /// Every file read.
    pub files: Vec<PathBuf>,
}

impl CrdSet {
    /// Reads CRDs from files and directories (`*.yaml`, `*.yml`, `*.json` directly inside;
    /// other documents such as example objects are skipped). A path that holds no CRD at all
    /// is an error, as are two different CRDs of the same name.
    pub fn load(paths: &[PathBuf]) -> Result<CrdSet, SpecError> {
        let mut set = CrdSet::default();
        for path in paths {
            let files = input_files(path)?;
            let before = set.crds.len();
            for file in files {
                let text = std::fs::read_to_string(&file).map_err(|source| SpecError::Io {
                    path: file.clone(),
                    source,
                })?;
                set.crds.extend(parse_manifests(&file, &text)?);
                set.files.push(file);
            }
            if set.crds.len() == before {
                return Err(SpecError::NoCrds { path: path.clone() });
            }
        }
        set.dedup()?;
        Ok(set)
    }

    /// Keeps one copy of CRDs given twice identically; differing copies are an error.
    fn dedup(&mut self) -> Result<(), SpecError> {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut keep = Vec::with_capacity(self.crds.len());
        for crd in std::mem::take(&mut self.crds) {
            match seen.get(&crd.name) {
                Some(&i) => {
                    let first: &Crd = &keep[i];
                    if first.raw != crd.raw {
                        return Err(SpecError::DuplicateCrd {
                            name: crd.name.clone(),
                            first: first.label.clone(),
                            second: crd.label.clone(),
                        });
                    }
                }
                None => {
                    seen.insert(crd.name.clone(), keep.len());
                    keep.push(crd);
                }
            }
        }
        keep.sort_by(|a, b| a.name.cmp(&b.name));
        self.crds = keep;
        Ok(())
    }
}

/// The manifest files a path stands for: the file itself, or a directory's YAML/JSON files.
fn input_files(path: &Path) -> Result<Vec<PathBuf>, SpecError> {
    let io = |source| SpecError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let file = entry.map_err(io)?.path();
        let is_manifest = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
        if is_manifest && file.is_file() {
            files.push(file);
        }
    }
    files.sort();
    Ok(files)
}

/// Every CRD of a file's YAML documents (a JSON file is one YAML document).
pub fn parse_manifests(file: &Path, text: &str) -> Result<Vec<Crd>, SpecError> {
    let values: Vec<serde_json::Value> =
        crate::yaml::documents(text).map_err(|err| SpecError::Yaml {
            file: file.to_path_buf(),
            message: err.to_string(),
        })?;
    let several = values.len() > 1;
    let mut crds = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        let label = if several {
            PathBuf::from(format!("{} (document {})", file.display(), i + 1))
        } else {
            file.to_path_buf()
        };
        collect(&label, Pointer::root(), value, &mut crds)?;
    }
    Ok(crds)
}

/// A CRD, a `List` of them, or something else (skipped).
fn collect(
    label: &Path,
    base: Pointer,
    value: serde_json::Value,
    out: &mut Vec<Crd>,
) -> Result<(), SpecError> {
    let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    match kind {
        "CustomResourceDefinition" => {
            out.push(Crd::from_value(label, base, value)?);
        }
        "List" | "CustomResourceDefinitionList" => {
            let items = match value.get("items") {
                Some(serde_json::Value::Array(items)) => items.clone(),
                _ => Vec::new(),
            };
            for (i, item) in items.into_iter().enumerate() {
                collect(label, base.push("items").push(&i.to_string()), item, out)?;
            }
        }
        other => {
            tracing::debug!(file = %label.display(), pointer = %base, kind = other, "not a CRD; skipped");
        }
    }
    Ok(())
}
