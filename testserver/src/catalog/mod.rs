//! What the server knows from its spec: the resource table and the raw OpenAPI documents.
//!
//! Loading and indexing a spec takes a noticeable fraction of a second, and tests start
//! many servers, so a catalog is loaded once per process per directory and shared.

mod from_model;
mod names;
mod openapi_docs;
mod resources;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

pub(crate) use openapi_docs::OpenApiDoc;
pub use resources::{ResourceDef, SubresourceDef};
pub(crate) use resources::{ResourceTable, ScalePaths};

use crate::error::TestServerError;

/// The resource table and OpenAPI documents of one spec directory.
#[derive(Debug)]
pub(crate) struct Catalog {
    /// Every resource the spec describes.
    pub resources: ResourceTable,
    /// The documents, keyed by their index path (`api/v1`, `apis/apps/v1`, ...).
    pub docs: Vec<Arc<OpenApiDoc>>,
    /// The built-in schemas and parameters CRD documents embed, extracted on first use.
    pub crd_borrowed: OnceLock<crate::api::Borrowed>,
}

/// Which spec a server serves.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SpecSource {
    /// The pinned Kubernetes version, carried inside the crate (the default).
    Pinned,
    /// A directory of OpenAPI v3 documents (`*_openapi.json` or `.json.gz`).
    Dir(PathBuf),
}

impl SpecSource {
    /// `KUBEGEN_SPEC_DIR` when set, else the pinned spec.
    pub fn from_env() -> Result<SpecSource, TestServerError> {
        match std::env::var_os("KUBEGEN_SPEC_DIR") {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                if dir.is_dir() {
                    Ok(SpecSource::Dir(dir))
                } else {
                    Err(TestServerError::SpecDirMissing(dir))
                }
            }
            None => Ok(SpecSource::Pinned),
        }
    }
}

fn cache() -> &'static Mutex<HashMap<SpecSource, Arc<Catalog>>> {
    static CACHE: OnceLock<Mutex<HashMap<SpecSource, Arc<Catalog>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

impl Catalog {
    /// The catalog of `source`, loaded on first use and shared afterwards.
    pub(crate) fn load_cached(source: &SpecSource) -> Result<Arc<Catalog>, TestServerError> {
        let key = match source {
            SpecSource::Dir(dir) => {
                SpecSource::Dir(dir.canonicalize().unwrap_or_else(|_| dir.clone()))
            }
            SpecSource::Pinned => SpecSource::Pinned,
        };
        // Holding the lock while loading makes concurrent first users wait instead of
        // loading the same spec twice.
        let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = map.get(&key) {
            return Ok(c.clone());
        }
        let c = Arc::new(Self::load(&key)?);
        map.insert(key, c.clone());
        Ok(c)
    }

    /// Loads `source` without the cache.
    pub(crate) fn load(source: &SpecSource) -> Result<Catalog, TestServerError> {
        let (docs, origin) = match source {
            SpecSource::Pinned => (
                openapi_docs::pinned()?,
                PathBuf::from(openapi_docs::PINNED_LABEL),
            ),
            SpecSource::Dir(dir) => (openapi_docs::read_dir(dir)?, dir.clone()),
        };
        let resources =
            from_model::table_from_documents(&origin, &docs).map_err(TestServerError::Spec)?;
        if resources.is_empty() {
            return Err(TestServerError::SpecEmpty(origin));
        }
        Ok(Catalog {
            resources,
            docs: docs.into_iter().map(Arc::new).collect(),
            crd_borrowed: OnceLock::new(),
        })
    }
}
