//! Errors of starting and controlling a test server (request errors are `Status` replies).

use std::path::PathBuf;

/// Why a test server could not start or be controlled.
#[derive(Debug, thiserror::Error)]
pub enum TestServerError {
    /// `KUBEGEN_SPEC_DIR` names no directory.
    #[error("KUBEGEN_SPEC_DIR={} is not a directory of OpenAPI v3 documents", .0.display())]
    SpecDirMissing(PathBuf),
    /// The spec's documents could not be read (a missing file, a corrupt `.gz`).
    #[error("reading the spec: {0}")]
    SpecDocuments(#[from] kubegen_openapi::Error),
    /// The spec could not be read (the error names the document and place).
    #[error("loading the spec: {0}")]
    Spec(#[from] kubegen::spec::SpecError),
    /// The spec directory holds no resources.
    #[error("spec directory {0} holds no OpenAPI documents with Kubernetes resources")]
    SpecEmpty(PathBuf),
    /// Binding the listening socket failed.
    #[error("binding {addr}: {source}")]
    Bind {
        /// Address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Generating or loading TLS material failed.
    #[error("setting up TLS: {0}")]
    Tls(String),
    /// Writing a kubeconfig failed.
    #[error("writing kubeconfig {path}: {source}")]
    WriteKubeconfig {
        /// Target file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}
