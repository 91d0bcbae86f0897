//! `Response`: a successful answer of the API server whose body has not been read yet —
//! its status, headers and final URL, and the body whole ([`Response::bytes`]) or as a
//! stream of chunks ([`Response::bytes_stream`]). A whole-request timeout set on the
//! request still bounds reading the body.

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use http::{HeaderMap, StatusCode, Uri, Version};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::time::Instant;

use super::error::{Error, Result, TransportError, TransportErrorKind};
use super::request::ByteStream;

/// The answer to a request sent with [`RequestBuilder::send`](super::RequestBuilder::send).
#[derive(Debug)]
pub struct Response {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    url: Uri,
    verb: String,
    body: Incoming,
    deadline: Option<Instant>,
}

impl Response {
    pub(crate) fn new(
        response: http::Response<Incoming>,
        verb: String,
        url: Uri,
        deadline: Option<Instant>,
    ) -> Self {
        let (parts, body) = response.into_parts();
        Self {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            url,
            verb,
            body,
            deadline,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The HTTP version the server answered with.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The URL that answered (after redirects).
    pub fn url(&self) -> &Uri {
        &self.url
    }

    /// Reads the whole body.
    pub async fn bytes(self) -> Result<Bytes> {
        let (verb, url, deadline) = (self.verb, self.url, self.deadline);
        let read = self.body.collect();
        let collected = match deadline {
            Some(d) => tokio::time::timeout_at(d, read).await.map_err(|_| {
                transport(
                    &verb,
                    &url,
                    TransportError::bare(TransportErrorKind::Timeout),
                )
            })?,
            None => read.await,
        };
        collected.map(|c| c.to_bytes()).map_err(|e| {
            transport(
                &verb,
                &url,
                TransportError::new(TransportErrorKind::Body, e),
            )
        })
    }

    /// Reads the whole body as text (invalid UTF-8 replaced).
    pub async fn text(self) -> Result<String> {
        let bytes = self.bytes().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The body as a stream of chunks, ending with an error if the connection breaks (or
    /// the request's timeout elapses) before the body's end.
    pub fn bytes_stream(self) -> ByteStream {
        let state = Some((self.body, self.verb, self.url, self.deadline));
        stream::unfold(state, |state| async move {
            let (mut body, verb, url, deadline) = state?;
            loop {
                let next = match deadline {
                    Some(d) => match tokio::time::timeout_at(d, body.frame()).await {
                        Ok(next) => next,
                        Err(_) => {
                            let e = TransportError::bare(TransportErrorKind::Timeout);
                            return Some((Err(transport(&verb, &url, e)), None));
                        }
                    },
                    None => body.frame().await,
                };
                match next {
                    None => return None,
                    Some(Err(e)) => {
                        let e = TransportError::new(TransportErrorKind::Body, e);
                        return Some((Err(transport(&verb, &url, e)), None));
                    }
                    Some(Ok(frame)) => {
                        // Trailers carry no data; skip them.
                        if let Ok(data) = frame.into_data() {
                            if !data.is_empty() {
                                return Some((Ok(data), Some((body, verb, url, deadline))));
                            }
                        }
                    }
                }
            }
        })
        .boxed()
    }
}

fn transport(verb: &str, url: &Uri, source: TransportError) -> Error {
    Error::Transport {
        verb: verb.to_owned(),
        url: url.to_string(),
        source,
    }
}
