//! Errors of loading a configuration: each names the file, context, cluster or user at fault.

use std::path::PathBuf;

/// Why no usable [`super::Config`] could be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("reading {what} {}: {source}", path.display())]
    ReadFile {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The source names the field (again) and gives the line and column.
    #[error("parsing kubeconfig {}: {source}", path.display())]
    Parse {
        path: PathBuf,
        /// Path of the field in the document, like `users[0].user.exec.args` (`.` for the root).
        field: String,
        #[source]
        source: super::kubeconfig::ParseError,
    },
    #[error("kubeconfig has no current-context and none was given (contexts: {available:?})")]
    NoCurrentContext { available: Vec<String> },
    #[error("context {name:?} not found in kubeconfig (contexts: {available:?})")]
    UnknownContext {
        name: String,
        available: Vec<String>,
    },
    #[error("cluster {name:?} of context {context:?} not found in kubeconfig")]
    UnknownCluster { name: String, context: String },
    #[error("user {name:?} of context {context:?} not found in kubeconfig")]
    UnknownUser { name: String, context: String },
    #[error("cluster {cluster:?} has no server")]
    MissingServer { cluster: String },
    /// A URL field that does not parse or has the wrong scheme (the value is shown
    /// without credentials).
    #[error("cluster {cluster:?}: invalid {field} {value:?}: {reason}")]
    InvalidUrl {
        cluster: String,
        field: &'static str,
        value: String,
        reason: String,
    },
    #[error("{field}: invalid base64: {source}")]
    Base64 {
        /// Which entry and field, like `user "admin" client-key-data`.
        field: String,
        #[source]
        source: base64::DecodeError,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(
        "user {user:?}: auth-provider {provider:?} is not supported; use an exec credential plugin"
    )]
    UnsupportedAuthProvider { user: String, provider: String },
    #[error("in-cluster configuration: {0}")]
    InCluster(String),
    #[error("no Kubernetes configuration found; tried: {}", tried.join("; "))]
    NotFound {
        /// Each source tried, with why it did not apply.
        tried: Vec<String>,
    },
}
