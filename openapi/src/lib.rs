//! The OpenAPI v3 specs of the Kubernetes versions kubegen supports, carried inside the crate.
//!
//! Each version is the `/openapi/v3` dump of a kube-apiserver with every API group enabled:
//! one document per group-version, stored gzip-compressed (about a tenth of the size) and
//! decompressed on use. The `kubegen` generator reads them for `--kube-version`, the test
//! server serves the pinned one, and neither needs anything beside the installed crate.
//!
//! ```
//! let pinned = kubegen_openapi::pinned();
//! let docs = pinned.documents()?;
//! assert!(docs.iter().any(|d| d.file == "api__v1_openapi.json"));
//! # Ok::<(), kubegen_openapi::Error>(())
//! ```
//!
//! [`read_dir`] reads a directory of documents the same way, `*.json` and `*.json.gz` alike.

mod embedded;
mod error;
mod read;

pub use embedded::{pinned, version, versions, Version, PINNED};
pub use error::Error;
pub use read::{read_dir, read_document, MAX_DOCUMENT_BYTES};

/// One OpenAPI document: its file name as a `/openapi/v3` dump names it
/// (`apis__apps__v1_openapi.json` holds `apis/apps/v1`), and its uncompressed bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The file name without any `.gz`.
    pub file: String,
    /// Where it was read from, for messages (`kubegen-openapi/v1.36/v3/…json.gz` when
    /// embedded).
    pub path: std::path::PathBuf,
    /// The JSON text, exactly as the server wrote it.
    pub bytes: Vec<u8>,
}
