//! The WebSocket upgrade of a connect request: a fresh HTTP/1.1 connection from the client's
//! own connector (so TLS, `tls-server-name`, proxies and client certificates are those of
//! every other request), the client's credentials and headers, and the server's `Status`
//! when it refuses.

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONNECTION, PROXY_AUTHORIZATION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION, UPGRADE, USER_AGENT,
};
use http::{HeaderValue, Method, Request, StatusCode, Uri};
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

/// An upgraded connection and the subprotocol the server chose.
pub(crate) struct Upgrade {
    pub(crate) socket: Socket,
    pub(crate) protocol: String,
}

/// Upgrades `GET url` to a WebSocket speaking one of `protocols` (most preferred first).
/// A `401` with a refreshable credential (token file, exec plugin) is tried once more with a
/// fresh one, as for every other request.
pub(crate) async fn websocket(
    client: &Client,
    url: &Uri,
    protocols: &[&str],
) -> Result<Upgrade, Error> {
    let inner = &client.inner;
    let attempt = async {
        let mut refreshed = false;
        loop {
            let sent_auth = inner.auth.header().await.map_err(rest::Error::Auth)?;
            // After the credentials: an exec plugin may just have set a new certificate.
            let (connector, cert_generation) = inner.pools.upgrade_connector();
            match try_upgrade(client, connector, url, protocols, sent_auth.clone()).await {
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
        Some(t) => tokio::time::timeout(t, attempt)
            .await
            .map_err(|_| transport(url, TransportError::bare(TransportErrorKind::Timeout)))?,
        None => attempt.await,
    }
}

async fn try_upgrade(
    client: &Client,
    mut connector: Connector,
    url: &Uri,
    protocols: &[&str],
    auth: Option<HeaderValue>,
) -> Result<Upgrade, Error> {
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
    let key = generate_key();
    let mut request = Request::builder()
        .method(Method::GET)
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
    let code = response.status();
    if code != StatusCode::SWITCHING_PROTOCOLS {
        return Err(refusal(url, response).await);
    }
    let accept = response.headers().get(SEC_WEBSOCKET_ACCEPT);
    if accept.map(HeaderValue::as_bytes) != Some(derive_accept_key(key.as_bytes()).as_bytes()) {
        return Err(Error::Handshake {
            url: url.to_string(),
            message: "the server's Sec-WebSocket-Accept does not match the key sent".into(),
        });
    }
    let protocol = response
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|p| p.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_owned();
    if !protocols.contains(&protocol.as_str()) {
        return Err(Error::Handshake {
            url: url.to_string(),
            message: format!(
                "the server chose subprotocol {protocol:?}, not one of those offered ({})",
                protocols.join(", ")
            ),
        });
    }
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| transport(url, TransportError::new(TransportErrorKind::Request, e)))?;
    let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, None).await;
    tracing::debug!(url = %rest_url(url), %protocol, "connect: upgraded to WebSocket");
    Ok(Upgrade { socket, protocol })
}

/// The error for an answer that is not `101 Switching Protocols`: the server's `Status`
/// for an error code; for a success code, a server that does not speak WebSocket here.
async fn refusal(url: &Uri, response: http::Response<hyper::body::Incoming>) -> Error {
    let code = response.status();
    let body = match Limited::new(response.into_body(), MAX_REFUSAL_BODY)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if code.is_success() || code.is_redirection() {
        return Error::UpgradeRefused {
            url: rest_url(url),
            code: code.as_u16(),
            body: String::from_utf8_lossy(&body).chars().take(512).collect(),
        };
    }
    Error::Request(rest::Error::Api(Box::new(ApiError::from_response(
        "GET",
        &rest_url(url),
        code.as_u16(),
        &body,
    ))))
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
