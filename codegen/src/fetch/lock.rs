//! The lock file of a fetched directory: which server the documents came from, its version,
//! and each document's index path, file and hash. It makes a snapshot reviewable (a diff of
//! the lock shows which group-versions changed) and lets the next fetch skip documents whose
//! hash the server still announces.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha512};

/// `fetch-lock.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lock {
    /// The API server's URL, without credentials, query or fragment (a path prefix is kept).
    pub server: String,
    /// The server's `/version` answer.
    pub server_version: serde_json::Value,
    /// By index path (`apis/apps/v1`).
    pub documents: BTreeMap<String, LockedDocument>,
}

/// One fetched document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedDocument {
    /// Relative to the fetched directory: `v3/apis__apps__v1_openapi.json`.
    pub file: String,
    /// Upper-case hex SHA-512 of the file's bytes: what the server puts in `?hash=`.
    pub hash: String,
}

impl Lock {
    /// Reads a lock file; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<Lock>, LockError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(LockError::Io {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| LockError::Parse {
                path: path.display().to_string(),
                source,
            })
    }

    /// The file's text: pretty JSON with a final newline, keys in a fixed order, so the same
    /// fetch gives the same bytes.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// A lock file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The lock file.
        path: String,
        /// The read's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a lock kubegen wrote.
    #[error("{path} is not a kubegen fetch lock: {source}")]
    Parse {
        /// The lock file.
        path: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
}

/// Upper-case hex SHA-512, the hash kube-apiserver announces for a document.
pub fn document_hash(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(128);
    for b in Sha512::digest(bytes) {
        let _ = write!(out, "{b:02X}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hashes_like_the_server() {
        let mut lock = Lock {
            server: "https://k.example/k8s/clusters/c-1".into(),
            server_version: serde_json::json!({"gitVersion": "v1.36.3"}),
            documents: BTreeMap::new(),
        };
        lock.documents.insert(
            "api/v1".into(),
            LockedDocument {
                file: "v3/api__v1_openapi.json".into(),
                hash: document_hash(b"{}"),
            },
        );
        let text = lock.to_json();
        assert!(text.contains("\"serverVersion\""));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fetch-lock.json");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(Lock::read(&path).unwrap(), Some(lock));
        assert_eq!(Lock::read(&dir.path().join("none")).unwrap(), None);
        std::fs::write(&path, "not json").unwrap();
        assert!(Lock::read(&path).is_err());
        // The empty document's SHA-512, as kube-openapi prints it.
        assert!(document_hash(b"").starts_with("CF83E1357EEFB8BD"));
    }
}
