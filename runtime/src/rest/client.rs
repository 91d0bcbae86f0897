//! `Client`: one API server connection pool with its credentials, rate limiter and retry
//! policy. Cloning is cheap (an `Arc`) and clones share everything, including the rate
//! limiter's bucket and cached credentials.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, Uri};
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::auth::Auth;
use super::connector::Connector;
use super::error::{Error, Result};
use super::pool::Pools;
use super::proxy::ProxyRules;
use super::rate_limit::TokenBucket;
use super::request::RequestBuilder;
use super::tls;
use super::uri::Base;
use crate::config::{Config, ContentType, Impersonate, RetryPolicy};

/// How long an idle pooled connection is kept (Go's `IdleConnTimeout`).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// A client for one API server (client-go's `rest.RESTClient` plus its transport).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) pools: Pools,
    pub(crate) base: Base,
    pub(crate) base_url: Uri,
    pub(crate) user_agent: HeaderValue,
    pub(crate) proxies: Arc<ProxyRules>,
    pub(crate) auth: Auth,
    pub(crate) limiter: Option<TokenBucket>,
    pub(crate) retry: RetryPolicy,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) body_stall_timeout: Option<Duration>,
    pub(crate) default_namespace: String,
    pub(crate) max_watch_event_bytes: usize,
    pub(crate) content_type: ContentType,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base_url)
            .field("default_namespace", &self.inner.default_namespace)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client from a configuration (TLS, credentials, limits). Exec plugins and
    /// token files are not touched until the first request.
    pub fn new(config: Config) -> Result<Self> {
        let (tls_config, cert_slot) = tls::client_config(&config.tls).map_err(Error::Build)?;
        let base = Base::new(&config.cluster_url).map_err(Error::Build)?;
        let proxies = Arc::new(ProxyRules::new(config.proxy_url.as_ref()).map_err(Error::Build)?);
        let connector = Connector::new(
            tls_config,
            config.tls.server_name.as_deref(),
            proxies.clone(),
            config.connect_timeout,
        )
        .map_err(Error::Build)?;
        let mut builder = hyper_util::client::legacy::Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT);
        #[cfg(feature = "http2")]
        builder
            .timer(TokioTimer::new())
            // client-go pings an HTTP/2 connection idle for 30 s and drops it after 15 s
            // without an answer, so a watch on a dead connection does not hang forever.
            .http2_keep_alive_interval(Duration::from_secs(30))
            .http2_keep_alive_timeout(Duration::from_secs(15));
        let pools = Pools::new(
            builder,
            connector,
            cert_slot.clone(),
            config.max_streams_per_connection,
        );
        let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| {
            Error::Build(format!(
                "user agent {:?} is not a valid header",
                config.user_agent
            ))
        })?;
        let auth = Auth::new(&config.auth, cert_slot)?;
        let limiter = config.rate_limit.map(TokenBucket::new).transpose()?;
        let base_url = base.uri();
        Ok(Self {
            inner: Arc::new(Inner {
                pools,
                base,
                base_url,
                user_agent,
                proxies,
                auth,
                limiter,
                retry: config.retry,
                headers: client_headers(&config)?,
                timeout: config.timeout,
                body_stall_timeout: config.body_stall_timeout,
                default_namespace: config.default_namespace,
                max_watch_event_bytes: config.max_watch_event_bytes,
                content_type: config.content_type,
            }),
        })
    }

    /// A client from the default configuration chain ([`Config::infer`]).
    pub fn try_default() -> Result<Self> {
        Self::new(Config::infer()?)
    }

    /// The namespace of the configuration's context (`default` when it has none).
    pub fn default_namespace(&self) -> &str {
        &self.inner.default_namespace
    }

    /// The API server's base URL (scheme, host and path prefix; no credentials or query).
    pub fn base_url(&self) -> &Uri {
        &self.inner.base_url
    }

    /// Starts a request with any verb; see [`RequestBuilder`] for the path and body.
    pub fn request(&self, verb: Method) -> RequestBuilder {
        RequestBuilder::new(self.clone(), verb)
    }

    /// Starts a GET request.
    pub fn get(&self) -> RequestBuilder {
        self.request(Method::GET)
    }

    /// Starts a POST request.
    pub fn post(&self) -> RequestBuilder {
        self.request(Method::POST)
    }

    /// Starts a PUT request.
    pub fn put(&self) -> RequestBuilder {
        self.request(Method::PUT)
    }

    /// Starts a PATCH request.
    pub fn patch(&self) -> RequestBuilder {
        self.request(Method::PATCH)
    }

    /// Starts a DELETE request.
    pub fn delete(&self) -> RequestBuilder {
        self.request(Method::DELETE)
    }
}

/// The headers every request of a client carries: impersonation and compression.
fn client_headers(config: &Config) -> Result<HeaderMap> {
    let mut headers = impersonation_headers(config.impersonate.as_ref())?;
    if config.compression {
        headers.insert(
            http::header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip"),
        );
    }
    Ok(headers)
}

/// The `Impersonate-*` headers of a configuration.
fn impersonation_headers(imp: Option<&Impersonate>) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    let Some(imp) = imp else {
        return Ok(headers);
    };
    let value = |v: &str| {
        HeaderValue::from_str(v).map_err(|_| {
            Error::InvalidRequest(format!("impersonation value {v:?} is not a valid header"))
        })
    };
    if !imp.user.is_empty() {
        headers.insert("impersonate-user", value(&imp.user)?);
    }
    if let Some(uid) = &imp.uid {
        headers.insert("impersonate-uid", value(uid)?);
    }
    for group in &imp.groups {
        headers.append("impersonate-group", value(group)?);
    }
    for (key, values) in &imp.extra {
        // Extra keys may hold characters not allowed in header names: percent-encode them.
        let encoded: String = form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>();
        let name = HeaderName::from_bytes(format!("impersonate-extra-{encoded}").as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("impersonation extra key {key:?}")))?;
        for v in values {
            headers.append(name.clone(), value(v)?);
        }
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impersonation_headers_are_built() {
        let imp = Impersonate {
            user: "jane".into(),
            uid: None,
            groups: vec!["a".into(), "b".into()],
            extra: [("scopes".to_string(), vec!["x".to_string()])].into(),
        };
        let h = impersonation_headers(Some(&imp)).unwrap();
        assert_eq!(h["impersonate-user"], "jane");
        assert_eq!(h.get_all("impersonate-group").iter().count(), 2);
        assert_eq!(h["impersonate-extra-scopes"], "x");
    }
}
