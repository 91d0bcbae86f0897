//! The client's own connection stack: the SNI it sends (`tls-server-name` as in client-go),
//! proxies from the kubeconfig (HTTP `CONNECT` with credentials, SOCKS5), a server behind a
//! path prefix, redirects and the whole-request timeout.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use kubegen_runtime::config::{Config, Kubeconfig, Overrides, TlsConfig};
use kubegen_runtime::rest::{Client, GetOptions, ListOptions, ResourceClient, TransportErrorKind};
use kubegen_testserver::TestServer;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use support::{serve_http, serve_https, ConfigMap, Pki};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Answers `GET .../configmaps/{name}` with a config map of that name.
fn app() -> Router {
    Router::new().route(
        "/api/v1/namespaces/{ns}/configmaps/{name}",
        get(
            |axum::extract::Path((_ns, name)): axum::extract::Path<(String, String)>| async move {
                serde_json::to_string(&ConfigMap::named(&name)).unwrap()
            },
        ),
    )
}

fn config(url: &str) -> Config {
    let mut c = Config::new(url.parse().unwrap());
    c.rate_limit = None;
    c.timeout = Some(Duration::from_secs(10));
    c
}

async fn get_cm(config: Config) -> kubegen_runtime::rest::Result<ConfigMap> {
    let client = Client::new(config)?;
    ResourceClient::<ConfigMap>::namespaced(client, "default")
        .get("cm1", &GetOptions::default())
        .await
}

/// A certificate resolver that records the SNI of each handshake.
#[derive(Debug)]
struct RecordSni {
    inner: Arc<dyn ResolvesServerCert>,
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

impl ResolvesServerCert for RecordSni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.seen
            .lock()
            .unwrap()
            .push(hello.server_name().map(str::to_owned));
        self.inner.resolve(hello)
    }
}

/// An HTTPS server for `names` that records the SNI it gets.
async fn sni_server(pki: &Pki) -> (support::Server, Arc<Mutex<Vec<Option<String>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut server_config = pki.server_config(false);
    server_config.cert_resolver = Arc::new(RecordSni {
        inner: server_config.cert_resolver.clone(),
        seen: seen.clone(),
    });
    (serve_https(app(), server_config).await, seen)
}

#[tokio::test]
async fn tls_server_name_is_the_sni_sent() {
    let pki = Pki::new(&["kube.internal", "localhost"]);
    let (server, seen) = sni_server(&pki).await;
    let tls = TlsConfig {
        ca_pem: Some(pki.ca_pem.clone().into_bytes()),
        server_name: Some("kube.internal".into()),
        ..Default::default()
    };
    let mut c = config(&server.url());
    c.tls = tls.clone();
    get_cm(c).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), [Some("kube.internal".to_string())]);

    // Without it, the URL's host: a name is sent, an IP address is not (RFC 6066).
    let mut c = config(&format!("https://localhost:{}", server.addr.port()));
    c.tls = TlsConfig {
        server_name: None,
        ..tls
    };
    get_cm(c.clone()).await.unwrap();
    let mut by_ip = c;
    by_ip.cluster_url = server.url().parse().unwrap();
    let err = get_cm(by_ip).await.unwrap_err();
    assert!(err.is_tls(), "the certificate has no IP SAN: {err}");
    assert_eq!(
        seen.lock().unwrap()[1..],
        [Some("localhost".to_string()), None]
    );
}

/// What a proxy saw of one request.
#[derive(Clone, Debug, Default)]
struct Connect {
    method: String,
    target: String,
    authorization: Option<String>,
}

/// A tiny HTTP proxy: it answers `CONNECT host:port` with a tunnel to `127.0.0.1:port`
/// whatever the host (so names only the proxy "knows" work), forwards an absolute-form
/// request (`GET http://host:port/path`) to `127.0.0.1:port` the same way, and records the
/// request line and credentials of each.
async fn connect_proxy() -> (u16, Arc<Mutex<Vec<Connect>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let mut lines = head.lines();
                let request = lines.next().unwrap_or("");
                let mut words = request.split(' ');
                let method = words.next().unwrap_or("").to_owned();
                let target = words.next().unwrap_or("").to_owned();
                let authorization = lines
                    .filter_map(|l| l.split_once(": "))
                    .find(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"))
                    .map(|(_, v)| v.to_owned());
                log.lock().unwrap().push(Connect {
                    method: method.clone(),
                    target: target.clone(),
                    authorization,
                });
                let authority = match target.strip_prefix("http://") {
                    Some(rest) => rest.split('/').next().unwrap_or(""),
                    None => target.as_str(),
                };
                let Some((_, port)) = authority.rsplit_once(':') else {
                    let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                    return;
                };
                let Ok(mut upstream) = TcpStream::connect(format!("127.0.0.1:{port}")).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                if method == "CONNECT" {
                    let _ = client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await;
                } else if upstream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, seen)
}

/// The configuration of a kubeconfig with one cluster at `server` behind `proxy`.
fn kubeconfig_with_proxy(server: &str, proxy: &str, extra: &str) -> Config {
    let yaml = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n\
         clusters:\n- name: k\n  cluster:\n    server: {server}\n    proxy-url: {proxy}\n{extra}\
         contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n\
         users:\n- name: u\n  user: {{}}\n"
    );
    let kubeconfig = Kubeconfig::parse(&yaml).unwrap();
    let mut c = Config::from_kubeconfig(&kubeconfig, &Overrides::default()).unwrap();
    c.rate_limit = None;
    c.timeout = Some(Duration::from_secs(10));
    c
}

#[tokio::test]
async fn kubeconfig_proxy_url_forwards_http_with_credentials() {
    let server = serve_http(app()).await;
    let (proxy_port, seen) = connect_proxy().await;
    // `kube.test` resolves nowhere but at the proxy: the request must go through it.
    let c = kubeconfig_with_proxy(
        &format!("http://kube.test:{}", server.addr.port()),
        &format!("http://jane:s%40cret@127.0.0.1:{proxy_port}"),
        "",
    );
    assert!(
        !format!("{c:?}").contains("cret"),
        "proxy password in Debug"
    );
    let cm = get_cm(c).await.unwrap();
    assert_eq!(cm.metadata.name.as_deref(), Some("cm1"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    // An `http` server's request is forwarded in absolute form, as Go's transport does.
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].target,
        format!(
            "http://kube.test:{}/api/v1/namespaces/default/configmaps/cm1",
            server.addr.port()
        )
    );
    // base64("jane:s@cret")
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some("Basic amFuZTpzQGNyZXQ=")
    );
}

#[tokio::test]
async fn tls_through_a_proxy_keeps_the_server_name() {
    let pki = Pki::new(&["kube.internal"]);
    let (server, sni) = sni_server(&pki).await;
    let (proxy_port, seen) = connect_proxy().await;
    let ca = base64_std(pki.ca_pem.as_bytes());
    let c = kubeconfig_with_proxy(
        &format!("https://kube.internal:{}", server.addr.port()),
        &format!("http://jane:pw@127.0.0.1:{proxy_port}"),
        &format!("    certificate-authority-data: {ca}\n"),
    );
    get_cm(c).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(
        seen[0].target,
        format!("kube.internal:{}", server.addr.port())
    );
    // base64("jane:pw")
    assert_eq!(seen[0].authorization.as_deref(), Some("Basic amFuZTpwdw=="));
    assert_eq!(*sni.lock().unwrap(), [Some("kube.internal".to_string())]);
}

#[tokio::test]
async fn unreachable_proxy_is_a_connect_error_naming_it_without_credentials() {
    let free = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let mut c = kubeconfig_with_proxy(
        "http://kube.test:1",
        &format!("http://jane:topsecret@127.0.0.1:{port}"),
        "",
    );
    c.retry.max_retries = 0;
    let err = get_cm(c).await.unwrap_err();
    let kubegen_runtime::rest::Error::Transport { source, .. } = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(source.kind(), TransportErrorKind::Connect);
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("topsecret"), "{text}");
}

#[tokio::test]
async fn invalid_proxy_urls_are_config_errors() {
    let yaml = "apiVersion: v1\nkind: Config\ncurrent-context: c\n\
         clusters:\n- name: k\n  cluster:\n    server: https://k.example\n    proxy-url: ftp://u:pw@p.example\n\
         contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n\
         users:\n- name: u\n  user: {}\n";
    let kubeconfig = Kubeconfig::parse(yaml).unwrap();
    let err = Config::from_kubeconfig(&kubeconfig, &Overrides::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("proxy-url") && text.contains("ftp://p.example"),
        "{text}"
    );
    assert!(!text.contains("pw@"), "{text}");
}

/// A SOCKS5 proxy without authentication that connects any requested name to 127.0.0.1
/// and records the requested host.
async fn socks5_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                // Greeting: VER NMETHODS METHODS...; answer "no authentication".
                let mut hdr = [0u8; 2];
                c.read_exact(&mut hdr).await.ok()?;
                let mut methods = vec![0u8; hdr[1] as usize];
                c.read_exact(&mut methods).await.ok()?;
                c.write_all(&[5, 0]).await.ok()?;
                // Request: VER CMD RSV ATYP ADDR PORT.
                let mut req = [0u8; 4];
                c.read_exact(&mut req).await.ok()?;
                let host = match req[3] {
                    3 => {
                        let mut len = [0u8; 1];
                        c.read_exact(&mut len).await.ok()?;
                        let mut name = vec![0u8; len[0] as usize];
                        c.read_exact(&mut name).await.ok()?;
                        String::from_utf8_lossy(&name).into_owned()
                    }
                    1 => {
                        let mut ip = [0u8; 4];
                        c.read_exact(&mut ip).await.ok()?;
                        std::net::Ipv4Addr::from(ip).to_string()
                    }
                    _ => return None,
                };
                let mut port = [0u8; 2];
                c.read_exact(&mut port).await.ok()?;
                let port = u16::from_be_bytes(port);
                log.lock().unwrap().push(format!("{host}:{port}"));
                let mut upstream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
                c.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).await.ok()?;
                let _ = tokio::io::copy_bidirectional(&mut c, &mut upstream).await;
                Some(())
            });
        }
    });
    (port, seen)
}

#[tokio::test]
async fn socks5h_proxy_resolves_the_server_name() {
    let server = serve_http(app()).await;
    let (proxy_port, seen) = socks5_proxy().await;
    let c = kubeconfig_with_proxy(
        &format!("http://kube.test:{}", server.addr.port()),
        &format!("socks5h://127.0.0.1:{proxy_port}"),
        "",
    );
    get_cm(c).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [format!("kube.test:{}", server.addr.port())]
    );
}

#[tokio::test]
async fn a_server_behind_a_path_prefix() {
    let server = TestServer::builder()
        .path_prefix("/k8s/clusters/c-1")
        .start()
        .await
        .unwrap();
    let config = Config::from_kubeconfig(
        &Kubeconfig::parse(&server.kubeconfig()).unwrap(),
        &Overrides::default(),
    )
    .unwrap();
    assert!(config.cluster_url.path().starts_with("/k8s/clusters/c-1"));
    let client = Client::new(config).unwrap();
    assert_eq!(client.base_url().path(), "/k8s/clusters/c-1");
    let cms = ResourceClient::<ConfigMap>::namespaced(client.clone(), "default");
    cms.create(&Default::default(), &ConfigMap::named("behind"))
        .await
        .unwrap();
    let got = cms.get("behind", &GetOptions::default()).await.unwrap();
    assert_eq!(got.metadata.name.as_deref(), Some("behind"));
    let list = cms.list(&ListOptions::default()).await.unwrap();
    assert!(list
        .items
        .iter()
        .any(|c| c.metadata.name.as_deref() == Some("behind")));
    let version: serde_json::Value = client.get().abs_path("/version").json().await.unwrap();
    assert!(version.get("gitVersion").is_some(), "{version}");
}

#[tokio::test]
async fn redirects_are_followed_and_bounded() {
    let app = Router::new()
        .route(
            "/old",
            get(|| async { axum::response::Redirect::temporary("/new?x=1") }),
        )
        .route("/new", get(|| async { "{\"moved\":true}" }))
        .route(
            "/loop",
            get(|| async { axum::response::Redirect::temporary("/loop") }),
        );
    let server = serve_http(app).await;
    let client = Client::new(config(&server.url())).unwrap();
    let resp = client.get().abs_path("/old").send().await.unwrap();
    assert_eq!(resp.url().path(), "/new");
    assert_eq!(resp.text().await.unwrap(), "{\"moved\":true}");
    let err = client.get().abs_path("/loop").send().await.unwrap_err();
    assert!(err.to_string().contains("redirects"), "{err}");
}

#[tokio::test]
async fn the_request_timeout_bounds_a_slow_answer() {
    let app = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        }),
    );
    let server = serve_http(app).await;
    let mut c = config(&server.url());
    c.timeout = Some(Duration::from_millis(200));
    let client = Client::new(c).unwrap();
    let err = client.get().abs_path("/slow").bytes().await.unwrap_err();
    let kubegen_runtime::rest::Error::Transport { source, .. } = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert!(source.is_timeout(), "{err}");
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn alpn_picks_http2_only_with_the_feature() {
    let pki = Pki::new(&["127.0.0.1"]);
    let server = serve_https(app(), pki.server_config(false)).await;
    let mut c = config(&server.url());
    c.tls.ca_pem = Some(pki.ca_pem.clone().into_bytes());
    let client = Client::new(c).unwrap();
    let resp = client
        .get()
        .abs_path("/api/v1/namespaces/default/configmaps/cm1")
        .send()
        .await
        .unwrap();
    let expected = if cfg!(feature = "http2") {
        http::Version::HTTP_2
    } else {
        http::Version::HTTP_11
    };
    assert_eq!(resp.version(), expected);
    // Several requests share the pooled connection (HTTP/2 multiplexes them).
    let cms = ResourceClient::<ConfigMap>::namespaced(client, "default");
    let options = GetOptions::default();
    let gets = (0..8).map(|_| cms.get("cm1", &options));
    for got in futures::future::join_all(gets).await {
        assert_eq!(got.unwrap().metadata.name.as_deref(), Some("cm1"));
    }
}

/// Serves `tls_app` over TLS and `plain_app` over plain HTTP on the same loopback port (the
/// first byte tells a TLS handshake apart), so `https://a:p` and `http://a:p` share an
/// authority and differ only in scheme.
async fn serve_both(tls_app: Router, plain_app: Router, config: rustls::ServerConfig) -> u16 {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto;
    use hyper_util::service::TowerToHyperService;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, tls_app, plain_app) =
                (acceptor.clone(), tls_app.clone(), plain_app.clone());
            tokio::spawn(async move {
                let mut first = [0u8; 1];
                if tcp.peek(&mut first).await.unwrap_or(0) == 0 {
                    return;
                }
                let builder = auto::Builder::new(TokioExecutor::new());
                if first[0] == 0x16 {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = TowerToHyperService::new(tls_app);
                    let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                } else {
                    let service = TowerToHyperService::new(plain_app);
                    let _ = builder.serve_connection(TokioIo::new(tcp), service).await;
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn a_redirect_from_https_to_http_is_refused() {
    use kubegen_runtime::config::{AuthConfig, Secret};
    let pki = Pki::new(&["127.0.0.1"]);
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let port_cell: Arc<std::sync::OnceLock<u16>> = Arc::default();
    let to = port_cell.clone();
    let tls_app = Router::new().route(
        "/start",
        get(move || {
            let to = to.clone();
            async move {
                let port = to.get().copied().unwrap_or_default();
                axum::response::Redirect::temporary(&format!("http://127.0.0.1:{port}/landed"))
            }
        }),
    );
    let record = seen.clone();
    let plain_app = Router::new().route(
        "/landed",
        get(move |headers: axum::http::HeaderMap| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap_or("?").to_owned());
                record.lock().unwrap().push(auth);
                "{}"
            }
        }),
    );
    let port = serve_both(tls_app, plain_app, pki.server_config(false)).await;
    port_cell.set(port).unwrap();
    let mut c = config(&format!("https://127.0.0.1:{port}"));
    c.tls.ca_pem = Some(pki.ca_pem.clone().into_bytes());
    c.auth = AuthConfig::Token(Secret::from("s3cr3t-token"));
    let client = Client::new(c).unwrap();
    // Refused: the request would go on in clear text.
    let err = client.get().abs_path("/start").send().await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Redirect, "{err}");
    assert!(err.to_string().contains("https to http"), "{err}");
    // Nor does a header the caller set.
    let _ = client
        .get()
        .abs_path("/start")
        .header(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer caller-set"),
        )
        .send()
        .await;
    let seen = seen.lock().unwrap().clone();
    assert!(seen.is_empty(), "a request went over plain HTTP: {seen:?}");
}

/// A server that reads each request and answers with `head` (and nothing when empty), then
/// stays silent with the connection open.
async fn silent_server(head: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp.write_all(head.as_bytes()).await;
                std::future::pending::<()>().await;
                drop(tcp);
            });
        }
    });
    format!("http://{addr}")
}

/// Fails the test (instead of hanging it) when `f` takes longer than an hour of the
/// paused clock.
async fn within_an_hour<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(3600), f)
        .await
        .expect("still waiting after an hour")
}

fn default_config(url: &str) -> Config {
    let mut c = Config::new(url.parse().unwrap());
    c.rate_limit = None;
    c
}

fn transport_kind(err: &kubegen_runtime::rest::Error) -> TransportErrorKind {
    match err {
        kubegen_runtime::rest::Error::Transport { source, .. } => source.kind(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_list_nobody_answers_times_out_by_default() {
    let url = silent_server("").await;
    let client = Client::new(default_config(&url)).unwrap();
    let started = tokio::time::Instant::now();
    let list = ResourceClient::<ConfigMap>::namespaced(client, "default");
    let list = list.list(&ListOptions::default());
    let err = within_an_hour(list).await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Timeout, "{err}");
    assert!(started.elapsed() <= Duration::from_secs(301));
}

#[tokio::test(start_paused = true)]
async fn a_stalled_list_body_ends_with_a_stall_error() {
    let url = silent_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{\"kind\":\"ConfigMapList\",",
    )
    .await;
    let client = Client::new(default_config(&url)).unwrap();
    let started = tokio::time::Instant::now();
    let list = ResourceClient::<ConfigMap>::namespaced(client, "default");
    let list = list.list(&ListOptions::default());
    let err = within_an_hour(list).await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Stalled, "{err}");
    assert!(err.to_string().contains("stalled"), "{err}");
    assert!(started.elapsed() <= Duration::from_secs(61));
}

#[tokio::test(start_paused = true)]
async fn a_watch_ends_a_little_after_its_timeout_seconds_when_the_server_goes_quiet() {
    use futures::StreamExt as _;
    let url = silent_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .await;
    let client = Client::new(default_config(&url)).unwrap();
    let options = ListOptions {
        timeout_seconds: Some(60),
        ..ListOptions::default()
    };
    let started = tokio::time::Instant::now();
    let mut events = ResourceClient::<ConfigMap>::namespaced(client, "default")
        .watch(&options)
        .await
        .unwrap();
    let end = within_an_hour(events.next()).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(&end, Some(Err(e)) if transport_kind(e) == TransportErrorKind::Timeout),
        "{end:?}"
    );
    assert!(
        elapsed >= Duration::from_secs(60) && elapsed <= Duration::from_secs(70),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_carries_no_credentials() {
    use kubegen_runtime::config::{AuthConfig, Secret};
    let pki = Pki::new(&["127.0.0.1"]);
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let record = seen.clone();
    let other = Router::new().route(
        "/landed",
        get(move |headers: axum::http::HeaderMap| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap_or("?").to_owned());
                record.lock().unwrap().push(auth);
                "{}"
            }
        }),
    );
    let other = serve_https(other, pki.server_config(false)).await;
    let target = format!("{}/landed", other.url());
    let origin = Router::new().route(
        "/start",
        get(move || {
            let target = target.clone();
            async move { axum::response::Redirect::temporary(&target) }
        }),
    );
    let origin = serve_https(origin, pki.server_config(false)).await;
    let mut c = config(&origin.url());
    c.tls.ca_pem = Some(pki.ca_pem.clone().into_bytes());
    c.auth = AuthConfig::Token(Secret::from("s3cr3t-token"));
    let client = Client::new(c).unwrap();
    client.get().abs_path("/start").send().await.unwrap();
    client
        .get()
        .abs_path("/start")
        .header(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer caller-set"),
        )
        .send()
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, [None, None], "credentials followed the redirect");
}
