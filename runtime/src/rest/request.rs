//! `RequestBuilder`: the path, query, body and headers of one API request, and sending it
//! through the client's rate limiter, credentials and retry policy: each attempt is built,
//! sent once, and what came back decided on by `attempts` (retries: `retry`, redirects:
//! `redirect`).
//!
//! Paths are built from parts the way client-go's `rest.Request` does:
//! `{base}/api/v1` or `{base}/apis/{group}/{version}`, then `namespaces/{ns}`,
//! `{resource}`, `{name}`, `{subresource}`; or an absolute path for non-resource URLs.
//! Each part is percent-encoded as one path segment.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use http::header::{
    HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, PROXY_AUTHORIZATION, USER_AGENT,
};
use http::{HeaderMap, Method, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use serde_core::de::DeserializeOwned;
use serde_core::Serialize;

use super::attempts::{Attempts, Decision, Failure, Outcome};
use super::client::Client;
use super::error::{ApiError, Error, Result, TransportError, TransportErrorKind};
use super::list_decoder::ListDecoder;
use super::options::ToQuery;
use super::pool::{Checkout, Lane};
use super::redirect;
use super::response::Response;
use super::warning::log_warnings;
use super::watch::WatchStream;

/// A stream of raw response body chunks (pod logs, a future dynamic client's watch).
pub type ByteStream = BoxStream<'static, Result<Bytes>>;

/// Largest error body read to build an [`ApiError`]; the rest is dropped.
const MAX_ERROR_BODY: usize = 1 << 20;

/// One request being built. Errors found while building (a body that does not serialize)
/// are kept and reported by the terminal method, so calls chain without `?`.
#[must_use = "a request does nothing until sent"]
pub struct RequestBuilder {
    client: Client,
    verb: Method,
    abs_path: Option<String>,
    group: String,
    version: String,
    namespace: Option<String>,
    resource: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
    query: Vec<(String, String)>,
    body: Option<Bytes>,
    content_type: Option<HeaderValue>,
    headers: Vec<(HeaderName, HeaderValue)>,
    timeout: Option<Option<Duration>>,
    error: Option<Error>,
    /// Decode responses inside a sharing scope ([`crate::meta::sharing`]).
    shared: bool,
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, verb: Method) -> Self {
        Self {
            client,
            verb,
            abs_path: None,
            group: String::new(),
            version: "v1".into(),
            namespace: None,
            resource: None,
            name: None,
            subresource: None,
            query: Vec::new(),
            body: None,
            content_type: None,
            headers: Vec::new(),
            timeout: None,
            error: None,
            shared: false,
        }
    }

    /// Decodes the response (`json`, `watch`) with [`sharing`](crate::meta::sharing) on:
    /// repeated long strings and field sets come from the shared pools, for objects a cache
    /// keeps.
    pub fn decode_shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// The API group and version (`""`/`"v1"` for the core group, served under `/api`).
    pub fn group_version(mut self, group: &str, version: &str) -> Self {
        self.group = group.to_owned();
        self.version = version.to_owned();
        self
    }

    /// The namespace; `None` or `""` means none (cluster scope or all namespaces).
    pub fn namespace<'a>(mut self, namespace: impl Into<Option<&'a str>>) -> Self {
        self.namespace = namespace
            .into()
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        self
    }

    /// The resource's plural name (`pods`).
    pub fn resource(mut self, resource: &str) -> Self {
        self.resource = Some(resource.to_owned());
        self
    }

    /// The object's name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// A subresource (`status`, `scale`, `log`, `eviction`, ...).
    pub fn subresource(mut self, subresource: &str) -> Self {
        self.subresource = Some(subresource.to_owned());
        self
    }

    /// An absolute path under the base URL (`/version`, `/openapi/v3`), replacing the
    /// group/version/resource parts.
    pub fn abs_path(mut self, path: &str) -> Self {
        self.abs_path = Some(path.to_owned());
        self
    }

    /// Adds the query parameters of typed options (or a slice of pairs).
    pub fn query(mut self, options: impl ToQuery) -> Self {
        options.append_query(&mut self.query);
        self
    }

    /// Adds one query parameter.
    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// A JSON body.
    pub fn json_body<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Some(bytes.into());
                self.content_type = Some(HeaderValue::from_static("application/json"));
            }
            Err(e) => self.error = Some(Error::Encode(e)),
        }
        self
    }

    /// A raw body with its content type.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        self.body = Some(body.into());
        match HeaderValue::from_str(content_type) {
            Ok(v) => self.content_type = Some(v),
            Err(_) => {
                self.error = Some(Error::InvalidRequest(format!(
                    "content type {content_type:?} is not a valid header value"
                )))
            }
        }
        self
    }

    /// An extra header (`Accept` here replaces the JSON default).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Overrides the whole-request timeout (`None`: no timeout).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The URL this request goes to.
    pub fn url(&self) -> Result<Uri> {
        let mut segments: Vec<&str> = Vec::new();
        if let Some(abs) = &self.abs_path {
            segments.extend(abs.split('/').filter(|s| !s.is_empty()));
        } else {
            if self.group.is_empty() {
                segments.push("api");
            } else {
                segments.extend(["apis", self.group.as_str()]);
            }
            segments.push(&self.version);
            if let Some(ns) = &self.namespace {
                check_segment("namespace", ns)?;
                segments.extend(["namespaces", ns.as_str()]);
            }
            if let Some(r) = &self.resource {
                check_segment("resource", r)?;
                segments.push(r);
            }
            if let Some(n) = &self.name {
                check_segment("name", n)?;
                segments.push(n);
            }
            if let Some(s) = &self.subresource {
                for part in s.split('/').filter(|p| !p.is_empty()) {
                    check_segment("subresource", part)?;
                    segments.push(part);
                }
            }
        }
        self.client
            .inner
            .base
            .join(segments, &self.query)
            .map_err(Error::InvalidRequest)
    }

    /// Sends the request and returns the response when its status is a success; an error
    /// status becomes [`Error::Api`]. Redirects are followed (at most 10, as Go does).
    pub async fn send(self) -> Result<Response> {
        let timeout = self.timeout.unwrap_or(self.client.inner.timeout);
        let stall = self.client.inner.body_stall_timeout;
        self.execute(Lane::Short, timeout, stall).await
    }

    /// Sends the request and returns the whole body.
    pub async fn bytes(self) -> Result<Bytes> {
        self.send().await?.bytes().await
    }

    /// Sends the request and decodes the JSON body.
    pub fn json<T: DeserializeOwned>(self) -> JsonFuture<T> {
        JsonFuture {
            body: Box::pin(self.json_body_bytes()),
            #[cfg(feature = "protobuf")]
            protobuf: None,
            _decodes: PhantomData,
        }
    }

    /// Sends the request asking for protobuf when `decode` is given (JSON stays acceptable)
    /// and decodes the answer in whichever encoding it came.
    #[cfg(feature = "protobuf")]
    pub(crate) fn negotiated<T: DeserializeOwned>(
        self,
        decode: Option<super::protobuf::Decode<T>>,
    ) -> JsonFuture<T> {
        JsonFuture {
            body: Box::pin(self.accept_protobuf(decode.is_some()).json_body_bytes()),
            protobuf: decode,
            _decodes: PhantomData,
        }
    }

    /// Asks for protobuf, JSON as the fallback, unless the caller chose the Accept header
    /// (the metadata-only forms name their own protobuf and JSON variants).
    #[cfg(feature = "protobuf")]
    fn accept_protobuf(self, yes: bool) -> Self {
        if yes && !self.headers.iter().any(|(name, _)| name == ACCEPT) {
            self.header(ACCEPT, super::protobuf::ACCEPT)
        } else {
            self
        }
    }

    /// Sends the request and decodes a list, leaving out (and describing) the items `T`
    /// rejects instead of failing the whole page. JSON is decoded as the body streams in:
    /// its text is never held whole, so a one-shot list of a large cluster costs its
    /// objects, not also its hundreds of megabytes of JSON. With an item decoder, protobuf
    /// is asked for and, if the server answers with it, decoded as it streams in too (an
    /// item protobuf cannot read fails the list: protobuf has no per-item leniency).
    pub(crate) async fn json_list_skipping_undecodable<T: DeserializeOwned>(
        self,
        #[cfg(feature = "protobuf")] protobuf: Option<super::protobuf::Decode<T>>,
    ) -> Result<(crate::meta::List<T>, Vec<super::UndecodableObject>)> {
        #[cfg(feature = "protobuf")]
        let req = self.accept_protobuf(protobuf.is_some());
        #[cfg(not(feature = "protobuf"))]
        let req = self;
        let shared = req.shared;
        let verb = req.verb.clone();
        let max_item = req.client.inner.max_watch_event_bytes;
        let resp = req.send().await?;
        let url = resp.url().to_string();
        #[cfg(feature = "protobuf")]
        let is_protobuf = super::protobuf::is_protobuf(resp.headers());
        let mut body = resp.bytes_stream();
        #[cfg(feature = "protobuf")]
        if is_protobuf {
            let what = short_type_name(std::any::type_name::<T>());
            let decode = protobuf.ok_or_else(|| unasked_protobuf(&what, verb.as_str(), &url))?;
            let failed = |source| Error::ProtobufDecode {
                what: what.clone(),
                verb: verb.to_string(),
                url: url.clone(),
                source,
            };
            let mut decoder = super::proto_list_decoder::ProtoListDecoder::new(decode, max_item);
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                crate::meta::sharing::decode_shared_if(shared, || decoder.feed(&chunk))
                    .map_err(failed)?;
            }
            return decoder
                .finish()
                .map(|list| (list, Vec::new()))
                .map_err(failed);
        }
        let mut decoder = ListDecoder::<T>::new(verb.as_str(), &url, max_item, true);
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            crate::meta::sharing::decode_shared_if(shared, || decoder.feed(&chunk))?;
        }
        decoder.finish()
    }

    /// The sending half of [`Self::json`], apart from the decoding so it is compiled once
    /// rather than once per decoded type.
    async fn json_body_bytes(self) -> Result<JsonBody> {
        let shared = self.shared;
        let verb = self.verb.clone();
        let resp = self.send().await?;
        let url = resp.url().to_string();
        #[cfg(feature = "protobuf")]
        let protobuf = super::protobuf::is_protobuf(resp.headers());
        let bytes = resp.bytes().await?;
        Ok(JsonBody {
            bytes,
            verb,
            url,
            shared,
            #[cfg(feature = "protobuf")]
            protobuf,
        })
    }

    /// Sends the request and streams the body. No whole-request timeout unless set, or
    /// unless the request asks the server for `timeoutSeconds` (then a little longer).
    pub async fn stream(self) -> Result<ByteStream> {
        let timeout = self.stream_timeout();
        Ok(self
            .execute(Lane::Long, timeout, None)
            .await?
            .bytes_stream())
    }

    /// The whole-request timeout of a stream (watch, logs): the one set on the request,
    /// else a little past the `timeoutSeconds` the server was asked to end it after (as
    /// client-go does), so a server that stops sending cannot hold it open for ever.
    fn stream_timeout(&self) -> Option<Duration> {
        self.timeout.unwrap_or_else(|| {
            self.query
                .iter()
                .find(|(name, _)| name == "timeoutSeconds")
                .and_then(|(_, secs)| secs.parse::<u64>().ok())
                .and_then(super::deadline::past_server_timeout)
        })
    }

    /// Sends a watch request (the caller sets `watch=true` or uses a watch path) and decodes
    /// its events as they arrive.
    pub fn watch<K: DeserializeOwned + Send + 'static>(self) -> WatchFuture<K> {
        WatchFuture {
            body: Box::pin(self.watch_body()),
            #[cfg(feature = "protobuf")]
            protobuf: None,
            _decodes: PhantomData,
        }
    }

    /// Sends a watch request asking for protobuf when `decode` is given (JSON stays
    /// acceptable) and decodes the events in whichever encoding they come.
    #[cfg(feature = "protobuf")]
    pub(crate) fn watch_negotiated<K: DeserializeOwned + Send + 'static>(
        self,
        decode: Option<super::protobuf::Decode<K>>,
    ) -> WatchFuture<K> {
        WatchFuture {
            body: Box::pin(self.accept_protobuf(decode.is_some()).watch_body()),
            protobuf: decode,
            _decodes: PhantomData,
        }
    }

    /// The sending half of [`Self::watch`], compiled once.
    async fn watch_body(self) -> Result<WatchBody> {
        let max = self.client.inner.max_watch_event_bytes;
        let shared = self.shared;
        let timeout = self.stream_timeout();
        let resp = self.execute(Lane::Long, timeout, None).await?;
        let url = resp.url().to_string();
        #[cfg(feature = "protobuf")]
        let protobuf = super::protobuf::is_protobuf(resp.headers());
        #[cfg(not(feature = "protobuf"))]
        let protobuf = false;
        Ok(WatchBody {
            body: resp.bytes_stream(),
            url,
            max,
            shared,
            protobuf,
        })
    }

    /// The send loop: each attempt is built and sent once, then what came back is decided
    /// on ([`Attempts::decide`]: done, retry after a wait, follow a redirect, refresh the
    /// credential, fail) and the decision carried out here. `lane`: the connections it
    /// goes out on (watches and streams apart); `timeout`: each attempt's, from sending to
    /// the end of the body; `stall`: the longest wait for a body frame.
    async fn execute(
        self,
        lane: Lane,
        timeout: Option<Duration>,
        stall: Option<Duration>,
    ) -> Result<Response> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let origin = self.url()?;
        let inner = &self.client.inner;
        let verb_s = self.verb.to_string();
        let mut target = Target {
            verb: self.verb.clone(),
            url: origin.clone(),
            body: self.body.clone(),
        };
        let mut attempts = Attempts::default();
        loop {
            if let Some(limiter) = &inner.limiter {
                limiter.acquire().await;
            }
            let (request, sent_auth) = self.build(&target, &origin).await?;
            let url_s = target.url.to_string();
            let sent = send_once(&self.client, lane, request, timeout, &verb_s).await;
            let decision;
            (attempts, decision) =
                attempts.decide(&target.verb, &target.url, &sent.outcome(), &inner.retry);
            let resp = match sent.answer {
                Ok(resp) => resp,
                Err(error) => {
                    if let Decision::RetryAfter(wait) = decision {
                        tracing::debug!(verb = %verb_s, url = %url_s, %error, attempt = attempts.retries, ?wait, "retrying after a transport error");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(Error::Transport {
                        verb: verb_s,
                        url: url_s,
                        source: error,
                    });
                }
            };
            let limits = super::deadline::ReadLimits {
                deadline: sent.deadline,
                stall,
            };
            match decision {
                Decision::Done => {
                    return Ok(Response::new(resp, verb_s, target.url, limits)
                        .holding(sent.checkout.lease))
                }
                Decision::RetryAfter(wait) => {
                    tracing::debug!(verb = %verb_s, url = %url_s, status = resp.status().as_u16(), attempt = attempts.retries, ?wait, "retrying after Retry-After");
                    drop(resp);
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Decision::Redirect(hop) => {
                    tracing::debug!(verb = %verb_s, from = %url_s, to = %super::uri::redact(&hop.to), status = resp.status().as_u16(), "following a redirect");
                    target.follow(hop);
                    continue;
                }
                Decision::RefreshCredentials => {
                    // The generation the attempt went out with, not the current one: a
                    // refresh another request made meanwhile must not be thrown away.
                    if inner
                        .auth
                        .invalidate(sent_auth.as_ref(), sent.checkout.cert_generation)
                        .await
                    {
                        tracing::debug!(verb = %verb_s, url = %url_s, "401: refreshing the credential and retrying once");
                        continue;
                    }
                }
                Decision::Fail(Failure::Redirect(why)) => {
                    return Err(Error::Transport {
                        verb: verb_s,
                        url: url_s,
                        source: TransportError::new(TransportErrorKind::Redirect, why),
                    })
                }
                Decision::Fail(Failure::Status | Failure::Transport) => {}
            }
            return Err(api_error(resp, &verb_s, &url_s, limits).await);
        }
    }

    /// One attempt's HTTP request to `target`, and the `Authorization` it carries (the
    /// credential a 401 rejects). Credentials go only where
    /// [`redirect::carries_credentials`] allows.
    async fn build(
        &self,
        target: &Target,
        origin: &Uri,
    ) -> Result<(http::Request<Full<Bytes>>, Option<HeaderValue>)> {
        let inner = &self.client.inner;
        let trusted = redirect::carries_credentials(&target.url, origin);
        let mut headers = self.headers(target, trusted);
        let mut sent_auth = None;
        if trusted {
            if let Some(auth) = inner.auth.header().await? {
                sent_auth = Some(auth.clone());
                headers.insert(AUTHORIZATION, auth);
            }
        }
        if let Some(proxy_auth) = inner.proxies.forward_auth(&target.url) {
            headers.insert(PROXY_AUTHORIZATION, proxy_auth);
        }
        let mut req = http::Request::new(Full::new(target.body.clone().unwrap_or_default()));
        *req.method_mut() = target.verb.clone();
        *req.uri_mut() = target.url.clone();
        *req.headers_mut() = headers;
        Ok((req, sent_auth))
    }

    /// The headers of an attempt but its credentials: the client's, `User-Agent`, JSON as
    /// the default `Accept`, the body's `Content-Type`, then the caller's (less the
    /// credential ones when not `trusted`).
    fn headers(&self, target: &Target, trusted: bool) -> HeaderMap {
        let inner = &self.client.inner;
        let mut headers = inner.headers.clone();
        headers.insert(USER_AGENT, inner.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let (Some(ct), Some(_)) = (&self.content_type, &target.body) {
            headers.insert(CONTENT_TYPE, ct.clone());
        }
        for (name, value) in &self.headers {
            if trusted || !redirect::is_credential_header(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        headers
    }
}

/// Where an attempt goes and what it carries; a redirect changes it.
struct Target {
    verb: Method,
    url: Uri,
    body: Option<Bytes>,
}

impl Target {
    fn follow(&mut self, hop: redirect::Hop) {
        self.url = hop.to;
        self.verb = hop.verb;
        if !hop.keep_body {
            self.body = None;
        }
    }
}

/// One attempt sent: the answer (or why none came), the pool it went out on (its stream
/// lease and certificate generation) and its deadline, which the body keeps.
struct Sent {
    answer: std::result::Result<http::Response<Incoming>, TransportError>,
    checkout: Checkout,
    deadline: Option<tokio::time::Instant>,
}

impl Sent {
    /// How the attempt ended, for [`Attempts::decide`].
    fn outcome(&self) -> Outcome<'_> {
        match &self.answer {
            Ok(resp) => Outcome::Answered {
                status: resp.status(),
                headers: resp.headers(),
            },
            Err(error) => Outcome::Failed(error),
        }
    }
}

/// Sends `request` once on `lane`, within `timeout` until the response head. The pool is
/// checked out only now, after the credentials were read: an exec plugin may just have
/// set a new client certificate. `verb` names the request in logs.
async fn send_once(
    client: &Client,
    lane: Lane,
    request: http::Request<Full<Bytes>>,
    timeout: Option<Duration>,
    verb: &str,
) -> Sent {
    let url = request.uri().to_string();
    let started = Instant::now();
    let deadline = super::deadline::deadline_in(timeout);
    let checkout = client.inner.pools.checkout(lane);
    let sending = checkout.http.request(request);
    let answer = match deadline {
        Some(d) => match tokio::time::timeout_at(d, sending).await {
            Ok(result) => result.map_err(transport_error),
            Err(_) => Err(TransportError::bare(TransportErrorKind::Timeout)),
        },
        None => sending.await.map_err(transport_error),
    };
    if let Ok(resp) = &answer {
        tracing::debug!(%verb, %url, status = resp.status().as_u16(), elapsed = ?started.elapsed(), "request");
        log_warnings(verb, &url, resp.headers());
    }
    Sent {
        answer,
        checkout,
        deadline,
    }
}

/// A failure of hyper-util's client as our transport error: connection set-up failures
/// (nothing was sent) apart from failures during the exchange.
fn transport_error(e: hyper_util::client::legacy::Error) -> TransportError {
    let kind = if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Request
    };
    TransportError::new(kind, e)
}

/// The [`ApiError`] of an error status, from at most [`MAX_ERROR_BODY`] bytes of its body.
async fn api_error(
    resp: http::Response<Incoming>,
    verb: &str,
    url: &str,
    limits: super::deadline::ReadLimits,
) -> Error {
    let status = resp.status().as_u16();
    let (parts, body) = resp.into_parts();
    let body = super::body::Body::new(body, &parts.headers);
    let body = read_limited(body, MAX_ERROR_BODY, limits).await;
    ApiError::from_response(verb, url, status, &body).into()
}

/// Reads at most `limit` bytes of an error body; a broken, late or stalled body gives
/// what arrived.
async fn read_limited(
    mut body: super::body::Body,
    limit: usize,
    limits: super::deadline::ReadLimits,
) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = body.next_chunk(limits).await {
        let room = limit.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= limit {
            break;
        }
    }
    out
}

/// A request on its way whose JSON answer is decoded as `T` when it has arrived.
///
/// The sending is one boxed future whatever `T` is, so a program compiles it once and only
/// the decoding per type (an `async fn` generic over `T` would be a state machine per type,
/// and per calling method).
#[must_use = "futures do nothing unless polled"]
pub struct JsonFuture<T> {
    body: Pin<Box<dyn Future<Output = Result<JsonBody>> + Send>>,
    /// Decodes a protobuf answer (when protobuf was asked for).
    #[cfg(feature = "protobuf")]
    protobuf: Option<super::protobuf::Decode<T>>,
    _decodes: PhantomData<fn() -> T>,
}

impl<T> JsonFuture<T> {
    /// A future that fails at once (a request that could not be built).
    pub(crate) fn failed(error: Error) -> Self {
        Self {
            body: Box::pin(std::future::ready(Err(error))),
            #[cfg(feature = "protobuf")]
            protobuf: None,
            _decodes: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for JsonFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonFuture")
    }
}

impl<T: DeserializeOwned> Future for JsonFuture<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = self.get_mut();
        #[cfg(feature = "protobuf")]
        let protobuf = this.protobuf;
        this.body.as_mut().poll(cx).map(|body| {
            let body = body?;
            #[cfg(feature = "protobuf")]
            if body.protobuf {
                return body.decode_protobuf(protobuf);
            }
            body.decode()
        })
    }
}

/// A watch request on its way; resolves to the stream of its typed events. Like
/// [`JsonFuture`], the sending is compiled once for every kind.
#[must_use = "futures do nothing unless polled"]
pub struct WatchFuture<K> {
    body: Pin<Box<dyn Future<Output = Result<WatchBody>> + Send>>,
    /// Decodes the objects of a protobuf stream (when protobuf was asked for).
    #[cfg(feature = "protobuf")]
    protobuf: Option<super::protobuf::Decode<K>>,
    _decodes: PhantomData<fn() -> K>,
}

impl<K> WatchFuture<K> {
    /// A future that fails at once (a request that could not be built).
    pub(crate) fn failed(error: Error) -> Self {
        Self {
            body: Box::pin(std::future::ready(Err(error))),
            #[cfg(feature = "protobuf")]
            protobuf: None,
            _decodes: PhantomData,
        }
    }
}

impl<K> std::fmt::Debug for WatchFuture<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WatchFuture")
    }
}

impl<K: DeserializeOwned> Future for WatchFuture<K> {
    type Output = Result<WatchStream<K>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        #[cfg(feature = "protobuf")]
        let protobuf = this.protobuf;
        this.body.as_mut().poll(cx).map(|answer| {
            let WatchBody {
                body,
                url,
                max,
                shared,
                protobuf: protobuf_answer,
            } = answer?;
            #[cfg(feature = "protobuf")]
            if protobuf_answer {
                let decode =
                    protobuf.ok_or_else(|| unasked_protobuf("watch event", "GET", &url))?;
                return Ok(WatchStream::protobuf(body, url, max, decode).decode_shared(shared));
            }
            #[cfg(not(feature = "protobuf"))]
            let _ = protobuf_answer;
            Ok(WatchStream::new(body, url, max).decode_shared(shared))
        })
    }
}

/// A watch answer: its body, URL, event size bound, sharing choice and encoding.
struct WatchBody {
    body: ByteStream,
    url: String,
    max: usize,
    shared: bool,
    /// The events come as protobuf frames.
    protobuf: bool,
}

/// The error of a protobuf answer to a request that did not ask for one.
#[cfg(feature = "protobuf")]
fn unasked_protobuf(what: &str, verb: &str, url: &str) -> Error {
    Error::ProtobufDecode {
        what: what.to_owned(),
        verb: verb.to_owned(),
        url: url.to_owned(),
        source: crate::meta::proto::DecodeError::new(
            crate::meta::proto::DecodeErrorKind::Invalid(
                "a protobuf answer to a request that asked for JSON".into(),
            ),
            0,
        ),
    }
}

/// A JSON answer not decoded yet.
struct JsonBody {
    bytes: Bytes,
    verb: Method,
    url: String,
    shared: bool,
    /// The body is an enveloped protobuf object.
    #[cfg(feature = "protobuf")]
    protobuf: bool,
}

impl JsonBody {
    /// Decodes a protobuf body (the envelope included) with `decode`.
    #[cfg(feature = "protobuf")]
    fn decode_protobuf<T>(&self, decode: Option<super::protobuf::Decode<T>>) -> Result<T> {
        let what = short_type_name(std::any::type_name::<T>());
        let decode =
            decode.ok_or_else(|| unasked_protobuf(&what, self.verb.as_str(), &self.url))?;
        crate::meta::sharing::decode_shared_if(self.shared, || decode(&self.bytes)).map_err(
            |source| Error::ProtobufDecode {
                what,
                verb: self.verb.to_string(),
                url: self.url.clone(),
                source,
            },
        )
    }

    fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        crate::meta::sharing::decode_shared_if(self.shared, || {
            decode(&self.bytes, self.verb.as_str(), &self.url)
        })
    }
}

/// Decodes a JSON body, naming the type and request on failure.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8], verb: &str, url: &str) -> Result<T> {
    serde_json::from_slice(bytes)
        .map_err(|source| decode_error(std::any::type_name::<T>(), verb, url, source))
}

/// The error of a body that did not decode as `type_name`.
fn decode_error(type_name: &str, verb: &str, url: &str, source: serde_json::Error) -> Error {
    Error::Decode {
        what: short_type_name(type_name),
        verb: verb.to_owned(),
        url: url.to_owned(),
        source,
    }
}

/// `a::b::List<c::d::Pod>` → `List<Pod>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::new();
    for part in full.split_inclusive(['<', '>', ',', ' ']) {
        let (ident, sep) = match part.char_indices().last() {
            Some((i, '<' | '>' | ',' | ' ')) => (&part[..i], &part[i..]),
            _ => (part, ""),
        };
        out.push_str(ident.rsplit("::").next().unwrap_or(ident));
        out.push_str(sep);
    }
    out
}

/// Rejects path parts that would change the URL's meaning (`..`, `/`).
fn check_segment(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value == "." || value == ".." || value.contains('/') {
        return Err(Error::InvalidRequest(format!("invalid {what} {value:?}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn client(base: &str) -> Client {
        Client::new(Config::new(base.parse().unwrap())).unwrap()
    }

    #[test]
    fn builds_resource_urls() {
        let c = client("https://k.example:6443");
        let u = c
            .get()
            .group_version("apps", "v1")
            .namespace("ns")
            .resource("deployments")
            .name("web")
            .subresource("scale")
            .url()
            .unwrap();
        assert_eq!(
            u.to_string(),
            "https://k.example:6443/apis/apps/v1/namespaces/ns/deployments/web/scale"
        );
        let u = c
            .get()
            .resource("pods")
            .param("labelSelector", "a in (b, c)")
            .url()
            .unwrap();
        assert_eq!(
            u.to_string(),
            "https://k.example:6443/api/v1/pods?labelSelector=a+in+%28b%2C+c%29"
        );
    }

    #[test]
    fn keeps_a_base_path_prefix() {
        let c = client("https://rancher.example/k8s/clusters/c-1/");
        let u = c.get().abs_path("/version").url().unwrap();
        assert_eq!(
            u.to_string(),
            "https://rancher.example/k8s/clusters/c-1/version"
        );
    }

    #[test]
    fn rejects_traversal() {
        let c = client("https://k.example");
        assert!(c.get().resource("pods").name("..").url().is_err());
        assert!(c.get().namespace("a/b").resource("pods").url().is_err());
    }

    #[test]
    fn short_names() {
        assert_eq!(
            short_type_name(std::any::type_name::<crate::meta::List<crate::meta::Status>>()),
            "List<Status>"
        );
    }
}
