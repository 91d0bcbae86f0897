//! The raw OpenAPI v3 documents of a spec directory, served under `/openapi/v3`.

use std::path::Path;
use std::sync::OnceLock;

use bytes::Bytes;
use sha2::{Digest, Sha512};

use crate::error::TestServerError;

/// One OpenAPI document, served byte for byte as it was read.
#[derive(Debug)]
pub(crate) struct OpenApiDoc {
    /// Index path, e.g. `apis/apps/v1`.
    pub path: String,
    /// File name it came from.
    pub file: String,
    /// Exact bytes.
    pub bytes: Bytes,
    hash: OnceLock<String>,
}

impl OpenApiDoc {
    /// A document from bytes.
    pub(crate) fn new(path: String, file: String, bytes: Bytes) -> Self {
        Self {
            path,
            file,
            bytes,
            hash: OnceLock::new(),
        }
    }

    /// Upper-case hex SHA-512 of the bytes, as the real server puts in `?hash=` and `ETag`.
    pub(crate) fn hash(&self) -> &str {
        self.hash.get_or_init(|| sha512_upper_hex(&self.bytes))
    }
}

/// Upper-case hex SHA-512.
pub(crate) fn sha512_upper_hex(bytes: &[u8]) -> String {
    let digest = Sha512::digest(bytes);
    let mut s = String::with_capacity(128);
    for b in digest {
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// `apis__apps__v1_openapi.json` → `apis/apps/v1`.
fn index_path(file: &str) -> Option<String> {
    let stem = file.strip_suffix("_openapi.json")?;
    Some(stem.replace("__", "/"))
}

/// Every `*_openapi.json` (or `.json.gz`) of `dir`, sorted by index path.
pub(crate) fn read_dir(dir: &Path) -> Result<Vec<OpenApiDoc>, TestServerError> {
    from_documents(kubegen_openapi::read_dir(dir)?, dir)
}

/// The documents of the pinned Kubernetes version, carried inside the crate.
pub(crate) fn pinned() -> Result<Vec<OpenApiDoc>, TestServerError> {
    from_documents(
        kubegen_openapi::pinned().documents()?,
        Path::new(PINNED_LABEL),
    )
}

/// How the embedded spec is named in messages.
pub(crate) const PINNED_LABEL: &str = "kubegen-openapi (pinned)";

fn from_documents(
    documents: Vec<kubegen_openapi::Document>,
    origin: &Path,
) -> Result<Vec<OpenApiDoc>, TestServerError> {
    let mut out: Vec<OpenApiDoc> = documents
        .into_iter()
        .filter_map(|d| {
            let path = index_path(&d.file)?;
            Some(OpenApiDoc::new(path, d.file, Bytes::from(d.bytes)))
        })
        .collect();
    if out.is_empty() {
        return Err(TestServerError::SpecEmpty(origin.to_path_buf()));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths() {
        assert_eq!(index_path("api__v1_openapi.json").unwrap(), "api/v1");
        assert_eq!(index_path("apis_openapi.json").unwrap(), "apis");
        assert_eq!(
            index_path("apis__apps__v1_openapi.json").unwrap(),
            "apis/apps/v1"
        );
        assert!(index_path("README.md").is_none());
    }

    #[test]
    fn hash_is_upper_hex_sha512() {
        let h = sha512_upper_hex(b"");
        assert!(h.starts_with("CF83E1357EEFB8BD"));
        assert_eq!(h.len(), 128);
    }
}
