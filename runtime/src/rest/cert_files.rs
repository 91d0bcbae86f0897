//! Client certificate files read again as they rotate ([`ClientCertFiles`]).
//!
//! The files are read when a request is about to go out and the recheck interval has
//! passed, and at once after a `401`, instead of on a timer of their own: a client that
//! sends nothing needs no fresh certificate. A pair that differs from what was last read
//! and makes a matching certificate and key goes into the [`ClientCertSlot`], whose new
//! generation makes the pools open new connections ([`super::pool`]).

use std::sync::Mutex;
use std::time::Instant;

use rustls::sign::CertifiedKey;

use super::tls::{certified_key, ClientCertSlot};
use crate::config::{ClientCertFiles, Secret};

/// When to read the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recheck {
    /// Only if the recheck interval has passed since the last read.
    IfDue,
    /// Now (the server rejected the certificate in use).
    Now,
}

/// The certificate files of one client and what they held when last read.
#[derive(Debug)]
pub(crate) struct CertFileWatch {
    files: ClientCertFiles,
    state: Mutex<Seen>,
}

#[derive(Debug)]
struct Seen {
    read_at: Instant,
    /// The contents last read, valid or not: a bad pair is reported once, not at every
    /// recheck, and the same pair again is no change.
    cert: Vec<u8>,
    key: Secret<Vec<u8>>,
}

/// Why a pair of files was not taken.
#[derive(Debug, thiserror::Error)]
enum Rejected {
    #[error("reading {what}: {source}")]
    Read {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{0}")]
    Parse(String),
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
}

impl CertFileWatch {
    /// Watches `files`, whose current contents (`cert`, `key`) the client was built with.
    pub(crate) fn new(files: ClientCertFiles, cert: Vec<u8>, key: Secret<Vec<u8>>) -> Self {
        Self {
            files,
            state: Mutex::new(Seen {
                read_at: Instant::now(),
                cert,
                key,
            }),
        }
    }

    /// Reads the files if `when` says so and puts a changed, valid certificate into
    /// `slot`. Anything wrong keeps the certificate in use and is logged, never returned:
    /// the current certificate may well still be accepted.
    pub(crate) fn reload(&self, when: Recheck, slot: &ClientCertSlot) {
        let mut seen = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if when == Recheck::IfDue && seen.read_at.elapsed() < self.files.recheck_interval {
            return;
        }
        seen.read_at = Instant::now();
        let (cert, key) = match self.read() {
            Ok(pair) => pair,
            Err(e) => {
                tracing::error!(cert = %self.files.cert.display(), key = %self.files.key.display(), error = %e, "client certificate files could not be read; keeping the current certificate");
                return;
            }
        };
        if cert == seen.cert && key.expose() == seen.key.expose() {
            return;
        }
        let parsed = parse(&cert, key.expose());
        seen.cert = cert;
        seen.key = key;
        match parsed {
            Ok(certified) => {
                tracing::info!(cert = %self.files.cert.display(), "client certificate files changed: new connections present the new certificate");
                slot.set(certified);
            }
            Err(e) => {
                tracing::error!(cert = %self.files.cert.display(), key = %self.files.key.display(), error = %e, "client certificate files changed but are not a usable certificate and key (half written?); keeping the current certificate");
            }
        }
    }

    fn read(&self) -> Result<(Vec<u8>, Secret<Vec<u8>>), Rejected> {
        let cert = std::fs::read(&self.files.cert).map_err(|source| Rejected::Read {
            what: "client-certificate",
            source,
        })?;
        let key = std::fs::read(&self.files.key).map_err(|source| Rejected::Read {
            what: "client-key",
            source,
        })?;
        Ok((cert, Secret::new(key)))
    }
}

/// A certificate chain and the key that belongs to it. A rotation caught half-way (new
/// certificate, old key) is refused here rather than failing every handshake.
fn parse(cert: &[u8], key: &[u8]) -> Result<CertifiedKey, Rejected> {
    let certified = certified_key(cert, key).map_err(Rejected::Parse)?;
    match certified.keys_match() {
        Ok(()) => Ok(certified),
        // The key type cannot tell its public half: nothing to compare, take it.
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(certified),
        Err(rustls::Error::InconsistentKeys(_)) => Err(Rejected::KeyMismatch),
        Err(e) => Err(Rejected::Parse(format!("client certificate: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    struct Identity {
        cert: String,
        key: String,
    }

    fn identity() -> Identity {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        Identity {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    /// A slot presenting `first`, watching files that hold it, rechecked on every call.
    fn watched(dir: &std::path::Path, first: &Identity) -> (CertFileWatch, ClientCertSlot) {
        let files = ClientCertFiles {
            recheck_interval: Duration::ZERO,
            ..ClientCertFiles::new(dir.join("tls.crt"), dir.join("tls.key"))
        };
        write(dir, first);
        let slot = ClientCertSlot::default();
        slot.set(parse(first.cert.as_bytes(), first.key.as_bytes()).unwrap());
        let watch = CertFileWatch::new(
            files,
            first.cert.clone().into_bytes(),
            Secret::new(first.key.clone().into_bytes()),
        );
        (watch, slot)
    }

    fn write(dir: &std::path::Path, id: &Identity) {
        std::fs::write(dir.join("tls.crt"), &id.cert).unwrap();
        std::fs::write(dir.join("tls.key"), &id.key).unwrap();
    }

    #[test]
    fn a_changed_pair_is_taken_and_the_same_pair_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let (watch, slot) = watched(dir.path(), &identity());
        let gen = slot.generation();
        watch.reload(Recheck::IfDue, &slot);
        assert_eq!(slot.generation(), gen, "unchanged files");
        write(dir.path(), &identity());
        watch.reload(Recheck::IfDue, &slot);
        assert_eq!(slot.generation(), gen + 1);
        watch.reload(Recheck::Now, &slot);
        assert_eq!(slot.generation(), gen + 1);
    }

    #[test]
    fn bad_files_keep_the_current_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let first = identity();
        let (watch, slot) = watched(dir.path(), &first);
        let gen = slot.generation();
        let second = identity();
        // Half-written certificate; new certificate with the old key; no key file.
        std::fs::write(
            dir.path().join("tls.crt"),
            &second.cert[..second.cert.len() / 2],
        )
        .unwrap();
        watch.reload(Recheck::Now, &slot);
        std::fs::write(dir.path().join("tls.crt"), &second.cert).unwrap();
        watch.reload(Recheck::Now, &slot);
        std::fs::remove_file(dir.path().join("tls.key")).unwrap();
        watch.reload(Recheck::Now, &slot);
        std::fs::write(dir.path().join("tls.key"), b"not a key").unwrap();
        watch.reload(Recheck::Now, &slot);
        assert_eq!(slot.generation(), gen);
        // The rotation completes.
        std::fs::write(dir.path().join("tls.key"), &second.key).unwrap();
        watch.reload(Recheck::Now, &slot);
        assert_eq!(slot.generation(), gen + 1);
    }

    #[test]
    fn files_are_not_read_before_the_interval_passes() {
        let dir = tempfile::tempdir().unwrap();
        let first = identity();
        let (mut watch, slot) = watched(dir.path(), &first);
        watch.files.recheck_interval = Duration::from_secs(3600);
        let gen = slot.generation();
        write(dir.path(), &identity());
        watch.reload(Recheck::IfDue, &slot);
        assert_eq!(slot.generation(), gen);
        watch.reload(Recheck::Now, &slot);
        assert_eq!(slot.generation(), gen + 1);
    }
}
