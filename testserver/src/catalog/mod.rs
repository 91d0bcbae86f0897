//! What the server knows from its spec: the resource table and the raw OpenAPI documents.
//!
//! Loading and indexing a spec takes a noticeable fraction of a second, and tests start
//! many servers, so a catalog is loaded once per process per directory and shared.

mod from_model;
mod names;
mod openapi_docs;
mod resources;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use openapi_docs::OpenApiDoc;
pub use resources::{ResourceDef, ResourceTable, ScalePaths, SubresourceDef};

use crate::error::TestServerError;

/// The resource table and OpenAPI documents of one spec directory.
#[derive(Debug)]
pub struct Catalog {
    /// Every resource the spec describes.
    pub resources: ResourceTable,
    /// The documents, keyed by their index path (`api/v1`, `apis/apps/v1`, ...).
    pub docs: Vec<Arc<OpenApiDoc>>,
    /// The built-in schemas and parameters CRD documents embed, extracted on first use.
    pub crd_borrowed: OnceLock<crate::api::Borrowed>,
}

fn cache() -> &'static Mutex<HashMap<PathBuf, Arc<Catalog>>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Catalog>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

impl Catalog {
    /// The catalog of `dir`, loaded on first use and shared afterwards.
    pub fn load_cached(dir: &Path) -> Result<Arc<Catalog>, TestServerError> {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        // Holding the lock while loading makes concurrent first users wait instead of
        // loading the same directory twice.
        let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = map.get(&key) {
            return Ok(c.clone());
        }
        let c = Arc::new(Self::load(&key)?);
        map.insert(key, c.clone());
        Ok(c)
    }

    /// Loads `dir` without the cache.
    pub fn load(dir: &Path) -> Result<Catalog, TestServerError> {
        let docs = openapi_docs::read_dir(dir)?;
        let resources =
            from_model::table_from_documents(dir, &docs).map_err(TestServerError::Spec)?;
        if resources.is_empty() {
            return Err(TestServerError::SpecEmpty(dir.to_path_buf()));
        }
        Ok(Catalog {
            resources,
            docs: docs.into_iter().map(Arc::new).collect(),
            crd_borrowed: OnceLock::new(),
        })
    }
}

/// The default spec directory: `KUBEGEN_SPEC_DIR`, else the pinned v1.36 spec next to the
/// workspace (`../shared/openapi/v1.36/v3`).
pub fn default_spec_dir() -> Result<PathBuf, TestServerError> {
    if let Some(dir) = std::env::var_os("KUBEGEN_SPEC_DIR") {
        let dir = PathBuf::from(dir);
        if dir.is_dir() {
            return Ok(dir);
        }
        return Err(TestServerError::SpecDirMissing(vec![dir]));
    }
    // The workspace root's sibling `shared/` (CARGO_MANIFEST_DIR/../../shared), or the
    // nearest ancestor holding one (git worktrees live deeper than the main checkout).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<PathBuf> = manifest
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/openapi/v1.36/v3"))
        .collect();
    for c in &candidates {
        if c.is_dir() {
            return Ok(c.clone());
        }
    }
    Err(TestServerError::SpecDirMissing(candidates))
}
