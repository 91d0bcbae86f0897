//! The manifest of a generated crate: which schema became which Rust type, and a hash of the
//! schema it was made from.
//!
//! `kubegen-api` carries one (`manifest.json`), and a copy is bundled into the generator.
//! CRD-only generation reads it to refer to `kubegen_api::…` types instead of generating its
//! own `Scale` or `Condition`, and to report version skew when a CRD document's copy of a
//! built-in schema differs from the one the crate was generated from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{Externals, Model};
use crate::spec::Spec;

/// The manifest of a generated crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiManifest {
    /// Package name (`kubegen-api`).
    pub crate_name: String,
    /// Package version.
    pub crate_version: String,
    /// What the crate was generated from (`the OpenAPI v3 spec of Kubernetes v1.36`).
    pub source: String,
    /// Every component schema that became a type, by schema name.
    pub schemas: BTreeMap<String, ManifestEntry>,
    /// The apimachinery schemas of the same spec (`ObjectMeta`, `Condition`...), which map to
    /// `kubegen-runtime`'s hand-written `meta` types: schema name → [`schema_hash`]. A CRD
    /// document from a newer cluster whose copy differs gets a skew warning.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub runtime_schemas: BTreeMap<String, String>,
}

/// One schema of the crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Path inside the crate (`autoscaling::v1::Scale`).
    pub path: String,
    /// The cargo feature that turns it on (`autoscaling-v1`).
    pub feature: String,
    /// [`schema_hash`] of the schema.
    pub hash: String,
}

/// Errors reading a manifest.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The manifest.
        path: PathBuf,
        /// The read's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a manifest kubegen wrote.
    #[error("{}: not a kubegen crate manifest: {source}", path.display())]
    Json {
        /// The manifest.
        path: PathBuf,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
}

const BUNDLED: &str = include_str!("../data/kubegen-api.manifest.json");

impl ApiManifest {
    /// The manifest of the `kubegen-api` released with this generator.
    pub fn bundled() -> Result<ApiManifest, ManifestError> {
        Self::parse(Path::new("<bundled kubegen-api manifest>"), BUNDLED)
    }

    /// Reads a `manifest.json`.
    pub fn load(path: &Path) -> Result<ApiManifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses manifest `text`; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<ApiManifest, ManifestError> {
        serde_json::from_str(text).map_err(|source| ManifestError::Json {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The manifest of a crate generated from `spec` as `model`: every component schema that
    /// became a type.
    pub fn from_model(
        spec: &Spec,
        model: &Model,
        crate_name: &str,
        crate_version: &str,
        source: &str,
    ) -> ApiManifest {
        let mut schemas = BTreeMap::new();
        for (id, def) in model.types() {
            let Some(entry) = spec.schema(id) else {
                continue; // a type synthesized from an inline schema
            };
            schemas.insert(
                id.clone(),
                ManifestEntry {
                    path: format!(
                        "{}::{}::{}",
                        def.module.group, def.module.version, def.rust_name
                    ),
                    feature: def.module.feature(),
                    hash: schema_hash(&entry.schema),
                },
            );
        }
        let runtime_schemas = spec
            .schemas()
            .iter()
            .filter(|(name, _)| crate::model::externs::is_apimachinery(name))
            .map(|(name, entry)| (name.clone(), schema_hash(&entry.schema)))
            .collect();
        ApiManifest {
            crate_name: crate_name.to_owned(),
            crate_version: crate_version.to_owned(),
            source: source.to_owned(),
            schemas,
            runtime_schemas,
        }
    }

    /// Pretty JSON with a final newline, stable for a given manifest.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The crate's name as a path root (`kubegen_api`).
    pub fn crate_ident(&self) -> String {
        self.crate_name.replace('-', "_")
    }

    /// The schemas as the model takes them: Rust paths rooted at the crate.
    pub fn externals(&self) -> Externals {
        let root = self.crate_ident();
        Externals {
            schemas: self
                .schemas
                .iter()
                .map(|(name, e)| {
                    (
                        name.clone(),
                        (format!("{root}::{}", e.path), e.hash.clone()),
                    )
                })
                .collect(),
            runtime_schemas: self.runtime_schemas.clone(),
            origin: format!("{} {}", self.crate_name, self.crate_version),
        }
    }

    /// The features a crate referring to these Rust paths must turn on.
    pub fn features_for<'a>(&self, paths: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        let root = format!("{}::", self.crate_ident());
        let by_path: BTreeMap<&str, &str> = self
            .schemas
            .values()
            .map(|e| (e.path.as_str(), e.feature.as_str()))
            .collect();
        let mut features: Vec<String> = paths
            .into_iter()
            .filter_map(|p| p.strip_prefix(&root))
            .filter_map(|p| by_path.get(p).map(|f| (*f).to_owned()))
            .collect();
        features.sort();
        features.dedup();
        features
    }
}

/// A hash of a schema's shape: SHA-256 of its canonical JSON (keys sorted) without
/// descriptions and group-version-kind lists, which change without changing the type.
pub fn schema_hash(schema: &openapiv3::Schema) -> String {
    let value = serde_json::to_value(schema).unwrap_or_default();
    let mut text = String::new();
    canonical(&value, &mut text);
    let digest = Sha256::digest(text.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map
                .keys()
                .filter(|k| *k != "description" && *k != "x-kubernetes-group-version-kind")
                .collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(json: serde_json::Value) -> openapiv3::Schema {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn bundled_copy_is_the_committed_kubegen_api_manifest() {
        let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated/manifest.json");
        // Absent when the generator is built from its published package alone.
        if let Ok(text) = std::fs::read_to_string(committed) {
            assert!(
                text == BUNDLED,
                "codegen/data/kubegen-api.manifest.json is stale: copy generated/manifest.json"
            );
        }
    }

    #[test]
    fn hash_ignores_descriptions_and_key_order() {
        let a = schema(serde_json::json!({"type": "object", "description": "a",
            "properties": {"x": {"type": "string", "description": "x"}, "y": {"type": "integer"}}}));
        let b = schema(serde_json::json!({"properties": {"y": {"type": "integer"},
            "x": {"type": "string"}}, "type": "object"}));
        let c = schema(serde_json::json!({"type": "object",
            "properties": {"x": {"type": "string"}, "y": {"type": "string"}}}));
        assert_eq!(schema_hash(&a), schema_hash(&b));
        assert_ne!(schema_hash(&a), schema_hash(&c));
        assert_eq!(schema_hash(&a).len(), 32);
    }

    #[test]
    fn bundled_manifest_parses_and_knows_scale() {
        let m = ApiManifest::bundled().unwrap();
        let scale = &m.schemas["io.k8s.api.autoscaling.v1.Scale"];
        assert_eq!(scale.path, "autoscaling::v1::Scale");
        assert_eq!(scale.feature, "autoscaling-v1");
        let ext = m.externals();
        assert_eq!(
            ext.schemas["io.k8s.api.autoscaling.v1.Scale"].0,
            "kubegen_api::autoscaling::v1::Scale"
        );
        assert_eq!(
            m.features_for(&["kubegen_api::autoscaling::v1::Scale".to_owned()]),
            vec!["autoscaling-v1".to_owned()]
        );
    }
}
