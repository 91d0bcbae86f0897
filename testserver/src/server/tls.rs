//! TLS material generated at start with `rcgen`: a CA, a server certificate for
//! 127.0.0.1/localhost, and one client certificate the server accepts as an admin.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

use crate::error::TestServerError;

/// Certificates and keys of one server.
pub(crate) struct TlsMaterial {
    /// CA certificate, PEM.
    pub ca_pem: String,
    /// Client certificate, PEM.
    pub client_cert_pem: String,
    /// Client key, PEM (secret).
    pub client_key_pem: String,
    /// Client certificate, DER, to recognize it on a connection.
    pub client_cert_der: Vec<u8>,
    /// The rustls configuration.
    pub config: Arc<ServerConfig>,
    /// The CA and its key, to issue more client certificates.
    ca: (Certificate, KeyPair),
}

/// A client certificate issued by the server's CA.
pub(crate) struct ClientIdentity {
    pub cert_pem: String,
    /// Secret.
    pub key_pem: String,
    pub cert_der: Vec<u8>,
}

impl TlsMaterial {
    /// Issues another admin client certificate (to test rotation).
    pub(crate) fn issue_client(&self) -> Result<ClientIdentity, TestServerError> {
        issue_client(&self.ca.0, &self.ca.1)
    }
}

fn issue_client(ca: &Certificate, ca_key: &KeyPair) -> Result<ClientIdentity, TestServerError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "testserver-admin");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "system:masters");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.signed_by(&key, ca, ca_key).map_err(err)?;
    Ok(ClientIdentity {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        cert_der: cert.der().to_vec(),
    })
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("client_key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn err(e: impl std::fmt::Display) -> TestServerError {
    TestServerError::Tls(e.to_string())
}

/// Generates fresh material.
pub(crate) fn generate() -> Result<TlsMaterial, TestServerError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kubegen-testserver-ca");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;

    let mut srv_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(err)?;
    srv_params
        .distinguished_name
        .push(DnType::CommonName, "kubegen-testserver");
    srv_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let srv_key = KeyPair::generate().map_err(err)?;
    let srv = srv_params.signed_by(&srv_key, &ca, &ca_key).map_err(err)?;

    let cli = issue_client(&ca, &ca_key)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(ca.der().clone()).map_err(err)?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(err)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(srv_key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(srv.der().to_vec())], key)
        .map_err(err)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsMaterial {
        ca_pem: ca.pem(),
        client_cert_pem: cli.cert_pem,
        client_key_pem: cli.key_pem,
        client_cert_der: cli.cert_der,
        config: Arc::new(config),
        ca: (ca, ca_key),
    })
}
