//! Errors from reading a spec: each names the file and, where it can, the JSON pointer.

use std::path::PathBuf;

use super::Pointer;

/// Why a spec or a CRD could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The read's error.
        #[source]
        source: std::io::Error,
    },
    /// A directory without any OpenAPI document.
    #[error("no OpenAPI documents (*.json or *.json.gz) in {}", dir.display())]
    NoDocuments {
        /// The directory.
        dir: PathBuf,
    },
    /// A compressed document that does not decompress, or a bundled version that does not
    /// exist.
    #[error(transparent)]
    Document(kubegen_openapi::Error),
    /// A document that is not JSON.
    #[error("{}: invalid JSON: {source}", file.display())]
    Json {
        /// The document.
        file: PathBuf,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// A document that is JSON but not OpenAPI v3.
    #[error("{} at {pointer}: not a valid OpenAPI v3 document: {message}", file.display())]
    OpenApi {
        /// The document.
        file: PathBuf,
        /// Where in the document.
        pointer: Pointer,
        /// What is wrong.
        message: String,
    },
    /// A `$ref` to a schema no document defines.
    #[error("{} at {pointer}: $ref {target:?} points at no schema", file.display())]
    DanglingRef {
        /// The document.
        file: PathBuf,
        /// Where in the document.
        pointer: Pointer,
        /// The reference.
        target: String,
    },
    /// One schema name defined differently in two documents.
    #[error(
        "schema {name} differs between {} and {}; identical copies are merged, differing ones cannot be",
        first.display(),
        second.display()
    )]
    ConflictingSchema {
        /// The name.
        name: String,
        /// The first file defining it.
        first: PathBuf,
        /// The second file defining it.
        second: PathBuf,
    },
    /// A construct the generator does not handle.
    #[error("{} at {pointer}: unsupported: {message}", file.display())]
    Unsupported {
        /// The document.
        file: PathBuf,
        /// Where in the document.
        pointer: Pointer,
        /// What is wrong.
        message: String,
    },
    /// A CRD file that is not YAML.
    #[error("{}: invalid YAML: {message}", file.display())]
    Yaml {
        /// The file.
        file: PathBuf,
        /// The parser's message, with the line.
        message: String,
    },
    /// A CRD that is not a valid `CustomResourceDefinition`.
    #[error("{} at {pointer}: {message}", file.display())]
    Crd {
        /// The document.
        file: PathBuf,
        /// Where in the document.
        pointer: Pointer,
        /// What is wrong.
        message: String,
    },
    /// CRD input without any `CustomResourceDefinition`.
    #[error("{}: no CustomResourceDefinition found", path.display())]
    NoCrds {
        /// The file or directory.
        path: PathBuf,
    },
    /// One CRD defined differently in two files.
    #[error("CRD {name} is defined twice, differently: in {} and in {}", first.display(), second.display())]
    DuplicateCrd {
        /// The name.
        name: String,
        /// The first file defining it.
        first: PathBuf,
        /// The second file defining it.
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
