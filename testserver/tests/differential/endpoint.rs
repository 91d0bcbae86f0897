//! The two servers as raw HTTP endpoints: requests go out with exactly the headers a case
//! gives, and answers come back whole (status, headers, body) with nothing retried or
//! followed, so the two servers' answers can be compared byte for byte where it matters.

use std::path::Path;
use std::time::Duration;

use kubegen_runtime::config::{AuthConfig, Config, Overrides};
use kubegen_testserver::TestServer;
use reqwest::header::HeaderMap;
use reqwest::Method;

/// Why the real server cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("loading the kubeconfig: {0}")]
    Config(String),
    #[error(
        "credentials of kind {0} are not supported here (use a token or a client certificate)"
    )]
    Auth(&'static str),
    #[error("TLS material: {0}")]
    Tls(reqwest::Error),
}

/// One server.
pub struct Endpoint {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

/// A request as a case writes it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Duration,
}

/// An answer, read to its end.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Endpoint {
    /// The server of a kubeconfig (context `context`, or its current one).
    pub fn from_kubeconfig(path: &Path, context: Option<String>) -> Result<Self, EndpointError> {
        let overrides = Overrides {
            context,
            ..Overrides::default()
        };
        let config = Config::from_kubeconfig_file(path, overrides)
            .map_err(|e| EndpointError::Config(e.to_string()))?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("kubegen-differential")
            .danger_accept_invalid_certs(config.tls.insecure_skip_verify);
        if let Some(ca) = &config.tls.ca_pem {
            let cert = reqwest::Certificate::from_pem(ca).map_err(EndpointError::Tls)?;
            builder = builder
                .tls_built_in_root_certs(false)
                .add_root_certificate(cert);
        }
        if let (Some(cert), Some(key)) = (&config.tls.client_cert_pem, &config.tls.client_key_pem) {
            let mut pem = cert.clone();
            pem.push(b'\n');
            pem.extend_from_slice(key.expose());
            let id = reqwest::Identity::from_pem(&pem).map_err(EndpointError::Tls)?;
            builder = builder.identity(id);
        }
        let token = match &config.auth {
            AuthConfig::None => None,
            AuthConfig::Token(t) => Some(t.expose().clone()),
            AuthConfig::TokenFile(p) => Some(
                std::fs::read_to_string(p)
                    .map_err(|e| EndpointError::Config(format!("{}: {e}", p.display())))?
                    .trim()
                    .to_string(),
            ),
            AuthConfig::Basic { .. } => return Err(EndpointError::Auth("basic")),
            AuthConfig::Exec(_) => return Err(EndpointError::Auth("exec")),
        };
        let http = builder.build().map_err(EndpointError::Tls)?;
        let base = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        Ok(Self { base, http, token })
    }

    /// The in-process test server (plain HTTP, no authentication).
    pub fn local(server: &TestServer) -> Self {
        Self {
            base: server.base_url(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("kubegen-differential")
                .build()
                .expect("a plain HTTP client builds"),
            token: None,
        }
    }

    /// Sends `req` and reads the whole answer (a watch until the server ends it or the
    /// request's timeout passes; what arrived by then is the body).
    pub async fn send(&self, req: &Request) -> Result<Answer, reqwest::Error> {
        let mut rb = self
            .http
            .request(req.method.clone(), format!("{}{}", self.base, req.path));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(b) = &req.body {
            rb = rb.body(b.clone());
        }
        let mut resp = rb.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        let deadline = tokio::time::Instant::now() + req.timeout;
        loop {
            match tokio::time::timeout_at(deadline, resp.chunk()).await {
                Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
                Ok(Ok(None)) | Err(_) => break,
                Ok(Err(e)) => return Err(e),
            }
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}
