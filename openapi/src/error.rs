use std::path::PathBuf;

/// Why a spec could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A version this crate does not carry.
    #[error("unknown Kubernetes version {name:?}: this kubegen supports {supported}")]
    UnknownVersion {
        /// The version asked for.
        name: String,
        /// The versions there are.
        supported: String,
    },
    /// A file or directory that could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The read's error.
        #[source]
        source: std::io::Error,
    },
    /// A `.gz` document that is not a valid gzip stream (truncated, corrupt, not gzip).
    #[error("{}: not a valid gzip document: {source}", path.display())]
    Corrupt {
        /// The document.
        path: PathBuf,
        /// The decompressor's error.
        #[source]
        source: std::io::Error,
    },
    /// A document larger than [`crate::MAX_DOCUMENT_BYTES`] once decompressed.
    #[error("{}: more than {limit} bytes once decompressed", path.display())]
    TooLarge {
        /// The document.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// A directory without any OpenAPI document.
    #[error("no OpenAPI documents (*.json or *.json.gz) in {}", dir.display())]
    NoDocuments {
        /// The directory.
        dir: PathBuf,
    },
    /// The same document twice, plain and compressed.
    #[error("{} exists both plain and as .gz in {}: keep one", file, dir.display())]
    Duplicate {
        /// The directory.
        dir: PathBuf,
        /// The document's name.
        file: String,
    },
}
