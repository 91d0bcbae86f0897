//! What `kubegen fetch` fails with. Every variant names the server (without credentials) and
//! the path it was reading, so a message alone says where to look.

use std::path::PathBuf;

use kubegen_runtime::config::ConfigError;
use kubegen_runtime::rest;

/// A fetch that did not complete; the output directory is untouched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// No kubeconfig, context or in-cluster configuration could be loaded.
    #[error("loading the cluster configuration: {0}")]
    Config(#[source] Box<ConfigError>),
    /// The configuration could not be turned into an HTTP client (bad CA data, ...).
    #[error("building a client for {server}: {source}")]
    Client {
        /// The API server's URL.
        server: String,
        /// The request's error.
        #[source]
        source: Box<rest::Error>,
    },
    /// The server could not be reached (connection refused, DNS, TLS, timeout).
    #[error("cannot reach the API server at {server} (GET {path}): {source}")]
    Unreachable {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The request's error.
        #[source]
        source: Box<rest::Error>,
    },
    /// The server refused the credentials (401) or the permission (403).
    #[error("{server} refused GET {path} with {code} {reason}: {message} (check the credentials of the kubeconfig context)")]
    Refused {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The HTTP status.
        code: u16,
        /// The `Status` reason (`Unauthorized`, `Forbidden`).
        reason: String,
        /// The server's message.
        message: String,
    },
    /// Any other error status.
    #[error("{server}: GET {path} failed with {code}: {message}")]
    Status {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The HTTP status.
        code: u16,
        /// The server's message.
        message: String,
    },
    /// `/openapi/v3` did not answer the index (`{"paths": {...: {"serverRelativeURL": ...}}}`):
    /// the server is not a Kubernetes API server, or is older than v1.27.
    #[error("{server}: GET {path} is not an OpenAPI v3 index: {source}")]
    InvalidIndex {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// An index entry's `serverRelativeURL` is not a URL path.
    #[error("{server}: the index entry {path} has an invalid serverRelativeURL {url:?}")]
    InvalidIndexEntry {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The `serverRelativeURL` given.
        url: String,
    },
    /// A group-version document is not valid JSON.
    #[error("{server}: GET {path} is not a valid JSON document: {source}")]
    InvalidDocument {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// `/version` did not answer JSON.
    #[error("{server}: GET {path} is not a version document: {source}")]
    InvalidVersion {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// The body could not be read completely.
    #[error("{server}: reading the answer to GET {path}: {source}")]
    Body {
        /// The API server's URL.
        server: String,
        /// The path asked for (`/openapi/v3`).
        path: String,
        /// The read's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The output directory holds something else than a fetched spec.
    #[error("{} exists and is not a kubegen fetch output (no fetch-lock.json in it, and not empty); give a new or empty directory", path.display())]
    NotAFetchDirectory {
        /// The directory.
        path: PathBuf,
    },
    /// Writing the output failed.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The path asked for (`/openapi/v3`).
        path: PathBuf,
        /// The write's error.
        #[source]
        source: std::io::Error,
    },
}

impl From<ConfigError> for FetchError {
    fn from(e: ConfigError) -> Self {
        FetchError::Config(Box::new(e))
    }
}

impl FetchError {
    /// Classifies a failed request.
    pub(crate) fn from_request(server: &str, path: &str, e: rest::Error) -> Self {
        let (server, path) = (server.to_owned(), path.to_owned());
        match e {
            rest::Error::Api(api) if matches!(api.code, 401 | 403) => FetchError::Refused {
                server,
                path,
                code: api.code,
                reason: api.reason().to_owned(),
                message: api.message().to_owned(),
            },
            rest::Error::Api(api) => FetchError::Status {
                server,
                path,
                code: api.code,
                message: api.message().to_owned(),
            },
            e @ rest::Error::Transport { .. } => FetchError::Unreachable {
                server,
                path,
                source: Box::new(e),
            },
            source => FetchError::Client {
                server,
                source: Box::new(source),
            },
        }
    }
}
