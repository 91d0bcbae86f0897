//! `Response`: a successful answer of the API server whose body has not been read yet —
//! its status, headers and final URL, and the body whole ([`Response::bytes`]) or as a
//! stream of chunks ([`Response::bytes_stream`]). A whole-request timeout set on the
//! request still bounds reading the body, and a body that stalls (no bytes for the
//! configured time) ends with [`TransportErrorKind::Stalled`].

use bytes::{Bytes, BytesMut};
use futures_util::stream::{self, StreamExt};
use http::{HeaderMap, StatusCode, Uri, Version};
use hyper::body::Incoming;

use super::deadline::{next_frame, ReadLimits};
use super::error::{Error, Result, TransportError};
use super::pool::StreamLease;
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
    limits: ReadLimits,
    /// The long-lane stream this body occupies, freed when the body is dropped.
    lease: Option<StreamLease>,
}

impl Response {
    pub(crate) fn new(
        response: http::Response<Incoming>,
        verb: String,
        url: Uri,
        limits: ReadLimits,
    ) -> Self {
        let (parts, body) = response.into_parts();
        Self {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            url,
            verb,
            body,
            limits,
            lease: None,
        }
    }

    /// Keeps `lease` for as long as the body is read.
    pub(crate) fn holding(mut self, lease: Option<StreamLease>) -> Self {
        self.lease = lease;
        self
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
        let (verb, url, limits, mut body) = (self.verb, self.url, self.limits, self.body);
        let mut out = Gathered::default();
        loop {
            match next_frame(&mut body, limits).await {
                Ok(None) => return Ok(out.into_bytes()),
                Ok(Some(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        out.push(data);
                    }
                }
                Err(e) => return Err(transport(&verb, &url, e)),
            }
        }
    }

    /// Reads the whole body as text (invalid UTF-8 replaced).
    pub async fn text(self) -> Result<String> {
        let bytes = self.bytes().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The body as a stream of chunks, ending with an error if the connection breaks (or
    /// the request's timeout elapses) before the body's end.
    pub fn bytes_stream(self) -> ByteStream {
        let state = Some((self.body, self.verb, self.url, self.limits, self.lease));
        stream::unfold(state, |state| async move {
            let (mut body, verb, url, limits, lease) = state?;
            loop {
                match next_frame(&mut body, limits).await {
                    Ok(None) => return None,
                    Err(e) => return Some((Err(transport(&verb, &url, e)), None)),
                    Ok(Some(frame)) => {
                        // Trailers carry no data; skip them.
                        if let Ok(data) = frame.into_data() {
                            if !data.is_empty() {
                                let rest = Some((body, verb, url, limits, lease));
                                return Some((Ok(data), rest));
                            }
                        }
                    }
                }
            }
        })
        .boxed()
    }
}

/// A body's chunks joined: a body of one chunk is kept as it is, without a copy.
#[derive(Default)]
enum Gathered {
    #[default]
    Empty,
    One(Bytes),
    Many(BytesMut),
}

impl Gathered {
    fn push(&mut self, chunk: Bytes) {
        *self = match std::mem::take(self) {
            Gathered::Empty => Gathered::One(chunk),
            Gathered::One(first) => {
                let mut all = BytesMut::with_capacity(first.len() + chunk.len());
                all.extend_from_slice(&first);
                all.extend_from_slice(&chunk);
                Gathered::Many(all)
            }
            Gathered::Many(mut all) => {
                all.extend_from_slice(&chunk);
                Gathered::Many(all)
            }
        };
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Gathered::Empty => Bytes::new(),
            Gathered::One(b) => b,
            Gathered::Many(all) => all.freeze(),
        }
    }
}

fn transport(verb: &str, url: &Uri, source: TransportError) -> Error {
    Error::Transport {
        verb: verb.to_owned(),
        url: url.to_string(),
        source,
    }
}
