//! The upgrade of a connect request to WebSocket or SPDY/3.1: a fresh HTTP/1.1 connection
//! from the client's own connector (so TLS, `tls-server-name`, proxies and client certificates are those of
//! every other request), the client's credentials and headers, and the server's `Status`
//! when it refuses.

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONNECTION, PROXY_AUTHORIZATION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION, UPGRADE, USER_AGENT,
};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use tower_service::Service;

use super::Error;
use crate::rest::{self, ApiError, Client, Connector, TransportError, TransportErrorKind};

/// The WebSocket of an upgraded connect request.
pub(crate) type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// The most of a refusal's body kept for its error.
const MAX_REFUSAL_BODY: usize = 1 << 20;
/// The `Upgrade` token of SPDY.
pub(crate) const SPDY_31: &str = "SPDY/3.1";
/// The header that offers (request) and names (response) a SPDY stream protocol.
const STREAM_PROTOCOL_VERSION: &str = "x-stream-protocol-version";

/// An upgraded connection and the subprotocol the server chose.
pub(crate) struct Upgrade {
    pub(crate) socket: Socket,
    pub(crate) protocol: String,
}

/// A connection upgraded to SPDY/3.1.
pub(crate) struct SpdyUpgrade {
    pub(crate) io: TokioIo<Upgraded>,
}

/// Upgrades `GET url` to a WebSocket speaking one of `protocols` (most preferred first).
pub(crate) async fn websocket(
    client: &Client,
    url: &Uri,
    protocols: &[&str],
) -> Result<Upgrade, Error> {
    with_retry(client, url, |connector, auth| {
        try_websocket(client, connector, url, protocols, auth)
    })
    .await
}

/// Upgrades `POST url` to SPDY/3.1 speaking one of `protocols` (most preferred first).
/// POST, as client-go sends it: authorization sees the `create` verb.
pub(crate) async fn spdy(
    client: &Client,
    url: &Uri,
    protocols: &[&str],
) -> Result<SpdyUpgrade, Error> {
    with_retry(client, url, |connector, auth| {
        try_spdy(client, connector, url, protocols, auth)
    })
    .await
}

/// Runs `attempt` within the client's timeout. A `401` with a refreshable credential
/// (token file, exec plugin) is tried once more with a fresh one, as for every other
/// request.
async fn with_retry<T, F, Fut>(client: &Client, url: &Uri, attempt: F) -> Result<T, Error>
where
    F: Fn(Connector, Option<HeaderValue>) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let inner = &client.inner;
    let attempts = async {
        let mut refreshed = false;
        loop {
            let sent_auth = inner.auth.header().await.map_err(rest::Error::Auth)?;
            // After the credentials: an exec plugin may just have set a new certificate.
            let (connector, cert_generation) = inner.pools.upgrade_connector();
            match attempt(connector, sent_auth.clone()).await {
                Err(Error::Request(rest::Error::Api(e)))
                    if e.code == 401
                        && !refreshed
                        && inner
                            .auth
                            .invalidate(sent_auth.as_ref(), cert_generation)
                            .await =>
                {
                    refreshed = true;
                }
                other => return other,
            }
        }
    };
    match inner.timeout {
        Some(t) => tokio::time::timeout(t, attempts)
            .await
            .map_err(|_| transport(url, TransportError::bare(TransportErrorKind::Timeout)))?,
        None => attempts.await,
    }
}

async fn try_websocket(
    client: &Client,
    connector: Connector,
    url: &Uri,
    protocols: &[&str],
    auth: Option<HeaderValue>,
) -> Result<Upgrade, Error> {
    let key = generate_key();
    let mut headers = HeaderMap::new();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
    headers.insert(
        SEC_WEBSOCKET_KEY,
        HeaderValue::from_str(&key).map_err(|_| rest::Error::InvalidRequest("key".into()))?,
    );
    headers.insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_str(&protocols.join(", "))
            .map_err(|_| rest::Error::InvalidRequest(format!("subprotocols {protocols:?}")))?,
    );
    let response = send(
        client,
        connector,
        url,
        Method::GET,
        headers,
        auth,
        "WebSocket",
    )
    .await?;
    let accept = response.headers().get(SEC_WEBSOCKET_ACCEPT);
    if accept.map(HeaderValue::as_bytes) != Some(derive_accept_key(key.as_bytes()).as_bytes()) {
        return Err(Error::Handshake {
            url: rest_url(url),
            message: "the server's Sec-WebSocket-Accept does not match the key sent".into(),
        });
    }
    let protocol = chosen(url, &response, SEC_WEBSOCKET_PROTOCOL.as_str(), protocols)?;
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| transport(url, TransportError::new(TransportErrorKind::Request, e)))?;
    let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, None).await;
    tracing::debug!(url = %rest_url(url), %protocol, "connect: upgraded to WebSocket");
    Ok(Upgrade { socket, protocol })
}

async fn try_spdy(
    client: &Client,
    connector: Connector,
    url: &Uri,
    protocols: &[&str],
    auth: Option<HeaderValue>,
) -> Result<SpdyUpgrade, Error> {
    let mut headers = HeaderMap::new();
    headers.insert(UPGRADE, HeaderValue::from_static(SPDY_31));
    for protocol in protocols {
        headers.append(
            STREAM_PROTOCOL_VERSION,
            HeaderValue::from_str(protocol)
                .map_err(|_| rest::Error::InvalidRequest(format!("protocol {protocol:?}")))?,
        );
    }
    let response = send(client, connector, url, Method::POST, headers, auth, SPDY_31).await?;
    // client-go's check: the answer must name the upgrade and SPDY/3.1.
    let has = |name: http::header::HeaderName, token: &str| {
        response
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.to_ascii_lowercase().contains(&token.to_ascii_lowercase()))
    };
    if !has(CONNECTION, "upgrade") || !has(UPGRADE, SPDY_31) {
        return Err(Error::Handshake {
            url: rest_url(url),
            message: "the 101 answer does not name an upgrade to SPDY/3.1".into(),
        });
    }
    let protocol = chosen(url, &response, STREAM_PROTOCOL_VERSION, protocols)?;
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| transport(url, TransportError::new(TransportErrorKind::Request, e)))?;
    tracing::debug!(url = %rest_url(url), %protocol, "connect: upgraded to SPDY/3.1");
    Ok(SpdyUpgrade {
        io: TokioIo::new(upgraded),
    })
}

/// The protocol the server chose in `header`, which must be one of those offered.
fn chosen(
    url: &Uri,
    response: &http::Response<hyper::body::Incoming>,
    header: &str,
    protocols: &[&str],
) -> Result<String, Error> {
    let protocol = response
        .headers()
        .get(header)
        .and_then(|p| p.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_owned();
    if !protocols.contains(&protocol.as_str()) {
        return Err(Error::Handshake {
            url: rest_url(url),
            message: format!(
                "the server chose protocol {protocol:?}, not one of those offered ({})",
                protocols.join(", ")
            ),
        });
    }
    Ok(protocol)
}

/// Sends the upgrade request over a fresh connection: the client's headers, user agent
/// and credentials, `Connection: Upgrade` and the protocol's `headers`. Anything but
/// `101 Switching Protocols` is the refusal's error.
async fn send(
    client: &Client,
    mut connector: Connector,
    url: &Uri,
    method: Method,
    protocol_headers: HeaderMap,
    auth: Option<HeaderValue>,
    protocol: &'static str,
) -> Result<http::Response<hyper::body::Incoming>, Error> {
    let inner = &client.inner;
    let io = connector
        .call(url.clone())
        .await
        .map_err(|e| transport(url, TransportError::new(TransportErrorKind::Connect, e)))?;
    // A forwarding proxy (an `http` server behind an HTTP proxy) takes the absolute URL.
    let target = if io.is_forwarding() {
        url.clone()
    } else {
        url.path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/")
            .parse::<Uri>()
            .map_err(|e| rest::Error::InvalidRequest(format!("connect path: {e}")))?
    };
    let method_name = method.to_string();
    let mut request = Request::builder()
        .method(method)
        .uri(target)
        .body(Empty::<Bytes>::new())
        .map_err(|e| rest::Error::InvalidRequest(e.to_string()))?;
    let headers = request.headers_mut();
    headers.extend(inner.headers.clone());
    headers.insert(USER_AGENT, inner.user_agent.clone());
    if let Some(host) = url
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    {
        headers.insert(http::header::HOST, host);
    }
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.extend(protocol_headers);
    if let Some(auth) = auth {
        headers.insert(AUTHORIZATION, auth);
    }
    if let Some(proxy_auth) = inner.proxies.forward_auth(url) {
        headers.insert(PROXY_AUTHORIZATION, proxy_auth);
    }

    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| transport(url, TransportError::new(TransportErrorKind::Request, e)))?;
    // Drives the connection until the upgrade hands the socket over (or it fails).
    tokio::spawn(async move {
        if let Err(e) = connection.with_upgrades().await {
            tracing::debug!(error = %e, "connect: upgrade connection ended");
        }
    });
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| transport(url, TransportError::new(TransportErrorKind::Request, e)))?;
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        return Err(refusal(url, response, protocol, method_name).await);
    }
    Ok(response)
}

/// The error for an answer that is not `101 Switching Protocols`: the server's `Status`
/// when it sent one with an error code (the API server's answer about the request: the
/// pod, its container, the caller's rights); otherwise a server that does not speak
/// `protocol` here ([`Error::UpgradeRefused`]).
async fn refusal(
    url: &Uri,
    response: http::Response<hyper::body::Incoming>,
    protocol: &'static str,
    verb: String,
) -> Error {
    let code = response.status();
    let body = match Limited::new(response.into_body(), MAX_REFUSAL_BODY)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let is_status = serde_json::from_slice::<crate::meta::Status>(&body)
        .is_ok_and(|s| s.kind.as_deref() == Some("Status"));
    if is_status && (code.is_client_error() || code.is_server_error()) {
        return Error::Request(rest::Error::Api(Box::new(ApiError::from_response(
            &verb,
            &rest_url(url),
            code.as_u16(),
            &body,
        ))));
    }
    Error::UpgradeRefused {
        url: rest_url(url),
        protocol,
        code: code.as_u16(),
        body: String::from_utf8_lossy(&body)
            .trim()
            .chars()
            .take(512)
            .collect(),
    }
}

fn transport(url: &Uri, source: TransportError) -> Error {
    Error::Request(rest::Error::Transport {
        verb: "GET".into(),
        url: rest_url(url),
        source,
    })
}

/// The URL as errors and logs show it (no credentials).
pub(crate) fn rest_url(url: &Uri) -> String {
    crate::config::redact_url(url)
}
