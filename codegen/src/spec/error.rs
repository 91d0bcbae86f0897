//! Errors from reading a spec: each names the file and, where it can, the JSON pointer.

use std::path::PathBuf;

use super::Pointer;

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no OpenAPI documents (*.json or *.json.gz) in {}", dir.display())]
    NoDocuments { dir: PathBuf },
    /// A compressed document that does not decompress, or a bundled version that does not
    /// exist.
    #[error(transparent)]
    Document(kubegen_openapi::Error),
    #[error("{}: invalid JSON: {source}", file.display())]
    Json {
        file: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{} at {pointer}: not a valid OpenAPI v3 document: {message}", file.display())]
    OpenApi {
        file: PathBuf,
        pointer: Pointer,
        message: String,
    },
    #[error("{} at {pointer}: $ref {target:?} points at no schema", file.display())]
    DanglingRef {
        file: PathBuf,
        pointer: Pointer,
        target: String,
    },
    #[error(
        "schema {name} differs between {} and {}; identical copies are merged, differing ones cannot be",
        first.display(),
        second.display()
    )]
    ConflictingSchema {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("{} at {pointer}: unsupported: {message}", file.display())]
    Unsupported {
        file: PathBuf,
        pointer: Pointer,
        message: String,
    },
    #[error("{}: invalid YAML: {message}", file.display())]
    Yaml { file: PathBuf, message: String },
    #[error("{} at {pointer}: {message}", file.display())]
    Crd {
        file: PathBuf,
        pointer: Pointer,
        message: String,
    },
    #[error("{}: no CustomResourceDefinition found", path.display())]
    NoCrds { path: PathBuf },
    #[error("CRD {name} is defined twice, differently: in {} and in {}", first.display(), second.display())]
    DuplicateCrd {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
}

impl From<kubegen_openapi::Error> for SpecError {
    fn from(err: kubegen_openapi::Error) -> Self {
        match err {
            kubegen_openapi::Error::Io { path, source } => SpecError::Io { path, source },
            kubegen_openapi::Error::NoDocuments { dir } => SpecError::NoDocuments { dir },
            other => SpecError::Document(other),
        }
    }
}
