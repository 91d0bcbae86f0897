//! The rustls client configuration: which servers to trust and which client certificate
//! to present, built from [`crate::config::TlsConfig`].
//!
//! Trust is exactly what the kubeconfig says: its CA bundle alone when it has one, the
//! system roots otherwise, and no verification only with `insecure-skip-tls-verify`.
//! `tls-server-name` is applied by the connector ([`super::connector`]): it is the name
//! sent as SNI and the name the certificate is verified against, as in client-go.
//! The client certificate sits behind a swappable slot so an exec plugin can supply (and
//! rotate) one after the client was built.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::cert_files::{CertFileWatch, Recheck};
use crate::config::TlsConfig;

/// The crypto provider used everywhere: `ring`, chosen explicitly so the result does not
/// depend on which rustls backends other crates in the build enable.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Builds the rustls configuration and the slot holding the client certificate.
pub(crate) fn client_config(
    tls: &TlsConfig,
) -> Result<(ClientConfig, Arc<ClientCertSlot>), String> {
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = if tls.insecure_skip_verify {
        Arc::new(NoVerification(provider.clone()))
    } else {
        let mut roots = RootCertStore::empty();
        match &tls.ca_pem {
            Some(pem) => {
                let mut count = 0;
                for cert in CertificateDer::pem_slice_iter(pem) {
                    let cert = cert.map_err(|e| format!("certificate authority: {e}"))?;
                    roots
                        .add(cert)
                        .map_err(|e| format!("certificate authority: {e}"))?;
                    count += 1;
                }
                if count == 0 {
                    return Err("certificate authority: no PEM certificate found".into());
                }
            }
            None => {
                let native = rustls_native_certs::load_native_certs();
                for e in &native.errors {
                    tracing::debug!(error = %e, "skipping unreadable system root certificate");
                }
                roots.add_parsable_certificates(native.certs);
            }
        }
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| format!("certificate verifier: {e}"))?
    };
    let mut slot = ClientCertSlot::default();
    if let (Some(cert), Some(key)) = (&tls.client_cert_pem, &tls.client_key_pem) {
        slot.set(certified_key(cert, key.expose())?);
        slot.files = tls
            .client_cert_files
            .clone()
            .map(|files| CertFileWatch::new(files, cert.clone(), key.clone()));
    }
    let slot = Arc::new(slot);
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(slot.clone());
    config.alpn_protocols = if cfg!(feature = "http2") {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok((config, slot))
}

/// The same trust and client identity, offering HTTP/1.1 only: a protocol upgrade
/// (WebSocket) exists in HTTP/1.1 alone.
#[cfg(feature = "connect")]
pub(crate) fn http1_only(config: &ClientConfig) -> ClientConfig {
    let mut config = config.clone();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// Parses a PEM certificate chain and private key into a signing identity.
pub(crate) fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, String> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("client certificate: {e}"))?;
    if certs.is_empty() {
        return Err("client certificate: no PEM certificate found".into());
    }
    // The pem error names the section kind, never the key's bytes.
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("client key: {e}"))?;
    let signing = provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("client key: {e}"))?;
    Ok(CertifiedKey::new(certs, signing))
}

/// The client certificate to present, replaceable at run time (exec plugins, rotated
/// certificate files). Its generation counts the changes, so the connection pools know
/// when connections made with an older certificate must not take new requests
/// ([`super::pool`]).
#[derive(Debug, Default)]
pub(crate) struct ClientCertSlot {
    key: RwLock<Option<Arc<CertifiedKey>>>,
    generation: AtomicU64,
    /// The files the certificate came from, when they are to be read again.
    files: Option<CertFileWatch>,
}

impl ClientCertSlot {
    /// Presents `key` from now on. The generation moves only when the certificate chain
    /// differs: a plugin that hands out the same certificate again costs no reconnect.
    pub(crate) fn set(&self, key: CertifiedKey) {
        let Ok(mut slot) = self.key.write() else {
            return;
        };
        if slot.as_ref().is_some_and(|old| old.cert == key.cert) {
            return;
        }
        *slot = Some(Arc::new(key));
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Reads the certificate files again (if the certificate came from files) and takes
    /// what changed; see [`CertFileWatch::reload`].
    pub(crate) fn reload_files(&self, when: Recheck) {
        if let Some(files) = &self.files {
            files.reload(when, self);
        }
    }

    /// How many times the certificate has changed.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

impl ResolvesClientCert for ClientCertSlot {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.key.read().ok()?.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.read().map(|s| s.is_some()).unwrap_or(false)
    }
}

/// `insecure-skip-tls-verify`: accepts any certificate, but still checks the handshake
/// signatures so the session is at least bound to the presented key.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpn_offers_h2_only_with_the_http2_feature() {
        let tls = TlsConfig {
            insecure_skip_verify: true,
            ..TlsConfig::default()
        };
        let (config, _) = client_config(&tls).unwrap();
        let mut expected = Vec::new();
        if cfg!(feature = "http2") {
            expected.push(b"h2".to_vec());
        }
        expected.push(b"http/1.1".to_vec());
        assert_eq!(config.alpn_protocols, expected);
    }
}
