//! The connector under hyper-util's pooled client: TCP (with the connect timeout), then the
//! proxy if one applies, then TLS for `https` servers with our rustls configuration.
//!
//! Proxies as Go's transport uses them: an `https` server is reached through an HTTP(S)
//! proxy with a `CONNECT` tunnel; an `http` server's requests are forwarded by the proxy
//! (absolute-form request lines, `Proxy-Authorization` on each request, added by the
//! request sender from [`ProxyRules::forward_auth`]); SOCKS5 proxies tunnel both.
//!
//! The TLS server name (SNI, and the name the certificate is verified against) is the
//! kubeconfig's `tls-server-name` when set, the URL's host otherwise, as in client-go.
//! HTTP/2 is used when the server picks `h2` by ALPN (offered with the `http2` feature).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::{SocksV5, Tunnel};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use tower_service::Service;

use super::proxy::ProxyRules;
use super::uri::{redact, with_port};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// TCP keep-alive probes, as Go's default dialer sends them.
const TCP_KEEPALIVE: Duration = Duration::from_secs(30);

/// Why a connection could not be set up. The TLS variant keeps the rustls error in its
/// chain so callers can tell a certificate problem from an unreachable server.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectError {
    #[error("connecting to {addr}: {source}")]
    Tcp {
        addr: String,
        #[source]
        source: BoxError,
    },
    #[error("through proxy {proxy}: {message}")]
    Proxy {
        /// The proxy URL without credentials.
        proxy: String,
        message: String,
        #[source]
        source: Option<BoxError>,
    },
    #[error("TLS handshake with {name}: {source}")]
    Tls {
        name: String,
        #[source]
        source: io::Error,
    },
    #[error("invalid TLS server name {0:?}")]
    ServerName(String),
    #[error("the URL has no host")]
    NoHost,
    #[error("connection not established within {0:?}")]
    Timeout(Duration),
}

/// Sets up connections to the API server; cheap to clone (hyper-util clones it per
/// connection).
#[derive(Clone)]
pub(crate) struct Connector {
    tcp: HttpConnector,
    tls: TlsConnector,
    /// The configuration behind `tls`, to renew its session cache ([`Self::renewed`]).
    tls_config: Arc<ClientConfig>,
    /// For an `https` proxy: HTTP/1.1 only, since `CONNECT` is spoken over it.
    proxy_tls: TlsConnector,
    server_name: Option<ServerName<'static>>,
    proxies: Arc<ProxyRules>,
    timeout: Option<Duration>,
}

impl Connector {
    pub(crate) fn new(
        tls: ClientConfig,
        server_name: Option<&str>,
        proxies: Arc<ProxyRules>,
        connect_timeout: Option<Duration>,
    ) -> Result<Self, String> {
        let server_name = server_name
            .map(|n| {
                ServerName::try_from(n.to_owned())
                    .map_err(|e| format!("tls-server-name {n:?}: {e}"))
            })
            .transpose()?;
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_keepalive(Some(TCP_KEEPALIVE));
        let mut proxy_tls = tls.clone();
        proxy_tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let tls = Arc::new(tls);
        Ok(Self {
            tcp,
            tls: TlsConnector::from(tls.clone()),
            tls_config: tls,
            proxy_tls: TlsConnector::from(Arc::new(proxy_tls)),
            server_name,
            proxies,
            timeout: connect_timeout,
        })
    }

    /// The same connector with an empty TLS session cache. A resumed TLS session keeps the
    /// client certificate of the handshake that made it, so after the certificate changed,
    /// new connections must make full handshakes to present the new one.
    pub(crate) fn renewed(&self) -> Self {
        let mut config = (*self.tls_config).clone();
        config.resumption = rustls::client::Resumption::default();
        let config = Arc::new(config);
        Self {
            tls: TlsConnector::from(config.clone()),
            tls_config: config,
            ..self.clone()
        }
    }

    /// The same connector (trust, client identity, session cache) offering HTTP/1.1
    /// only: a protocol upgrade (WebSocket) exists in HTTP/1.1 alone.
    #[cfg(feature = "connect")]
    pub(crate) fn http1_only(&self) -> Self {
        let config = Arc::new(super::tls::http1_only(&self.tls_config));
        Self {
            tls: TlsConnector::from(config.clone()),
            tls_config: config,
            ..self.clone()
        }
    }

    /// TCP, proxy and TLS for one destination, within the connect timeout.
    async fn connect(self, dst: Uri) -> Result<Io, ConnectError> {
        match self.timeout {
            Some(t) => tokio::time::timeout(t, self.connect_now(dst))
                .await
                .map_err(|_| ConnectError::Timeout(t))?,
            None => self.connect_now(dst).await,
        }
    }

    async fn connect_now(self, dst: Uri) -> Result<Io, ConnectError> {
        let https = dst.scheme_str() == Some("https");
        let dst = with_port(&dst, if https { 443 } else { 80 }).ok_or(ConnectError::NoHost)?;
        let proxy = self.proxies.intercept(&dst);
        if let Some(proxy) = proxy.as_ref().filter(|p| !https && is_http_proxy(p.uri())) {
            return self.forwarding(proxy).await;
        }
        let stream = match &proxy {
            None => tcp(self.tcp.clone(), dst.clone()).await?,
            Some(proxy) => self.through_proxy(proxy, dst.clone()).await?,
        };
        if !https {
            return Ok(Io::new(stream, false));
        }
        let host = dst.host().ok_or(ConnectError::NoHost)?;
        let name = match &self.server_name {
            Some(name) => name.clone(),
            None => server_name(host)?,
        };
        let tls = handshake(&self.tls, name, stream).await?;
        let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
        Ok(Io::new(Stream::Tls(Box::new(tls)), h2))
    }

    /// A connection to an HTTP(S) proxy that forwards an `http` server's requests.
    async fn forwarding(
        &self,
        proxy: &hyper_util::client::proxy::matcher::Intercept,
    ) -> Result<Io, ConnectError> {
        let default_port = if proxy.uri().scheme_str() == Some("https") {
            443
        } else {
            80
        };
        let proxy_uri = with_port(proxy.uri(), default_port).ok_or(ConnectError::NoHost)?;
        let mut to_proxy = ToProxy {
            tcp: self.tcp.clone(),
            tls: self.proxy_tls.clone(),
        };
        tracing::debug!(proxy = %redact(&proxy_uri), "forwarding through a proxy");
        let io = to_proxy
            .call(proxy_uri.clone())
            .await
            .map_err(|e| ConnectError::Proxy {
                proxy: redact(&proxy_uri),
                message: e.to_string(),
                source: Some(e),
            })?;
        let mut io = Io::new(io.into_inner(), false);
        io.forwarding = true;
        Ok(io)
    }

    async fn through_proxy(
        &self,
        proxy: &hyper_util::client::proxy::matcher::Intercept,
        dst: Uri,
    ) -> Result<Stream, ConnectError> {
        let scheme = proxy.uri().scheme_str().unwrap_or("http");
        let default_port = match scheme {
            "https" => 443,
            "socks5" | "socks5h" => 1080,
            _ => 80,
        };
        let proxy_uri = with_port(proxy.uri(), default_port).ok_or(ConnectError::NoHost)?;
        let shown = redact(&proxy_uri);
        let to_proxy = ToProxy {
            tcp: self.tcp.clone(),
            tls: self.proxy_tls.clone(),
        };
        let failed = |message: String, source: Option<BoxError>| ConnectError::Proxy {
            proxy: shown.clone(),
            message,
            source,
        };
        tracing::debug!(proxy = %shown, dst = %redact(&dst), "connecting through a proxy");
        let io = match scheme {
            "socks5" | "socks5h" => {
                let mut socks = SocksV5::new(proxy_uri.clone(), to_proxy)
                    // socks5: resolve the server's name here; socks5h: the proxy resolves it.
                    .local_dns(scheme == "socks5");
                if let Some((user, pass)) = proxy.raw_auth() {
                    socks = socks.with_auth(user.to_owned(), pass.to_owned());
                }
                // hyper-util does not export its SOCKS error type; keep it whole as the
                // source.
                socks
                    .call(dst)
                    .await
                    .map_err(|e| failed(e.to_string(), Some(Box::new(e))))?
            }
            _ => {
                let mut tunnel = Tunnel::new(proxy_uri.clone(), to_proxy);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                tunnel
                    .call(dst)
                    .await
                    .map_err(|e| failed(e.to_string(), Some(Box::new(e))))?
            }
        };
        Ok(io.into_inner())
    }
}

impl Service<Uri> for Connector {
    type Response = Io;
    type Error = ConnectError;
    type Future = BoxFuture<Result<Io, ConnectError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        Box::pin(self.clone().connect(dst))
    }
}

/// Whether a proxy speaks HTTP (rather than SOCKS).
fn is_http_proxy(proxy: &Uri) -> bool {
    matches!(proxy.scheme_str(), Some("http" | "https"))
}

/// A TCP connection to `dst` (host and port).
async fn tcp(mut connector: HttpConnector, dst: Uri) -> Result<Stream, ConnectError> {
    let addr = dst.authority().map(|a| a.to_string()).unwrap_or_default();
    let io = connector.call(dst).await.map_err(|e| ConnectError::Tcp {
        addr,
        source: Box::new(e),
    })?;
    Ok(Stream::Tcp(io.into_inner()))
}

/// The TLS handshake over `stream`, verifying the peer as `name` (also the SNI sent).
async fn handshake(
    tls: &TlsConnector,
    name: ServerName<'static>,
    stream: Stream,
) -> Result<TlsStream<Stream>, ConnectError> {
    let shown = name.to_str().into_owned();
    tls.connect(name, stream)
        .await
        .map_err(|source| ConnectError::Tls {
            name: shown,
            source,
        })
}

/// The TLS name of a URL host: a DNS name or an IP address (brackets removed).
fn server_name(host: &str) -> Result<ServerName<'static>, ConnectError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_owned()).map_err(|_| ConnectError::ServerName(host.to_owned()))
}

/// The connection to a proxy itself, which hyper-util's `Tunnel` and `SocksV5` speak
/// through: TCP, with TLS for an `https` proxy (verified against the proxy's host, with the
/// same trust as the API server, as Go does).
#[derive(Clone)]
struct ToProxy {
    tcp: HttpConnector,
    tls: TlsConnector,
}

impl Service<Uri> for ToProxy {
    type Response = TokioIo<Stream>;
    type Error = BoxError;
    type Future = BoxFuture<Result<TokioIo<Stream>, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, proxy: Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let stream = tcp(this.tcp, proxy.clone()).await?;
            if proxy.scheme_str() != Some("https") {
                return Ok(TokioIo::new(stream));
            }
            let host = proxy.host().ok_or(ConnectError::NoHost)?;
            let tls = handshake(&this.tls, server_name(host)?, stream).await?;
            Ok(TokioIo::new(Stream::Tls(Box::new(tls))))
        })
    }
}

/// A byte stream to the server: plain TCP, or TLS over another stream (over TCP, or over
/// the TLS connection to an `https` proxy).
pub(crate) enum Stream {
    Tcp(TcpStream),
    Tls(Box<TlsStream<Stream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Tcp(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A connection as hyper sees it, telling the pool whether `h2` was negotiated and whether
/// requests go to a forwarding proxy (sent in absolute form).
pub(crate) struct Io {
    inner: TokioIo<Stream>,
    h2: bool,
    forwarding: bool,
}

impl Io {
    fn new(stream: Stream, h2: bool) -> Self {
        Self {
            inner: TokioIo::new(stream),
            h2,
            forwarding: false,
        }
    }

    /// Whether requests on this connection go to a forwarding proxy (absolute-form URIs).
    #[cfg(feature = "connect")]
    pub(crate) fn is_forwarding(&self) -> bool {
        self.forwarding
    }
}

impl Connection for Io {
    fn connected(&self) -> Connected {
        let connected = Connected::new().proxy(self.forwarding);
        if self.h2 {
            connected.negotiated_h2()
        } else {
            connected
        }
    }
}

impl Read for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl Write for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
