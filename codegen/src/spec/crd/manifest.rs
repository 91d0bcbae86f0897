//! The parts of a `CustomResourceDefinition` (apiextensions.k8s.io/v1) the generator uses.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::structural;
use crate::spec::{Pointer, SpecError};

/// One CRD, as read from a manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Crd {
    /// The file (and, in a multi-document file, which document) it came from.
    pub label: PathBuf,
    /// Where the CRD object sits in its document: `/` or `/items/3` in a `List`.
    pub base: Pointer,
    /// `metadata.name`, e.g. `widgets.example.com`.
    pub name: String,
    /// `spec.group`.
    pub group: String,
    /// `spec.names`.
    pub names: CrdNames,
    /// `spec.scope` is `Namespaced`.
    pub namespaced: bool,
    /// Served versions only, in the manifest's order.
    pub versions: Vec<CrdVersion>,
    /// The whole manifest, to tell identical duplicates from conflicting ones.
    pub(super) raw: serde_json::Value,
}

/// `spec.names`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrdNames {
    /// The kind (`Widget`).
    pub kind: String,
    /// The plural name in URLs (`widgets`).
    pub plural: String,
    /// The singular name (`widget`).
    #[serde(default)]
    pub singular: Option<String>,
    /// The list's kind (`WidgetList`).
    #[serde(default)]
    pub list_kind: Option<String>,
    /// Abbreviations kubectl accepts.
    #[serde(default)]
    pub short_names: Vec<String>,
    /// Groups of resources it is in (`all`).
    #[serde(default)]
    pub categories: Vec<String>,
}

impl CrdNames {
    /// `listKind`, or the kind followed by `List` as the API server defaults it.
    pub fn list_kind(&self) -> String {
        self.list_kind
            .clone()
            .unwrap_or_else(|| format!("{}List", self.kind))
    }
}

/// A served version of a CRD.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdVersion {
    /// The version (`v1`).
    pub name: String,
    /// Index in `spec.versions`, for pointers into the manifest.
    pub index: usize,
    /// `schema.openAPIV3Schema`, checked to be structural.
    pub schema: serde_json::Value,
    /// Whether the version has a `status` subresource.
    pub status: bool,
    /// Whether the version has a `scale` subresource.
    pub scale: bool,
    /// Whether the version is deprecated.
    pub deprecated: bool,
    /// The warning the server sends to users of a deprecated version.
    pub deprecation_warning: Option<String>,
}

impl CrdVersion {
    /// Pointer of this version's `openAPIV3Schema` inside the CRD object at `base`.
    pub fn schema_pointer(&self, base: &Pointer) -> Pointer {
        base.push("spec")
            .push("versions")
            .push(&self.index.to_string())
            .push("schema")
            .push("openAPIV3Schema")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    api_version: String,
    #[serde(default)]
    metadata: Metadata,
    spec: Spec,
}

#[derive(Default, Deserialize)]
struct Metadata {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    group: String,
    names: CrdNames,
    scope: String,
    versions: Vec<Version>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Version {
    name: String,
    #[serde(default = "yes")]
    served: bool,
    #[serde(default)]
    deprecated: bool,
    #[serde(default)]
    deprecation_warning: Option<String>,
    #[serde(default)]
    schema: Option<SchemaHolder>,
    #[serde(default)]
    subresources: Option<Subresources>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct SchemaHolder {
    #[serde(rename = "openAPIV3Schema", default)]
    open_api_v3_schema: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Subresources {
    #[serde(default)]
    status: Option<serde_json::Value>,
    #[serde(default)]
    scale: Option<serde_json::Value>,
}

impl Crd {
    /// Reads a CRD object, checking it has what generation needs: a group, names, a scope
    /// and a structural schema for each served version.
    pub fn from_value(
        label: &Path,
        base: Pointer,
        raw: serde_json::Value,
    ) -> Result<Crd, SpecError> {
        let err = |pointer: Pointer, message: String| SpecError::Crd {
            file: label.to_path_buf(),
            pointer,
            message,
        };
        let manifest: Manifest = serde_path_to_error::deserialize(&raw).map_err(|e| {
            err(
                base.join(&Pointer::from_serde_path(e.path())),
                format!("not a valid CustomResourceDefinition: {}", e.inner()),
            )
        })?;
        if manifest.api_version != "apiextensions.k8s.io/v1" {
            return Err(err(
                base.push("apiVersion"),
                format!(
                    "{} is not supported; use apiextensions.k8s.io/v1 (what `kubectl get crd -o yaml` returns)",
                    manifest.api_version
                ),
            ));
        }
        let spec = manifest.spec;
        let name = manifest
            .metadata
            .name
            .unwrap_or_else(|| format!("{}.{}", spec.names.plural, spec.group));
        let namespaced = match spec.scope.as_str() {
            "Namespaced" => true,
            "Cluster" => false,
            other => {
                return Err(err(
                    base.push("spec").push("scope"),
                    format!("scope {other:?} is neither Namespaced nor Cluster"),
                ))
            }
        };
        let mut versions = Vec::new();
        for (index, v) in spec.versions.into_iter().enumerate() {
            if !v.served {
                continue;
            }
            let at = base.push("spec").push("versions").push(&index.to_string());
            let Some(schema) = v.schema.and_then(|s| s.open_api_v3_schema) else {
                return Err(err(
                    at.push("schema"),
                    format!(
                        "CRD {name} version {} has no schema.openAPIV3Schema; types cannot be generated without one",
                        v.name
                    ),
                ));
            };
            let schema_at = at.push("schema").push("openAPIV3Schema");
            structural::check(&schema, &schema_at).map_err(|(pointer, message)| {
                err(
                    pointer,
                    format!(
                        "CRD {name} version {}: schema is not structural: {message}",
                        v.name
                    ),
                )
            })?;
            let sub = v.subresources.as_ref();
            versions.push(CrdVersion {
                name: v.name,
                index,
                schema,
                status: sub.is_some_and(|s| s.status.is_some()),
                scale: sub.is_some_and(|s| s.scale.is_some()),
                deprecated: v.deprecated,
                deprecation_warning: v.deprecation_warning,
            });
        }
        if versions.is_empty() {
            return Err(err(
                base.push("spec").push("versions"),
                format!("CRD {name} serves no version"),
            ));
        }
        Ok(Crd {
            label: label.to_path_buf(),
            base,
            name,
            group: spec.group,
            names: spec.names,
            namespaced,
            versions,
            raw,
        })
    }
}
