//! Errors of loading a configuration: each names the file, context, cluster or user at fault.

use std::path::PathBuf;

/// Why no usable [`super::Config`] could be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file could not be read.
    #[error("reading {what} {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What it was to hold (`kubeconfig`, `CA certificate`...).
        what: &'static str,
        /// The read's error.
        #[source]
        source: std::io::Error,
    },
    /// A kubeconfig that does not parse. The source names the field (again) and gives the
    /// line and column.
    #[error("parsing kubeconfig {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Path of the field in the document, like `users[0].user.exec.args` (`.` for the root).
        field: String,
        /// What is wrong, and where.
        #[source]
        source: super::kubeconfig::ParseError,
    },
    /// No context was given and the kubeconfig names no current one.
    #[error("kubeconfig has no current-context and none was given (contexts: {available:?})")]
    NoCurrentContext {
        /// The contexts there are.
        available: Vec<String>,
    },
    /// The context asked for is not in the kubeconfig.
    #[error("context {name:?} not found in kubeconfig (contexts: {available:?})")]
    UnknownContext {
        /// The context asked for.
        name: String,
        /// The contexts there are.
        available: Vec<String>,
    },
    /// The context names a cluster the kubeconfig does not have.
    #[error("cluster {name:?} of context {context:?} not found in kubeconfig")]
    UnknownCluster {
        /// The cluster's name.
        name: String,
        /// The context naming it.
        context: String,
    },
    /// The context names a user the kubeconfig does not have.
    #[error("user {name:?} of context {context:?} not found in kubeconfig")]
    UnknownUser {
        /// The user's name.
        name: String,
        /// The context naming it.
        context: String,
    },
    /// The cluster has no `server` URL.
    #[error("cluster {cluster:?} has no server")]
    MissingServer {
        /// The cluster's name.
        cluster: String,
    },
    /// A URL field that does not parse or has the wrong scheme (the value is shown
    /// without credentials).
    #[error("cluster {cluster:?}: invalid {field} {value:?}: {reason}")]
    InvalidUrl {
        /// The cluster's name.
        cluster: String,
        /// The field (`server`, `proxy-url`).
        field: &'static str,
        /// The value, without credentials.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `*-data` field that is not base64.
    #[error("{field}: invalid base64: {source}")]
    Base64 {
        /// Which entry and field, like `user "admin" client-key-data`.
        field: String,
        /// The decoder's error.
        #[source]
        source: base64::DecodeError,
    },
    /// A value the configuration cannot use (a bad certificate, a bad header value...).
    #[error("{0}")]
    Invalid(String),
    /// A legacy in-tree auth provider (gcp, oidc, azure), which client-go no longer has.
    #[error(
        "user {user:?}: auth-provider {provider:?} is not supported; use an exec credential plugin"
    )]
    UnsupportedAuthProvider {
        /// The user's name.
        user: String,
        /// The provider's name.
        provider: String,
    },
    /// Running in a pod, the service account's token, CA or environment was unusable.
    #[error("in-cluster configuration: {0}")]
    InCluster(String),
    /// Neither a kubeconfig nor the in-cluster environment was found.
    #[error("no Kubernetes configuration found; tried: {}", tried.join("; "))]
    NotFound {
        /// Each source tried, with why it did not apply.
        tried: Vec<String>,
    },
}
