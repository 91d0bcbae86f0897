//! Credentials attached to each request: static tokens and basic auth, token files re-read
//! as they rotate, and exec plugins cached until they expire or the server rejects them;
//! and, after a 401, client certificate files read again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use http::HeaderValue;

use super::cert_files::Recheck;
use super::error::AuthError;
use super::tls::{certified_key, ClientCertSlot};
use crate::config::{AuthConfig, ExecAuth, ExecCredential, Secret};

/// How often a token file is read again (client-go re-reads every minute).
const TOKEN_FILE_REFRESH: Duration = Duration::from_secs(60);

/// The authentication state of one client, shared by its clones: the credential sent in
/// a header, and the client certificate (whose files may rotate).
#[derive(Debug)]
pub(crate) struct Auth {
    credential: Credential,
    cert_slot: Arc<ClientCertSlot>,
}

/// Where the `Authorization` header comes from.
#[derive(Debug)]
enum Credential {
    None,
    Static(HeaderValue),
    TokenFile(TokenFile),
    Exec(Box<ExecCache>),
}

impl Auth {
    pub(crate) fn new(
        config: &AuthConfig,
        cert_slot: Arc<ClientCertSlot>,
    ) -> Result<Self, AuthError> {
        let credential = match config {
            AuthConfig::None => Credential::None,
            AuthConfig::Token(token) => Credential::Static(bearer(token.expose())?),
            AuthConfig::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
                Credential::Static(sensitive(&format!("Basic {encoded}"))?)
            }
            AuthConfig::TokenFile(path) => Credential::TokenFile(TokenFile {
                path: path.clone(),
                cached: Mutex::new(None),
            }),
            AuthConfig::Exec(exec) => Credential::Exec(Box::new(ExecCache {
                exec: (**exec).clone(),
                cached: tokio::sync::Mutex::new(None),
                cert_slot: cert_slot.clone(),
            })),
        };
        Ok(Self {
            credential,
            cert_slot,
        })
    }

    /// The `Authorization` header for the next request, if any.
    pub(crate) async fn header(&self) -> Result<Option<HeaderValue>, AuthError> {
        match &self.credential {
            Credential::None => Ok(None),
            Credential::Static(h) => Ok(Some(h.clone())),
            Credential::TokenFile(f) => f.header().map(Some),
            Credential::Exec(e) => e.header().await,
        }
    }

    /// Forgets a credential the server rejected with 401 (`rejected`: the header that was
    /// sent; `cert_generation`: the client certificate generation of the connection).
    /// True when asking again may give a different one, so the request is worth one
    /// more try. Only the credential still current is forgotten: when many requests fail
    /// with the same old one at once, the first refreshes it and the others retry with the
    /// new one, instead of each running the plugin again (client-go does the same).
    ///
    /// Client certificate files are read again at once: the API server answers an expired
    /// certificate with 401, and the rotated one may already be on disk. A certificate
    /// newer than the connection's is worth a retry whatever the header.
    pub(crate) async fn invalidate(
        &self,
        rejected: Option<&HeaderValue>,
        cert_generation: u64,
    ) -> bool {
        self.cert_slot.reload_files(Recheck::Now);
        let newer_cert = self.cert_slot.generation() != cert_generation;
        let newer_credential = match &self.credential {
            Credential::None | Credential::Static(_) => false,
            Credential::TokenFile(f) => {
                let mut cached = f.cached.lock().unwrap_or_else(|p| p.into_inner());
                if cached.as_ref().is_some_and(|(h, _)| Some(h) == rejected) {
                    *cached = None;
                }
                true
            }
            Credential::Exec(e) => {
                let mut cached = e.cached.lock().await;
                // The generation is read under the lock: a plugin run that finished while
                // this waited has set a newer certificate, which is no reason to run again.
                let current = cached.as_ref().is_some_and(|(_, h)| h.as_ref() == rejected)
                    && e.cert_slot.generation() == cert_generation;
                if current {
                    *cached = None;
                }
                true
            }
        };
        newer_cert || newer_credential
    }
}

fn sensitive(value: &str) -> Result<HeaderValue, AuthError> {
    let mut h = HeaderValue::from_str(value).map_err(|_| AuthError::InvalidHeader)?;
    h.set_sensitive(true);
    Ok(h)
}

fn bearer(token: &str) -> Result<HeaderValue, AuthError> {
    sensitive(&format!("Bearer {}", token.trim()))
}

/// A bearer token kept in a file, re-read every minute and after a 401.
#[derive(Debug)]
pub(crate) struct TokenFile {
    path: PathBuf,
    cached: Mutex<Option<(HeaderValue, Instant)>>,
}

impl TokenFile {
    fn header(&self) -> Result<HeaderValue, AuthError> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((h, at)) = &*cached {
            if at.elapsed() < TOKEN_FILE_REFRESH {
                return Ok(h.clone());
            }
        }
        match std::fs::read_to_string(&self.path) {
            Ok(token) => {
                let h = bearer(&token)?;
                *cached = Some((h.clone(), Instant::now()));
                Ok(h)
            }
            // Keep using the last token if a rotation is half-way; fail only without one.
            Err(source) => match &*cached {
                Some((h, _)) => {
                    tracing::warn!(path = %self.path.display(), error = %source, "re-reading token file failed; using the previous token");
                    Ok(h.clone())
                }
                None => Err(AuthError::TokenFile {
                    path: self.path.display().to_string(),
                    source,
                }),
            },
        }
    }
}

/// An exec plugin's credential, cached until it expires or is rejected. The lock is held
/// while the plugin runs so concurrent requests run it once.
#[derive(Debug)]
pub(crate) struct ExecCache {
    exec: ExecAuth,
    cached: tokio::sync::Mutex<Option<(ExecCredential, Option<HeaderValue>)>>,
    cert_slot: Arc<ClientCertSlot>,
}

impl ExecCache {
    async fn header(&self) -> Result<Option<HeaderValue>, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some((cred, header)) = &*cached {
            if !cred.is_expired() {
                return Ok(header.clone());
            }
        }
        let cred = self.exec.run().await?;
        let header = cred
            .token
            .as_ref()
            .map(|t: &Secret<String>| bearer(t.expose()))
            .transpose()?;
        if let (Some(cert), Some(key)) = (&cred.client_certificate_pem, &cred.client_key_pem) {
            let key = certified_key(cert, key.expose()).map_err(AuthError::ClientCert)?;
            self.cert_slot.set(key);
        }
        *cached = Some((cred, header.clone()));
        Ok(header)
    }
}
