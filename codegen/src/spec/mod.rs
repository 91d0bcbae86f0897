//! Loading Kubernetes OpenAPI v3 documents: one document per group-version, parsed with
//! `openapiv3`, their component schemas merged into one table and every `$ref` checked.
//!
//! The same schema (say `ObjectMeta`) appears in almost every document. Identical copies are
//! merged; copies that differ are an error naming both files, since silently picking one would
//! make the output depend on file order.

pub mod crd;
mod error;
mod pointer;
pub mod proto;
mod refs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use openapiv3::{OpenAPI, ReferenceOr, Schema};

pub use error::SpecError;
pub use pointer::Pointer;

const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// One OpenAPI v3 document as served at `/openapi/v3/{path}`.
#[derive(Debug, Clone)]
pub struct Document {
    /// The server-relative path of the document, e.g. `api/v1` or `apis/apps/v1`.
    pub path: String,
    /// Where it was read from (or a descriptive name for in-memory documents).
    pub file: PathBuf,
    /// The exact bytes, as read; servers publish a hash of these.
    pub bytes: Arc<[u8]>,
    /// The parsed document.
    pub openapi: OpenAPI,
}

/// A component schema and the first document that declared it.
#[derive(Debug, Clone)]
pub struct SchemaEntry {
    /// The schema.
    pub schema: Schema,
    /// The file it came from (for a CRD: the manifest, named with the CRD).
    pub file: PathBuf,
    /// Where in that file: `/components/schemas/{name}` for OpenAPI documents, the
    /// `openAPIV3Schema` of the version for a CRD manifest.
    pub pointer: Pointer,
}

/// A document before parsing: where it came from and, for documents synthesized from CRD
/// manifests, where each of its schemas really lives (so errors point into the manifest).
#[derive(Debug, Clone)]
pub struct RawDocument {
    /// Server path (`apis/apps/v1`).
    pub path: String,
    /// The file it was read from, or a label naming its source.
    pub file: PathBuf,
    /// The exact bytes (empty for synthesized documents).
    pub bytes: Vec<u8>,
    /// The document as JSON.
    pub value: serde_json::Value,
    /// Schema name → (file, pointer) of its origin, when not `/components/schemas/{name}`
    /// of `file`.
    pub origins: BTreeMap<String, (PathBuf, Pointer)>,
}

/// A set of documents with their component schemas merged.
#[derive(Debug, Clone)]
pub struct Spec {
    documents: Vec<Document>,
    schemas: BTreeMap<String, SchemaEntry>,
}

impl Spec {
    /// Loads every `*.json` file of a directory (the layout of `/openapi/v3` dumps:
    /// `apis__apps__v1_openapi.json` holds `apis/apps/v1`).
    pub fn load_dir(dir: &Path) -> Result<Spec, SpecError> {
        Self::from_raw(read_dir(dir)?, &|_| false)
    }

    /// Loads documents from directories of OpenAPI documents and CRDs, mixed freely.
    /// `external` names schemas that may be referenced without being declared (see
    /// [`Spec::from_raw`]).
    pub fn load(
        spec_dirs: &[PathBuf],
        crds: &crd::CrdSet,
        external: &dyn Fn(&str) -> bool,
    ) -> Result<Spec, SpecError> {
        let mut raw = Vec::new();
        for dir in spec_dirs {
            raw.extend(read_dir(dir)?);
        }
        raw.extend(crd::documents(&crds.crds));
        Self::from_raw(raw, external)
    }

    /// Builds a spec from documents already in memory (file name, bytes). The file name's
    /// stem gives the document's server path, as in [`Spec::load_dir`].
    pub fn from_documents(raw: Vec<(PathBuf, Vec<u8>)>) -> Result<Spec, SpecError> {
        let docs = raw
            .into_iter()
            .map(|(file, bytes)| RawDocument::parse(file, bytes))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_raw(docs, &|_| false)
    }

    /// Builds a spec from parsed documents. `$ref`s to schemas none of them declares are
    /// accepted when `external` knows them (hand-written runtime types, or types of an
    /// already-generated crate), and rejected otherwise.
    pub fn from_raw(
        raw: Vec<RawDocument>,
        external: &dyn Fn(&str) -> bool,
    ) -> Result<Spec, SpecError> {
        let mut documents = Vec::with_capacity(raw.len());
        let mut schemas: BTreeMap<String, (SchemaEntry, serde_json::Value)> = BTreeMap::new();
        let mut found_refs = Vec::new();
        for raw_doc in raw {
            let RawDocument {
                path,
                file,
                bytes,
                value,
                origins,
            } = raw_doc;
            refs::collect(&file, &value, &mut found_refs);
            let openapi: OpenAPI =
                serde_path_to_error::deserialize(&value).map_err(|err| SpecError::OpenApi {
                    file: file.clone(),
                    pointer: Pointer::from_serde_path(err.path()),
                    message: err.inner().to_string(),
                })?;
            let raw_schemas = value
                .pointer("/components/schemas")
                .and_then(|v| v.as_object());
            if let Some(components) = &openapi.components {
                for (name, schema) in &components.schemas {
                    let pointer = Pointer::root()
                        .push("components")
                        .push("schemas")
                        .push(name);
                    let (origin_file, origin_pointer) = origins
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| (file.clone(), pointer.clone()));
                    let schema = match schema {
                        ReferenceOr::Item(schema) => schema.clone(),
                        ReferenceOr::Reference { .. } => {
                            return Err(SpecError::Unsupported {
                                file: origin_file,
                                pointer: origin_pointer,
                                message: "a component schema that is only a $ref".into(),
                            })
                        }
                    };
                    let raw_value = raw_schemas
                        .and_then(|m| m.get(name))
                        .cloned()
                        .unwrap_or_default();
                    match schemas.get_mut(name) {
                        Some((first, first_raw)) => {
                            if *first_raw != raw_value {
                                merge_gvk_lists(first, first_raw, &raw_value).ok_or_else(|| {
                                    SpecError::ConflictingSchema {
                                        name: name.clone(),
                                        first: first.file.clone(),
                                        second: origin_file.clone(),
                                    }
                                })?;
                            }
                        }
                        None => {
                            schemas.insert(
                                name.clone(),
                                (
                                    SchemaEntry {
                                        schema,
                                        file: origin_file,
                                        pointer: origin_pointer,
                                    },
                                    raw_value,
                                ),
                            );
                        }
                    }
                }
            }
            documents.push(Document {
                path,
                file,
                bytes: bytes.into(),
                openapi,
            });
        }
        let schemas: BTreeMap<String, SchemaEntry> = schemas
            .into_iter()
            .map(|(k, (entry, _))| (k, entry))
            .collect();
        refs::check(&found_refs, &schemas, external)?;
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Spec { documents, schemas })
    }

    /// The documents, ordered by server path.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// All component schemas, by name.
    pub fn schemas(&self) -> &BTreeMap<String, SchemaEntry> {
        &self.schemas
    }

    /// Looks up a schema by its component name.
    pub fn schema(&self, name: &str) -> Option<&SchemaEntry> {
        self.schemas.get(name)
    }
}

impl RawDocument {
    /// Parses a dumped document; the file name gives its server path.
    pub fn parse(file: PathBuf, bytes: Vec<u8>) -> Result<RawDocument, SpecError> {
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|source| SpecError::Json {
                file: file.clone(),
                source,
            })?;
        Ok(RawDocument {
            path: document_path(&file),
            file,
            bytes,
            value,
            origins: BTreeMap::new(),
        })
    }
}

const GVK_EXTENSION: &str = "x-kubernetes-group-version-kind";

/// Kubernetes quirk: option types shared by every group (`DeleteOptions`, `WatchEvent`) list
/// in each document only the group-version-kinds of that document's group. Copies that differ
/// only there are merged with the union of the lists; any other difference is a conflict
/// (`None`).
fn merge_gvk_lists(
    first: &mut SchemaEntry,
    first_raw: &mut serde_json::Value,
    other: &serde_json::Value,
) -> Option<()> {
    let without = |v: &serde_json::Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove(GVK_EXTENSION);
        }
        v
    };
    if without(first_raw) != without(other) {
        return None;
    }
    let mut gvks: Vec<serde_json::Value> = first_raw
        .get(GVK_EXTENSION)
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    for gvk in other.get(GVK_EXTENSION)?.as_array()? {
        if !gvks.contains(gvk) {
            gvks.push(gvk.clone());
        }
    }
    gvks.sort_by_key(|v| v.to_string());
    let merged = serde_json::Value::Array(gvks);
    first_raw
        .as_object_mut()?
        .insert(GVK_EXTENSION.into(), merged.clone());
    first
        .schema
        .schema_data
        .extensions
        .insert(GVK_EXTENSION.into(), merged);
    Some(())
}

/// The `*.json` and `*.json.gz` documents of a directory, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<RawDocument>, SpecError> {
    parse_all(kubegen_openapi::read_dir(dir)?)
}

/// The documents of a Kubernetes version this generator carries (`v1.35`).
pub fn bundled(version: &kubegen_openapi::Version) -> Result<Vec<RawDocument>, SpecError> {
    parse_all(version.documents()?)
}

fn parse_all(docs: Vec<kubegen_openapi::Document>) -> Result<Vec<RawDocument>, SpecError> {
    docs.into_iter()
        .map(|d| RawDocument::parse(d.path, d.bytes))
        .collect()
}

/// The component name a `$ref` points at, if it is a local schema reference.
pub fn ref_target(reference: &str) -> Option<&str> {
    reference.strip_prefix(SCHEMA_REF_PREFIX)
}

/// `apis__apps__v1_openapi.json` → `apis/apps/v1`.
fn document_path(file: &Path) -> String {
    let stem = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = stem.strip_suffix(".gz").unwrap_or(stem);
    let stem = stem.strip_suffix(".json").unwrap_or(stem);
    let stem = stem.strip_suffix("_openapi").unwrap_or(stem);
    stem.replace("__", "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_paths_follow_dump_names() {
        assert_eq!(document_path(Path::new("x/api__v1_openapi.json")), "api/v1");
        assert_eq!(
            document_path(Path::new("x/api__v1_openapi.json.gz")),
            "api/v1"
        );
        assert_eq!(
            document_path(Path::new("apis__apps__v1_openapi.json")),
            "apis/apps/v1"
        );
        assert_eq!(
            document_path(Path::new(
                "apis__rbac.authorization.k8s.io__v1_openapi.json"
            )),
            "apis/rbac.authorization.k8s.io/v1"
        );
    }
}
