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
    /// The server answered without switching to WebSocket (a server that speaks only
    /// SPDY/3.1 here, which this client does not).
    #[error("GET {url}: the server did not upgrade to WebSocket (HTTP {code}){}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    UpgradeRefused {
        url: String,
        code: u16,
        body: String,
    },
    /// The WebSocket handshake was answered wrongly (accept key, subprotocol).
    #[error("GET {url}: WebSocket handshake: {message}")]
    Handshake { url: String, message: String },
    /// The WebSocket broke after the upgrade.
    #[error("{url}: WebSocket: {source}")]
    WebSocket {
        url: String,
        #[source]
        source: tokio_tungstenite::tungstenite::Error,
    },
    /// A frame the protocol does not allow (unknown channel, a bad `Status`).
    #[error("{url}: protocol error: {message}")]
    Protocol { url: String, message: String },
    /// The server reported a failure on the error channel after the upgrade (an executable
    /// not found, a container that stopped): its `Status`, kept whole.
    #[error(transparent)]
    Remote(Box<ApiError>),
    /// The pod's port could not be forwarded (nothing listens, say): the server's message.
    #[error("forwarding port {port} of pod {pod}: {message}")]
    PortForward {
        pod: String,
        port: u16,
        message: String,
    },
}

impl Error {
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
