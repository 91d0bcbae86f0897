//! The test server: builder, listener, connections, authentication, restart.

mod front;
mod kubeconfig;
mod reset_io;
mod tls;

pub use front::LoggedRequest;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::api::{self, State, INITIAL_NAMESPACES};
use crate::catalog::{Catalog, ResourceTable, SpecSource};
use crate::error::TestServerError;
use crate::faults::Faults;
use crate::http::body::error as error_response;
use crate::http::compression;
use crate::http::request::parse_query;
use crate::http::{ApiError, Body, ConnReset, Req};
use crate::pod_logs::PodLogs;
use crate::store::{Change, Store};
use front::Front;
use reset_io::ResettableStream;

/// A real API server's watch cache sends a bookmark about once a minute.
const DEFAULT_BOOKMARK_INTERVAL: Duration = Duration::from_secs(60);

/// Builds a [`TestServer`] with non-default options.
#[derive(Clone)]
pub struct TestServerBuilder {
    tls: bool,
    token: Option<String>,
    client_cert_auth: bool,
    spec_dir: Option<PathBuf>,
    addr: SocketAddr,
    history_window: usize,
    bookmark_interval: Duration,
    seed: u64,
    path_prefix: Option<String>,
    log_requests: bool,
    http2_max_streams: Option<u32>,
}

impl std::fmt::Debug for TestServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServerBuilder")
            .field("tls", &self.tls)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("client_cert_auth", &self.client_cert_auth)
            .field("spec_dir", &self.spec_dir)
            .field("addr", &self.addr)
            .field("history_window", &self.history_window)
            .field("path_prefix", &self.path_prefix)
            .field("log_requests", &self.log_requests)
            .field("http2_max_streams", &self.http2_max_streams)
            .finish()
    }
}

impl Default for TestServerBuilder {
    fn default() -> Self {
        Self {
            tls: false,
            token: None,
            client_cert_auth: false,
            spec_dir: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            history_window: 10_000,
            bookmark_interval: DEFAULT_BOOKMARK_INTERVAL,
            seed: 0,
            path_prefix: None,
            log_requests: false,
            http2_max_streams: None,
        }
    }
}

impl TestServerBuilder {
    /// Serve HTTPS with a certificate generated at start (the kubeconfig carries the CA).
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Require this bearer token (401 otherwise, unless a valid client certificate is shown).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Require authentication and put a client certificate in the kubeconfig (implies TLS).
    pub fn client_cert_auth(mut self, on: bool) -> Self {
        self.client_cert_auth = on;
        if on {
            self.tls = true;
        }
        self
    }

    /// The OpenAPI v3 spec directory to serve (default: `KUBEGEN_SPEC_DIR`, else the pinned
    /// Kubernetes version's spec that the crate carries).
    pub fn spec_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spec_dir = Some(dir.into());
        self
    }

    /// The address to bind (default `127.0.0.1:0`, an ephemeral loopback port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// How many past events watches and consistent lists can reach (default 10,000).
    pub fn history_window(mut self, events: usize) -> Self {
        self.history_window = events;
        self
    }

    /// How often watches with `allowWatchBookmarks` get a BOOKMARK (default 1 min, as a real
    /// server's watch cache; tests that need progress markers sooner set less). Zero turns
    /// the periodic bookmarks off (the one at the end of `timeoutSeconds` stays).
    pub fn bookmark_interval(mut self, d: Duration) -> Self {
        self.bookmark_interval = d;
        self
    }

    /// Seed of the fault injector's random choices.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Serve under a path prefix, as a cluster behind a proxy does
    /// (`https://host/k8s/clusters/c-1`): [`TestServer::base_url`] and the kubeconfig carry
    /// it, requests outside it get `404`, and the server's own answers (the `serverRelativeURL`s
    /// of `/openapi/v3`, redirects) stay relative to the root, as a real API server's do.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Keep a log of every request and its status ([`TestServer::requests`]); off by default.
    pub fn log_requests(mut self, on: bool) -> Self {
        self.log_requests = on;
        self
    }

    /// Limits the concurrent streams of one HTTP/2 connection, as nginx (128) or Go's
    /// server (250) do; a client must open another connection for more.
    pub fn http2_max_concurrent_streams(mut self, streams: u32) -> Self {
        self.http2_max_streams = Some(streams);
        self
    }

    /// Loads the spec (cached per process), binds, and starts serving.
    pub async fn start(self) -> Result<TestServer, TestServerError> {
        let source = match &self.spec_dir {
            Some(d) => SpecSource::Dir(d.clone()),
            None => SpecSource::from_env()?,
        };
        let catalog = Catalog::load_cached(&source)?;
        let (streams_epoch, _) = tokio::sync::watch::channel(0);
        let state = Arc::new(State {
            catalog,
            crds: RwLock::new(ResourceTable::default()),
            crd_docs: RwLock::new(BTreeMap::new()),
            store: Store::new(self.history_window),
            faults: Faults::new(self.seed),
            logs: PodLogs::default(),
            bookmark_interval: self.bookmark_interval,
            streams_epoch,
            crd_schemas: RwLock::new(BTreeMap::new()),
        });
        seed_objects(&state);
        let tls = if self.tls {
            Some(Arc::new(tls::generate()?))
        } else {
            None
        };
        let listener =
            TcpListener::bind(self.addr)
                .await
                .map_err(|source| TestServerError::Bind {
                    addr: self.addr.to_string(),
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| TestServerError::Bind {
                addr: self.addr.to_string(),
                source,
            })?;
        let auth = Arc::new(Auth {
            token: self.token.clone(),
            required: self.token.is_some() || self.client_cert_auth,
            client_certs: RwLock::new(tls.iter().map(|t| t.client_cert_der.clone()).collect()),
        });
        let mut front = Front::new(self.path_prefix.as_deref(), self.log_requests);
        front.http2_max_streams = self.http2_max_streams;
        let front = Arc::new(front);
        let server = TestServer {
            state,
            addr,
            tls,
            auth,
            front,
            client_cert_auth: self.client_cert_auth,
            accept: Mutex::new(None),
        };
        server.spawn_accept(listener);
        tracing::debug!(%addr, "kubegen-testserver listening");
        Ok(server)
    }
}

/// Creates what a fresh cluster has: the initial namespaces and their `default`
/// ServiceAccounts.
fn seed_objects(state: &State) {
    let now = crate::semantics::now_rfc3339();
    for ns in INITIAL_NAMESPACES {
        let _ = state.store.mutate::<()>("/namespaces", "", ns, |_, _| {
            Ok(Change::Put(json!({
                "metadata": {"name": ns, "uid": uuid::Uuid::new_v4().to_string(), "creationTimestamp": now,
                             "labels": {"kubernetes.io/metadata.name": ns}},
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            })))
        });
        let _ = state.store.mutate::<()>("/serviceaccounts", ns, "default", |_, _| {
            Ok(Change::Put(json!({
                "metadata": {"name": "default", "namespace": ns, "uid": uuid::Uuid::new_v4().to_string(), "creationTimestamp": now},
            })))
        });
    }
}

struct Auth {
    token: Option<String>,
    required: bool,
    /// The client certificates (DER) accepted as the admin.
    client_certs: RwLock<Vec<Vec<u8>>>,
}

impl Auth {
    /// The user of a request, or None when it must be refused.
    fn user(&self, headers: &hyper::HeaderMap, peer_cert: Option<&[u8]>) -> Option<String> {
        if let Some(cert) = peer_cert {
            let accepted = self.client_certs.read().unwrap_or_else(|p| p.into_inner());
            if accepted.iter().any(|ours| ours.as_slice() == cert) {
                return Some("testserver-admin".into());
            }
        }
        let bearer = headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match (&self.token, bearer) {
            (Some(t), Some(b)) if t == b => Some("testserver-admin".into()),
            _ if !self.required => Some("system:anonymous-admin".into()),
            _ => None,
        }
    }
}

/// A running in-process Kubernetes API server.
///
/// ```no_run
/// # async fn demo() -> Result<(), kubegen_testserver::TestServerError> {
/// let server = kubegen_testserver::TestServer::start().await?;
/// let url = server.base_url(); // http://127.0.0.1:PORT
/// let kubeconfig = server.kubeconfig();
/// # let _ = (url, kubeconfig);
/// # Ok(()) }
/// ```
pub struct TestServer {
    state: Arc<State>,
    addr: SocketAddr,
    tls: Option<Arc<tls::TlsMaterial>>,
    auth: Arc<Auth>,
    front: Arc<Front>,
    client_cert_auth: bool,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Starts a plain-HTTP server on an ephemeral loopback port with the default spec.
    pub async fn start() -> Result<TestServer, TestServerError> {
        Self::builder().start().await
    }

    /// A builder for TLS, authentication, spec directory and tuning.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`, followed by the path prefix
    /// when one is set.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}{}", self.addr, self.front.prefix())
    }

    /// Every request answered so far, oldest first, when the server was built with
    /// [`TestServerBuilder::log_requests`] (empty otherwise).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.front.requests()
    }

    /// Forgets the logged requests.
    pub fn clear_requests(&self) {
        self.front.clear();
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A kubeconfig YAML document for this server (CA data and credentials included).
    pub fn kubeconfig(&self) -> String {
        let url = self.base_url();
        kubeconfig::render(&kubeconfig::KubeconfigParts {
            server: &url,
            ca_pem: self.tls.as_ref().map(|t| t.ca_pem.as_str()),
            token: self.auth.token.as_deref(),
            client: if self.client_cert_auth {
                self.tls
                    .as_ref()
                    .map(|t| (t.client_cert_pem.as_str(), t.client_key_pem.as_str()))
            } else {
                None
            },
        })
    }

    /// Writes [`TestServer::kubeconfig`] to `path`.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>) -> Result<(), TestServerError> {
        let path = path.as_ref();
        std::fs::write(path, self.kubeconfig()).map_err(|source| TestServerError::WriteKubeconfig {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The CA certificate (PEM) when TLS is on.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.ca_pem.as_str())
    }

    /// The client certificate and key (PEM) the server accepts, when TLS is on.
    pub fn client_identity_pem(&self) -> Option<(String, String)> {
        self.tls
            .as_ref()
            .map(|t| (t.client_cert_pem.clone(), t.client_key_pem.clone()))
    }

    /// Issues a new admin client certificate and accepts only it from now on: requests
    /// presenting an older one get `401`, as after a real certificate's expiry. `None`
    /// without TLS.
    pub fn rotate_client_identity(&self) -> Result<Option<(String, String)>, TestServerError> {
        let Some(tls) = &self.tls else {
            return Ok(None);
        };
        let fresh = tls.issue_client()?;
        *self
            .auth
            .client_certs
            .write()
            .unwrap_or_else(|p| p.into_inner()) = vec![fresh.cert_der];
        Ok(Some((fresh.cert_pem, fresh.key_pem)))
    }

    /// The required bearer token, if any.
    pub fn token(&self) -> Option<&str> {
        self.auth.token.as_deref()
    }

    /// The fault injector.
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// Replaces the log text of a pod's container.
    pub fn set_pod_log(&self, namespace: &str, pod: &str, container: &str, text: &str) {
        self.state.logs.set(namespace, pod, container, text);
    }

    /// Appends lines to a pod container's log; `follow=true` streams see them.
    pub fn append_pod_log(&self, namespace: &str, pod: &str, container: &str, text: &str) {
        self.state.logs.append(namespace, pod, container, text);
    }

    /// Forgets the event history, like an etcd compaction: watches, `Exact` lists and
    /// continue tokens at older resourceVersions get `410 Gone`.
    pub fn compact(&self) {
        self.state.store.compact();
    }

    /// The newest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.state.store.current_rv()
    }

    /// Drops every connection and open stream and listens again on the same port;
    /// stored objects and history are kept.
    pub async fn restart(&self) -> Result<(), TestServerError> {
        self.stop_accepting().await;
        let listener = bind_retrying(self.addr).await?;
        self.spawn_accept(listener);
        Ok(())
    }

    /// Stops serving: closes the listener, every connection and stream.
    pub async fn shutdown(&self) {
        self.stop_accepting().await;
    }

    async fn stop_accepting(&self) {
        let handle = self.accept.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.state.streams_epoch.send_modify(|e| *e += 1);
        if let Some(h) = handle {
            h.abort();
            let _ = h.await;
        }
    }

    fn spawn_accept(&self, listener: TcpListener) {
        let state = self.state.clone();
        let tls = self.tls.clone();
        let auth = self.auth.clone();
        let front = self.front.clone();
        let handle = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        conns.spawn(serve_connection(stream, state.clone(), tls.clone(), auth.clone(), front.clone()));
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        *self.accept.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(h) = self.accept.lock().unwrap_or_else(|p| p.into_inner()).take() {
            h.abort();
        }
        self.state.streams_epoch.send_modify(|e| *e += 1);
    }
}

async fn bind_retrying(addr: SocketAddr) -> Result<TcpListener, TestServerError> {
    let mut last = None;
    for _ in 0..50 {
        match TcpListener::bind(addr).await {
            Ok(l) => return Ok(l),
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    Err(TestServerError::Bind {
        addr: addr.to_string(),
        source: last.unwrap_or_else(|| std::io::Error::other("bind failed")),
    })
}

/// Serves one connection until it ends or an injected fault resets it.
async fn serve_connection(
    stream: TcpStream,
    state: Arc<State>,
    tls: Option<Arc<tls::TlsMaterial>>,
    auth: Arc<Auth>,
    front: Arc<Front>,
) {
    let reset = ConnReset::default();
    let stream = ResettableStream::new(stream, reset.clone());
    tokio::select! {
        biased;
        // Dropping the connection's future drops the stream, which sends the RST.
        _ = reset.wait() => {}
        _ = serve_stream(stream, state, tls, auth, front, reset.clone()) => {}
    }
}

async fn serve_stream(
    stream: ResettableStream,
    state: Arc<State>,
    tls: Option<Arc<tls::TlsMaterial>>,
    auth: Arc<Auth>,
    front: Arc<Front>,
    reset: ConnReset,
) {
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    if let Some(streams) = front.http2_max_streams {
        builder.http2().max_concurrent_streams(streams);
    }
    match tls {
        None => {
            let svc = service_fn(move |req| {
                handle(
                    req,
                    state.clone(),
                    auth.clone(),
                    front.clone(),
                    None,
                    reset.clone(),
                )
            });
            // With upgrades: the connect verbs (exec, attach, port-forward) switch to WebSocket.
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), svc)
                .await;
        }
        Some(tls) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.config.clone());
            let Ok(tls_stream) = acceptor.accept(stream).await else {
                return;
            };
            let peer: Option<Arc<Vec<u8>>> = tls_stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| Arc::new(c.to_vec()));
            let svc = service_fn(move |req| {
                handle(
                    req,
                    state.clone(),
                    auth.clone(),
                    front.clone(),
                    peer.clone(),
                    reset.clone(),
                )
            });
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(tls_stream), svc)
                .await;
        }
    }
}

async fn handle(
    req: hyper::Request<Incoming>,
    state: Arc<State>,
    auth: Arc<Auth>,
    front: Arc<Front>,
    peer: Option<Arc<Vec<u8>>>,
    conn: ConnReset,
) -> Result<hyper::Response<Body>, std::convert::Infallible> {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let gzip = compression::accepts_gzip(req.headers());
    let resp = answer(req, state, &auth, &front, peer, conn).await;
    let mut resp = compression::compress_large(resp, gzip).await;
    // A real API server names every request for its audit log and answers with that id,
    // which clients log to correlate with the server's side.
    if let Ok(id) = hyper::header::HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        resp.headers_mut().insert("audit-id", id);
    }
    front.record(&method, &path, &query, resp.status().as_u16());
    Ok(resp)
}

async fn answer(
    req: hyper::Request<Incoming>,
    state: Arc<State>,
    auth: &Auth,
    front: &Front,
    peer: Option<Arc<Vec<u8>>>,
    conn: ConnReset,
) -> hyper::Response<Body> {
    let (mut parts, body) = req.into_parts();
    let upgrade = parts.extensions.remove::<hyper::upgrade::OnUpgrade>();
    let Some(path) = front.strip(parts.uri.path()) else {
        return error_response(&ApiError::unknown_resource());
    };
    let path = path.to_owned();
    let Some(user) = auth.user(&parts.headers, peer.as_deref().map(Vec::as_slice)) else {
        return error_response(&ApiError::unauthorized());
    };
    let body: Bytes = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return error_response(&ApiError::bad_request(format!("reading body: {e}"))),
    };
    let req = Req {
        method: parts.method,
        path,
        query: parse_query(parts.uri.query().unwrap_or("")),
        raw_query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts.headers,
        body,
        user,
        conn,
        warnings: Default::default(),
        upgrade: std::sync::Mutex::new(upgrade),
    };
    tracing::trace!(method = %req.method, path = %req.path, user = %req.user, "request");
    api::handle(state, req).await
}
