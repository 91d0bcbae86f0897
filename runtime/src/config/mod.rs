//! Where to connect and how to authenticate: kubeconfig files (merged as kubectl does),
//! in-cluster service-account configuration, and the default chain between them.
//!
//! Loading is synchronous and reads files once; credentials that change over time (token
//! files, exec plugins) are described here and fetched by the `rest` layer when requests
//! are sent.

mod debug;
mod error;
pub mod exec;
mod incluster;
mod kubeconfig;
mod loader;
mod redact;
mod secret;
mod yaml;

use std::path::PathBuf;
use std::time::Duration;

pub use error::ConfigError;
pub use exec::{ExecAuth, ExecCredential, ExecError};
pub use http::Uri;
pub use incluster::{InClusterEnv, SERVICE_ACCOUNT_DIR};
pub use kubeconfig::{
    AuthInfo, AuthProvider, Cluster, Context, ExecConfig, ExecEnvVar, Kubeconfig, NamedAuthInfo,
    NamedCluster, NamedContext, ParseError as KubeconfigParseError,
};
pub use loader::{Loader, Overrides};
pub use redact::redact_url;
pub use secret::Secret;

/// Everything a client needs to talk to one API server (client-go's `rest.Config`).
#[derive(Clone)]
pub struct Config {
    /// Base URL of the API server (`http` or `https`); a path prefix is kept.
    pub cluster_url: Uri,
    /// Namespace of the context (or of the pod, in-cluster); `default` otherwise.
    pub default_namespace: String,
    /// CA certificates, client certificate and verification settings.
    pub tls: TlsConfig,
    /// How requests authenticate.
    pub auth: AuthConfig,
    /// `Impersonate-*` headers sent on every request.
    pub impersonate: Option<Impersonate>,
    /// Proxy for every request (`http`, `https`, `socks5`, `socks5h`); `None` uses the
    /// proxy environment variables as Go does (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    pub proxy_url: Option<Uri>,
    /// Client-side token bucket; `None` disables rate limiting.
    pub rate_limit: Option<RateLimit>,
    /// Retries of failed requests and backoff between them.
    pub retry: RetryPolicy,
    /// Whole-request timeout for everything but watches and raw streams (a watch ends a
    /// little after the `timeoutSeconds` it asked for; a raw stream has none unless set on
    /// the request). Default 5 minutes, so a server that never answers cannot hang a call.
    pub timeout: Option<Duration>,
    /// A response body that sends no bytes for this long ends with a stall error
    /// (`TransportErrorKind::Stalled`), for everything but watches and raw streams, which
    /// may be quiet for long. Default 1 minute.
    pub body_stall_timeout: Option<Duration>,
    /// Time allowed to set up a connection (TCP, proxy and TLS handshake).
    pub connect_timeout: Option<Duration>,
    /// The `User-Agent` header of every request.
    pub user_agent: String,
    /// Largest single watch event accepted; a longer line fails the watch instead of
    /// growing memory without bound.
    pub max_watch_event_bytes: usize,
    /// Watches and other long-running streams share an HTTP/2 connection up to this many;
    /// one more opens another connection, so a server's concurrent-stream limit (nginx:
    /// 128, Go's default: 250) is not used up. Short requests have a connection of their
    /// own. Default 100.
    pub max_streams_per_connection: usize,
    /// The encoding asked for in gets, lists and watches of built-in kinds (custom
    /// resources are always JSON). Default: protobuf when built with the `protobuf`
    /// feature, as client-go's typed and metadata clients ask for it unless told
    /// otherwise; JSON without it.
    pub content_type: ContentType,
    /// Ask the server to gzip its answers (`Accept-Encoding: gzip`, as Go's transport does
    /// for client-go unless told otherwise); bodies are decoded as they stream in. The API
    /// server gzips whole answers of 128 KiB or more (lists, large objects), never watches:
    /// a list of 50,000 pods shrinks tenfold, and even on loopback the sync was no slower
    /// and used no more client CPU or memory (`docs/performance.md`). On by default; a
    /// kubeconfig cluster's `disable-compression: true` turns it off.
    pub compression: bool,
}

/// The encoding a client asks the API server for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentType {
    /// `application/json`: every kind.
    #[cfg_attr(not(feature = "protobuf"), default)]
    Json,
    /// `application/vnd.kubernetes.protobuf` for gets, lists and watches of kinds whose
    /// generated types have protobuf codecs (`kubegen-api`'s `protobuf` feature), with
    /// `application/json` as the fallback the server may answer with instead (as
    /// client-go asks); JSON for everything else. Writes stay JSON.
    #[cfg(feature = "protobuf")]
    #[default]
    Protobuf,
}

impl std::fmt::Debug for Config {
    /// URLs are shown without credentials (a proxy URL may carry a password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("cluster_url", &redact_url(&self.cluster_url))
            .field("default_namespace", &self.default_namespace)
            .field("tls", &self.tls)
            .field("auth", &self.auth)
            .field("impersonate", &self.impersonate)
            .field("proxy_url", &self.proxy_url.as_ref().map(redact_url))
            .field("rate_limit", &self.rate_limit)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("body_stall_timeout", &self.body_stall_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("max_watch_event_bytes", &self.max_watch_event_bytes)
            .field("content_type", &self.content_type)
            .field("compression", &self.compression)
            .field(
                "max_streams_per_connection",
                &self.max_streams_per_connection,
            )
            .finish()
    }
}

impl Config {
    /// A configuration for `cluster_url` with client-go's defaults and no credentials.
    pub fn new(cluster_url: Uri) -> Self {
        Self {
            cluster_url,
            default_namespace: "default".into(),
            tls: TlsConfig::default(),
            auth: AuthConfig::None,
            impersonate: None,
            proxy_url: None,
            rate_limit: Some(RateLimit::default()),
            retry: RetryPolicy::default(),
            timeout: Some(DEFAULT_TIMEOUT),
            body_stall_timeout: Some(DEFAULT_BODY_STALL_TIMEOUT),
            connect_timeout: Some(Duration::from_secs(30)),
            user_agent: default_user_agent(),
            max_watch_event_bytes: 64 << 20,
            content_type: ContentType::default(),
            compression: true,
            max_streams_per_connection: 100,
        }
    }

    /// The default chain: explicit path (none here) → `KUBECONFIG` → in-cluster →
    /// `~/.kube/config`. See [`Loader`] to give a path, context or namespace.
    pub fn infer() -> Result<Self, ConfigError> {
        Loader::from_env().load()
    }

    /// The configuration of one kubeconfig file, with optional overrides.
    pub fn from_kubeconfig_file(
        path: impl Into<PathBuf>,
        overrides: Overrides,
    ) -> Result<Self, ConfigError> {
        Loader::from_env()
            .explicit_path(path)
            .overrides(overrides)
            .load()
    }

    /// The configuration of an already-loaded (possibly merged) kubeconfig.
    pub fn from_kubeconfig(
        kubeconfig: &Kubeconfig,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        loader::config_from_kubeconfig(kubeconfig, overrides)
    }

    /// In-cluster configuration from the pod's environment and service-account files.
    pub fn incluster() -> Result<Self, ConfigError> {
        incluster::load(&InClusterEnv::from_env())
    }
}

/// The default whole-request timeout: long enough for a large list page.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The default time a response body may send nothing before the read fails.
pub const DEFAULT_BODY_STALL_TIMEOUT: Duration = Duration::from_secs(60);

fn default_user_agent() -> String {
    format!(
        "kubegen-runtime/{} ({}/{})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// How the server is trusted and how this client proves itself at the TLS layer.
#[derive(Clone, Debug, Default)]
pub struct TlsConfig {
    /// PEM CA certificates; when set, only these are trusted (not the system roots).
    pub ca_pem: Option<Vec<u8>>,
    /// Skip server certificate verification (only when the kubeconfig says so).
    pub insecure_skip_verify: bool,
    /// Verify the server certificate against this name instead of the URL's host.
    pub server_name: Option<String>,
    /// PEM client certificate chain.
    pub client_cert_pem: Option<Vec<u8>>,
    /// PEM private key of the client certificate.
    pub client_key_pem: Option<Secret<Vec<u8>>>,
    /// The files the client certificate and key were read from, when the kubeconfig names
    /// files (`client-certificate`, `client-key`) rather than inline data: they are read
    /// again as they rotate. `None` keeps the certificate for the life of the client.
    pub client_cert_files: Option<ClientCertFiles>,
}

/// Client certificate and key files that something else rotates (cert-manager, the
/// kubelet's certificate manager): the client reads them again and, when they changed,
/// presents the new certificate on new connections (client-go's `dynamicClientCert`).
///
/// They are compared with what was last read at most every `recheck_interval`, and at once
/// after a `401` (the API server answers an expired certificate with `401`, not with a
/// failed handshake). Files that do not read as a matching certificate and key (half
/// written, unreadable) keep the previous certificate, with an error logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCertFiles {
    /// Path of the PEM certificate.
    pub cert: PathBuf,
    /// Path of its PEM key.
    pub key: PathBuf,
    /// Default [`DEFAULT_CERT_FILE_RECHECK`].
    pub recheck_interval: Duration,
}

impl ClientCertFiles {
    /// The files at `cert` and `key`, checked every [`DEFAULT_CERT_FILE_RECHECK`].
    pub fn new(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        Self {
            cert: cert.into(),
            key: key.into(),
            recheck_interval: DEFAULT_CERT_FILE_RECHECK,
        }
    }
}

/// How often client certificate files are checked for a change: reading two small files
/// a minute costs nothing, and a rotated certificate is in use well before the old one
/// expires (client-go checks every 5 minutes; token files are re-read every minute).
pub const DEFAULT_CERT_FILE_RECHECK: Duration = Duration::from_secs(60);

/// How requests are authenticated at the HTTP layer.
#[derive(Clone, Debug, Default)]
pub enum AuthConfig {
    /// No credential.
    #[default]
    None,
    /// A fixed bearer token.
    Token(Secret<String>),
    /// A bearer token read from a file and re-read periodically (bound service-account
    /// tokens rotate).
    TokenFile(PathBuf),
    /// HTTP basic auth.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret<String>,
    },
    /// An exec credential plugin, run when a credential is needed.
    Exec(Box<ExecAuth>),
}

/// Who to act as (`Impersonate-User`, `-Uid`, `-Group`, `-Extra-*` headers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impersonate {
    /// The user to act as.
    pub user: String,
    /// Its UID.
    pub uid: Option<String>,
    /// Its groups.
    pub groups: Vec<String>,
    /// Extra fields of the user (`Impersonate-Extra-{key}`).
    pub extra: std::collections::BTreeMap<String, Vec<String>>,
}

/// Client-side request rate limit: a token bucket refilled at `qps` per second holding at
/// most `burst` tokens (client-go's defaults are 5 and 10).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second.
    pub qps: f32,
    /// Most tokens held: the requests that may go out at once.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            qps: 5.0,
            burst: 10,
        }
    }
}

/// When and how often a failed request is sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (client-go: 10); 0 disables retries.
    pub max_retries: u32,
    /// At most this many of those retries follow transport errors (client-go: a few).
    pub max_transport_retries: u32,
    /// First backoff after a connection error; doubled each time.
    pub initial_backoff: Duration,
    /// Longest wait between attempts, also capping a server's `Retry-After`.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 10,
            max_transport_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
        }
    }
}
