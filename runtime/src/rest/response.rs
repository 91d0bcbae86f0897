//! `Response`: a successful answer of the API server whose body has not been read yet —
//! its status, headers and final URL, and the body whole ([`Response::bytes`]) or as a
//! stream of chunks ([`Response::bytes_stream`]). A whole-request timeout set on the
//! request still bounds reading the body, and a body that stalls (no bytes for the
//! configured time) ends with [`TransportErrorKind::Stalled`].

use bytes::{Bytes, BytesMut};
use futures_util::stream::{self, StreamExt};
use http::{HeaderMap, StatusCode, Uri, Version};
use hyper::body::Incoming;

use super::body::Body;
use super::deadline::ReadLimits;
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
    body: Body,
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
        let (mut parts, body) = response.into_parts();
        let body = Body::new(body, &parts.headers);
        // As Go's transport does when it decompresses: the headers describe what one reads.
        if body.is_decoded() {
            parts.headers.remove(http::header::CONTENT_ENCODING);
            parts.headers.remove(http::header::CONTENT_LENGTH);
        }
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

    /// Whether the server sent the body gzip-encoded and it is decoded as it is read (Go's
    /// `Response.Uncompressed`); its `Content-Encoding` and `Content-Length` headers were
    /// removed then, since they describe the wire.
    pub fn decompressed(&self) -> bool {
        self.body.is_decoded()
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
            match body.next_chunk(limits).await {
                Ok(None) => return Ok(out.into_bytes()),
                Ok(Some(data)) => out.push(data),
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
            match body.next_chunk(limits).await {
                Ok(None) => None,
                Err(e) => Some((Err(transport(&verb, &url, e)), None)),
                Ok(Some(data)) => Some((Ok(data), Some((body, verb, url, limits, lease)))),
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
