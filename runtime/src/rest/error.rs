//! Errors of the REST layer: the API server's `Status` answers as typed [`ApiError`]s with
//! predicates, kept apart from transport, decoding, authentication and configuration errors.

use crate::config::{ConfigError, ExecError};
use crate::meta::Status;

/// Result of a REST call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Anything a request can fail with. Secrets never appear in the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status (its `Status` body kept whole).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request did not complete: connection, TLS, timeout or body stream error.
    #[error("{verb} {url}: {source}")]
    Transport {
        /// The HTTP method (`GET`).
        verb: String,
        /// The URL asked for.
        url: String,
        /// What failed.
        #[source]
        source: TransportError,
    },
    /// The response (or a watch event) was not what the type expects.
    #[error("decoding {what} from {verb} {url}: {source}")]
    Decode {
        /// What was decoded (`the response body`, `a watch event`).
        what: String,
        /// The HTTP method (`GET`).
        verb: String,
        /// The URL asked for.
        url: String,
        /// The decoder's error, with its line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A protobuf answer that does not decode as the expected type.
    #[cfg(feature = "protobuf")]
    #[error("decoding {what} (protobuf) from {verb} {url}: {source}")]
    ProtobufDecode {
        /// What was decoded (`the response body`, `a watch event`).
        what: String,
        /// The HTTP method (`GET`).
        verb: String,
        /// The URL asked for.
        url: String,
        /// The decoder's error, with its offset and field path.
        #[source]
        source: crate::meta::proto::DecodeError,
    },
    /// A watch event whose object the watched type rejects; the stream goes on after it.
    #[error(transparent)]
    UndecodableObject(Box<super::undecodable::UndecodableObject>),
    /// A watch line exceeded the configured bound.
    #[error("watch {url}: an event is longer than the limit of {limit} bytes")]
    EventTooLarge {
        /// The watch's URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A request body could not be serialized.
    #[error("encoding the request body: {0}")]
    Encode(#[source] serde_json::Error),
    /// The request itself is malformed (a missing name, a bad header value, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The credential could not be obtained.
    #[error("authentication: {0}")]
    Auth(#[from] AuthError),
    /// The configuration could not be turned into a client.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The TLS or HTTP client could not be built from the configuration.
    #[error("building the HTTP client: {0}")]
    Build(String),
}

/// Why a request did not complete at the HTTP level, with the cause (I/O, TLS, proxy,
/// protocol) in its `source` chain.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The step a [`TransportError`] happened in, which decides whether a retry may help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be set up (refused, DNS, proxy, TLS handshake): nothing was sent.
    Connect,
    /// The whole-request timeout (or a stream's) elapsed.
    Timeout,
    /// The connection failed while the request was sent or the response head was read.
    Request,
    /// The response body could not be read to its end.
    Body,
    /// Too many redirects, or one to a URL that cannot be followed.
    Redirect,
    /// The response body stopped arriving: no bytes for the configured stall time.
    Stalled,
}

impl TransportError {
    pub(crate) fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    pub(crate) fn bare(kind: TransportErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// The step that failed.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// True when no connection could be set up.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// True when a timeout elapsed (the whole request's, or the body stalled).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Timeout | TransportErrorKind::Stalled
        )
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.kind {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Request => "request failed",
            TransportErrorKind::Body => "reading the response body failed",
            TransportErrorKind::Redirect => "redirect not followed",
            TransportErrorKind::Stalled => "the response stalled",
        })?;
        // The causes inline: hyper's own messages are generic ("client error (Connect)"),
        // the useful words are further down the chain.
        let mut next = self
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static));
        let mut last = String::new();
        while let Some(err) = next {
            let text = err.to_string();
            if !text.starts_with("client error (") && !last.contains(&text) {
                write!(f, ": {text}")?;
            }
            last = text;
            next = match err.downcast_ref::<std::io::Error>() {
                Some(io) => io
                    .get_ref()
                    .map(|inner| inner as &(dyn std::error::Error + 'static)),
                None => err.source(),
            };
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Why no credential could be attached to a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The exec plugin failed or printed no usable credential.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// A `tokenFile` could not be read.
    #[error("reading token file {path}: {source}")]
    TokenFile {
        /// The file's path.
        path: String,
        /// The read's error.
        #[source]
        source: std::io::Error,
    },
    /// The token holds bytes an HTTP header cannot carry.
    #[error("the credential is not a valid HTTP header value")]
    InvalidHeader,
    /// The client certificate an exec plugin printed is unusable.
    #[error("exec plugin client certificate: {0}")]
    ClientCert(String),
}

/// A failure answered by the API server: the HTTP code and its `Status` body.
///
/// When the body is not a `Status` (a proxy's HTML page, say), one is synthesized from
/// the HTTP code the way client-go does, so the predicates still work.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{verb} {url}: {status}")]
pub struct ApiError {
    /// The HTTP method (`GET`).
    pub verb: String,
    /// The URL asked for.
    pub url: String,
    /// The HTTP status code of the response (the watch event's `code` for watch errors).
    pub code: u16,
    /// The server's `Status`, or one made from the HTTP code.
    pub status: Status,
}

impl ApiError {
    /// Builds the error for a non-success response from its code and body.
    pub fn from_response(verb: &str, url: &str, code: u16, body: &[u8]) -> Self {
        // A client that asked for protobuf gets its errors as protobuf too.
        #[cfg(feature = "protobuf")]
        let parsed = super::protobuf::status(body);
        #[cfg(not(feature = "protobuf"))]
        let parsed = None;
        let parsed = parsed
            .or_else(|| serde_json::from_slice::<Status>(body).ok())
            .filter(|s| s.kind.as_deref() == Some("Status"));
        let status = match parsed {
            Some(mut s) => {
                if s.code.unwrap_or(0) == 0 {
                    s.code = Some(i32::from(code));
                }
                s
            }
            None => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                let message = if text.is_empty() {
                    format!("the server responded with HTTP {code}")
                } else {
                    text.chars().take(512).collect()
                };
                Status::failure(code, reason_for_code(code), message)
            }
        };
        Self {
            verb: verb.to_owned(),
            url: url.to_owned(),
            code,
            status,
        }
    }

    /// Builds the error for a `Status` the server sent inside a body (a watch `ERROR`
    /// event): the code is the status's own.
    pub fn from_status(verb: &str, url: &str, status: Status) -> Self {
        let code = status
            .code
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(500);
        Self {
            verb: verb.to_owned(),
            url: url.to_owned(),
            code,
            status,
        }
    }

    /// The `reason` of the status (`NotFound`, `Conflict`, ...), or "" when absent.
    pub fn reason(&self) -> &str {
        self.status.reason()
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        self.status.message.as_deref().unwrap_or("")
    }

    fn is(&self, reason: &str, code: u16) -> bool {
        let r = self.reason();
        if r.is_empty() {
            self.code == code
        } else {
            r == reason
        }
    }

    /// `NotFound` (404).
    pub fn is_not_found(&self) -> bool {
        self.is("NotFound", 404)
    }
    /// `AlreadyExists`: a create of a name that is taken.
    pub fn is_already_exists(&self) -> bool {
        self.reason() == "AlreadyExists"
    }
    /// `Conflict` (409): an update against a stale resource version.
    pub fn is_conflict(&self) -> bool {
        self.is("Conflict", 409)
    }
    /// `Invalid` (422): the object failed validation (`details.causes` say where).
    pub fn is_invalid(&self) -> bool {
        self.is("Invalid", 422)
    }
    /// `410 Gone`, or reason `Expired`/`Gone`: relist (watch too old, continue expired).
    pub fn is_gone(&self) -> bool {
        self.code == 410 || matches!(self.reason(), "Gone" | "Expired")
    }
    /// The resource version asked for is too large (watch cache not yet there).
    pub fn is_resource_expired(&self) -> bool {
        self.reason() == "Expired"
    }
    /// `TooManyRequests` (429): throttled; see [`ApiError::retry_after_seconds`].
    pub fn is_too_many_requests(&self) -> bool {
        self.is("TooManyRequests", 429)
    }
    /// `Forbidden` (403).
    pub fn is_forbidden(&self) -> bool {
        self.is("Forbidden", 403)
    }
    /// `Unauthorized` (401).
    pub fn is_unauthorized(&self) -> bool {
        self.is("Unauthorized", 401)
    }
    /// `BadRequest` (400).
    pub fn is_bad_request(&self) -> bool {
        self.is("BadRequest", 400)
    }
    /// `MethodNotAllowed` (405).
    pub fn is_method_not_supported(&self) -> bool {
        self.is("MethodNotAllowed", 405)
    }
    /// `Timeout` (504): the request could not finish in time.
    pub fn is_timeout(&self) -> bool {
        self.is("Timeout", 504)
    }
    /// `ServerTimeout`: the server could not finish in time and the request may be retried.
    pub fn is_server_timeout(&self) -> bool {
        self.reason() == "ServerTimeout"
    }
    /// `InternalError` (500).
    pub fn is_internal_error(&self) -> bool {
        self.is("InternalError", 500)
    }
    /// `ServiceUnavailable` (503).
    pub fn is_service_unavailable(&self) -> bool {
        self.is("ServiceUnavailable", 503)
    }
    /// Seconds the server asked to wait, from `details.retryAfterSeconds`.
    pub fn retry_after_seconds(&self) -> Option<i32> {
        self.status.details.as_ref()?.retry_after_seconds
    }
}

/// The `metav1.StatusReason` client-go assigns to a bare HTTP code.
pub(crate) fn reason_for_code(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Gone",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "",
    }
}

macro_rules! delegate {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("[`ApiError::", stringify!($name), "`] of an API error; false for any other error.")]
            pub fn $name(&self) -> bool {
                self.api().is_some_and(ApiError::$name)
            }
        )*
    };
}

impl Error {
    /// The API error, when the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    delegate!(
        is_not_found,
        is_already_exists,
        is_conflict,
        is_invalid,
        is_gone,
        is_resource_expired,
        is_too_many_requests,
        is_forbidden,
        is_unauthorized,
        is_bad_request,
        is_method_not_supported,
        is_timeout,
        is_server_timeout,
        is_internal_error,
        is_service_unavailable,
    );

    /// True when the request failed in the TLS handshake (unknown CA, bad certificate).
    pub fn is_tls(&self) -> bool {
        match self {
            Error::Transport { source, .. } => is_tls_error(source),
            _ => false,
        }
    }

    /// True for a connection-level failure (refused, reset, TLS, timeout).
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport { .. })
    }
}

/// Whether a rustls error is somewhere in the chain of `err`.
pub(crate) fn is_tls_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = current {
        if err.is::<rustls::Error>() {
            return true;
        }
        // `io::Error::source` skips the error it wraps; step into it explicitly.
        current = match err.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => None,
            },
            None => err.source(),
        };
    }
    false
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_body_is_kept() {
        let body = br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"missing\" not found","reason":"NotFound","details":{"name":"missing","kind":"configmaps"},"code":404}"#;
        let e: Error = ApiError::from_response("GET", "https://x/api/v1/x", 404, body).into();
        assert!(e.is_not_found());
        assert!(!e.is_conflict());
        let api = e.api().unwrap();
        assert_eq!(
            api.status.details.as_ref().unwrap().name.as_deref(),
            Some("missing")
        );
        assert!(e.to_string().contains("not found"), "{e}");
    }

    #[test]
    fn non_status_body_gets_a_reason() {
        let e = ApiError::from_response("GET", "u", 503, b"<html>down</html>");
        assert!(e.is_service_unavailable());
        assert_eq!(e.message(), "<html>down</html>");
        let e = ApiError::from_response("GET", "u", 410, b"");
        assert!(e.is_gone());
    }

    #[test]
    fn expired_watch_status_is_gone() {
        let status: Status = serde_json::from_slice(
            br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old","reason":"Expired","code":410}"#,
        )
        .unwrap();
        let e = ApiError::from_status("GET", "u", status);
        assert_eq!(e.code, 410);
        assert!(e.is_gone());
        assert!(e.is_resource_expired());
    }
}
