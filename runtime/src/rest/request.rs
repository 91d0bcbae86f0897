//! `RequestBuilder`: the path, query, body and headers of one API request, and sending it
//! through the client's rate limiter, credentials and retry policy.
//!
//! Paths are built from parts the way client-go's `rest.Request` does:
//! `{base}/api/v1` or `{base}/apis/{group}/{version}`, then `namespaces/{ns}`,
//! `{resource}`, `{name}`, `{subresource}`; or an absolute path for non-resource URLs.
//! Each part is percent-encoded as one path segment.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use http::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::client::Client;
use super::error::{ApiError, Error, Result};
use super::options::ToQuery;
use super::retry;
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
    pub fn url(&self) -> Result<url::Url> {
        let mut url = self.client.inner.base.clone();
        {
            let mut segs = url
                .path_segments_mut()
                .map_err(|_| Error::InvalidRequest("the base URL cannot have a path".into()))?;
            segs.pop_if_empty();
            if let Some(abs) = &self.abs_path {
                for seg in abs.split('/').filter(|s| !s.is_empty()) {
                    segs.push(seg);
                }
            } else {
                if self.group.is_empty() {
                    segs.push("api");
                } else {
                    segs.push("apis").push(&self.group);
                }
                segs.push(&self.version);
                if let Some(ns) = &self.namespace {
                    check_segment("namespace", ns)?;
                    segs.push("namespaces").push(ns);
                }
                if let Some(r) = &self.resource {
                    check_segment("resource", r)?;
                    segs.push(r);
                }
                if let Some(n) = &self.name {
                    check_segment("name", n)?;
                    segs.push(n);
                }
                if let Some(s) = &self.subresource {
                    for part in s.split('/').filter(|p| !p.is_empty()) {
                        check_segment("subresource", part)?;
                        segs.push(part);
                    }
                }
            }
        }
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url)
    }

    /// Sends the request and returns the response when its status is a success; an error
    /// status becomes [`Error::Api`].
    pub async fn send(self) -> Result<reqwest::Response> {
        let timeout = self.timeout.unwrap_or(self.client.inner.timeout);
        self.execute(timeout).await
    }

    /// Sends the request and returns the whole body.
    pub async fn bytes(self) -> Result<Bytes> {
        let verb = self.verb.to_string();
        let resp = self.send().await?;
        let url = resp.url().to_string();
        resp.bytes()
            .await
            .map_err(|source| Error::Transport { verb, url, source })
    }

    /// Sends the request and decodes the JSON body.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T> {
        let shared = self.shared;
        let verb = self.verb.to_string();
        let resp = self.send().await?;
        let url = resp.url().to_string();
        let bytes = resp.bytes().await.map_err(|source| Error::Transport {
            verb: verb.clone(),
            url: url.clone(),
            source,
        })?;
        crate::meta::sharing::decode_shared_if(shared, || decode(&bytes, &verb, &url))
    }

    /// Sends the request and streams the body (no whole-request timeout unless set).
    pub async fn stream(self) -> Result<ByteStream> {
        let verb = self.verb.to_string();
        let timeout = self.timeout.unwrap_or(None);
        let resp = self.execute(timeout).await?;
        let url = resp.url().to_string();
        Ok(resp
            .bytes_stream()
            .map_err(move |source| Error::Transport {
                verb: verb.clone(),
                url: url.clone(),
                source,
            })
            .boxed())
    }

    /// Sends a watch request (the caller sets `watch=true` or uses a watch path) and decodes
    /// its events as they arrive.
    pub async fn watch<K: DeserializeOwned + Send + 'static>(self) -> Result<WatchStream<K>> {
        let max = self.client.inner.max_watch_event_bytes;
        let shared = self.shared;
        let timeout = self.timeout.unwrap_or(None);
        let resp = self.execute(timeout).await?;
        let url = resp.url().to_string();
        let verb = "GET".to_owned();
        let (v, u) = (verb.clone(), url.clone());
        let body = resp
            .bytes_stream()
            .map_err(move |source| Error::Transport {
                verb: v.clone(),
                url: u.clone(),
                source,
            })
            .boxed();
        Ok(WatchStream::new(body, url, max).decode_shared(shared))
    }

    /// The send loop: rate limit, credentials, retries, 401 refresh, status check.
    async fn execute(self, timeout: Option<Duration>) -> Result<reqwest::Response> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let url = self.url()?;
        let inner = &self.client.inner;
        let verb_s = self.verb.to_string();
        let url_s = url.to_string();
        let mut attempt: u32 = 0;
        let mut transport_retries: u32 = 0;
        let mut refreshed_auth = false;
        loop {
            if let Some(limiter) = &inner.limiter {
                limiter.acquire().await;
            }
            let mut req = inner.http.request(self.verb.clone(), url.clone());
            let mut headers = inner.headers.clone();
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            if let Some(ct) = &self.content_type {
                headers.insert(CONTENT_TYPE, ct.clone());
            }
            for (name, value) in &self.headers {
                headers.insert(name.clone(), value.clone());
            }
            if let Some(auth) = inner.auth.header().await? {
                headers.insert(AUTHORIZATION, auth);
            }
            req = req.headers(headers);
            if let Some(body) = &self.body {
                req = req.body(body.clone());
            }
            if let Some(t) = timeout {
                req = req.timeout(t);
            }
            let started = Instant::now();
            let result = req.send().await;
            let resp = match result {
                Ok(resp) => resp,
                Err(source) => {
                    if attempt < inner.retry.max_retries
                        && transport_retries < inner.retry.max_transport_retries
                        && retry::transport_retryable(&self.verb, &source)
                    {
                        attempt += 1;
                        transport_retries += 1;
                        let wait = retry::backoff(&inner.retry, transport_retries);
                        tracing::debug!(verb = %verb_s, url = %url_s, error = %source, attempt, ?wait, "retrying after a transport error");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(Error::Transport {
                        verb: verb_s,
                        url: url_s,
                        source,
                    });
                }
            };
            let status = resp.status();
            tracing::debug!(verb = %verb_s, url = %url_s, status = status.as_u16(), elapsed = ?started.elapsed(), "request");
            log_warnings(&verb_s, &url_s, resp.headers());
            if status.is_success() {
                return Ok(resp);
            }
            if status == StatusCode::UNAUTHORIZED
                && !refreshed_auth
                && inner.auth.invalidate().await
            {
                refreshed_auth = true;
                tracing::debug!(verb = %verb_s, url = %url_s, "401: refreshing the credential and retrying once");
                continue;
            }
            if attempt < inner.retry.max_retries {
                if let Some(wait) =
                    retry::response_delay(&self.verb, status, resp.headers(), &inner.retry)
                {
                    attempt += 1;
                    tracing::debug!(verb = %verb_s, url = %url_s, status = status.as_u16(), attempt, ?wait, "retrying after Retry-After");
                    drop(resp);
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let body = read_limited(resp, MAX_ERROR_BODY).await;
            return Err(ApiError::from_response(&verb_s, &url_s, status.as_u16(), &body).into());
        }
    }
}

/// Reads at most `limit` bytes of an error body; a broken body gives what arrived.
async fn read_limited(resp: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        let room = limit.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= limit {
            break;
        }
    }
    out
}

/// Decodes a JSON body, naming the type and request on failure.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8], verb: &str, url: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| Error::Decode {
        what: short_type_name::<T>(),
        verb: verb.to_owned(),
        url: url.to_owned(),
        source,
    })
}

fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    // `a::b::List<c::d::Pod>` → `List<Pod>`
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
            u.as_str(),
            "https://k.example:6443/apis/apps/v1/namespaces/ns/deployments/web/scale"
        );
        let u = c
            .get()
            .resource("pods")
            .param("labelSelector", "a in (b, c)")
            .url()
            .unwrap();
        assert_eq!(
            u.as_str(),
            "https://k.example:6443/api/v1/pods?labelSelector=a+in+%28b%2C+c%29"
        );
    }

    #[test]
    fn keeps_a_base_path_prefix() {
        let c = client("https://rancher.example/k8s/clusters/c-1/");
        let u = c.get().abs_path("/version").url().unwrap();
        assert_eq!(
            u.as_str(),
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
            short_type_name::<crate::meta::List<crate::meta::Status>>(),
            "List<Status>"
        );
    }
}
