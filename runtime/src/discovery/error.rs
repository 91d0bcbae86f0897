//! Errors of discovery and the RESTMapper.

use crate::rest;

/// Why discovery or a mapping failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// A discovery request failed (the document named by `path`).
    #[error("discovery request GET {path} failed: {source}")]
    Request {
        /// The document's path.
        path: String,
        /// The request's error.
        #[source]
        source: rest::Error,
    },
    /// A discovery document did not decode.
    #[error("discovery document {path} does not decode: {source}")]
    Decode {
        /// The document's path.
        path: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// Nothing the server serves matches the name, even after refreshing discovery.
    #[error("the server does not serve a resource matching {input:?}")]
    NotFound {
        /// The name asked for.
        input: String,
    },
    /// The name is not a resource, kind or `group/version/kind` form.
    #[error("invalid resource name {input:?}: {reason}")]
    InvalidName {
        /// The name asked for.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl DiscoveryError {
    /// Whether the server serves no such resource or kind.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}
