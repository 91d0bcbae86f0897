//! Why a connect verb failed.

use crate::rest::{self, ApiError};

/// A connect verb's failure. The server's own answers stay typed: a missing pod or
/// container, or a pod that does not run, is [`Error::Request`] holding the server's
/// `Status` (answered before the upgrade); a failure the process reports afterwards is
/// [`Error::Remote`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The upgrade request failed: the server's `Status` (`rest::Error::Api`), or a
    /// transport, credential or request error.
    #[error(transparent)]
    Request(#[from] rest::Error),
    /// The server answered without switching to `protocol` (`WebSocket` or `SPDY/3.1`),
    /// and not with a Kubernetes `Status`: a server or proxy that does not speak that
    /// protocol here.
    #[error("{url}: the server did not upgrade to {protocol} (HTTP {code}){}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    UpgradeRefused {
        /// The URL upgraded.
        url: String,
        /// The protocol asked for.
        protocol: &'static str,
        /// The HTTP status of the answer.
        code: u16,
        /// The answer's body, if any.
        body: String,
    },
    /// The upgrade was answered wrongly (WebSocket accept key, a protocol not offered, a
    /// `101` that does not name the protocol).
    #[error("{url}: upgrade handshake: {message}")]
    Handshake {
        /// The URL upgraded.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The WebSocket broke after the upgrade.
    #[error("{url}: WebSocket: {source}")]
    WebSocket {
        /// The URL upgraded.
        url: String,
        /// The WebSocket error.
        #[source]
        source: tokio_tungstenite::tungstenite::Error,
    },
    /// The SPDY/3.1 session broke after the upgrade: a frame the protocol does not allow,
    /// a stream the server reset, a failed connection.
    #[error("{url}: SPDY: {source}")]
    Spdy {
        /// The URL upgraded.
        url: String,
        /// The session's error.
        #[source]
        source: super::spdy::SessionError,
    },
    /// A frame the protocol does not allow (unknown channel, a bad `Status`).
    #[error("{url}: protocol error: {message}")]
    Protocol {
        /// The URL upgraded.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The server reported a failure on the error channel after the upgrade (an executable
    /// not found, a container that stopped): its `Status`, kept whole.
    #[error(transparent)]
    Remote(Box<ApiError>),
    /// The pod's port could not be forwarded (nothing listens, say): the server's message.
    #[error("forwarding port {port} of pod {pod}: {message}")]
    PortForward {
        /// The pod.
        pod: String,
        /// The pod's port.
        port: u16,
        /// The server's message.
        message: String,
    },
}

impl Error {
    /// Whether this failure of a WebSocket upgrade means the server does not offer
    /// WebSocket here, so that SPDY/3.1 is worth trying (client-go's fallback, narrowed
    /// to what SPDY can change): an answer that switched to nothing
    /// ([`Error::UpgradeRefused`]: a success code, or an error without a `Status`, as a
    /// proxy or an older kubelet answers), a wrong handshake (no v5/v4 subprotocol), or
    /// `403 Forbidden` (WebSocket's GET is authorized as `get pods/exec`, SPDY's POST as
    /// `create`). A `Status` about the request itself (no such pod, no node, a bad
    /// container) would be the same over SPDY: it is returned as it is.
    pub fn is_websocket_unsupported(&self) -> bool {
        match self {
            Error::UpgradeRefused { .. } | Error::Handshake { .. } => true,
            Error::Request(rest::Error::Api(e)) => e.code == 403,
            _ => false,
        }
    }

    /// The server's `Status`, answered before the upgrade or on the error channel after it.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Request(rest::Error::Api(e)) | Error::Remote(e) => Some(e),
            _ => None,
        }
    }

    /// The pod (or the node it is bound to) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_not_found)
    }

    /// The server rejected the request as malformed for this pod: a container that is not
    /// in it, a pod with no node assigned, no stream asked for.
    pub fn is_bad_request(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_bad_request)
    }

    /// The message the server (or the process's node) gave, when it gave one.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            Error::PortForward { message, .. } => Some(message),
            _ => self.api_error().map(ApiError::message),
        }
    }
}
