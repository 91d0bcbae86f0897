//! The connections of one client, in lanes, renewed when the client certificate changes.
//!
//! hyper-util's pool keeps one HTTP/2 connection per host and queues a request while the
//! server's concurrent-stream limit is used up. Watches hold their stream for minutes, so
//! enough informers (nginx allows 128 streams, Go's server 250) would leave a GET queued
//! forever. Requests are therefore split, much as Go's transport opens another connection
//! when streams run out:
//! - short requests (everything whose body ends soon) share one pool of their own, so no
//!   number of watches can starve them;
//! - long-running requests (watches, followed logs, raw streams) go to pools of at most
//!   `max_streams_per_connection` open streams each; one more opens another pool, hence
//!   another connection. Each stream holds a [`StreamLease`] until its body is dropped.
//!
//! A certificate that changes (an exec plugin's rotation, rotated certificate files)
//! replaces every pool and the TLS session cache: connections made with the old one finish
//! what they carry but take no new request, so the next request makes a full TLS handshake
//! presenting the new certificate. client-go closes all its connections on rotation for
//! the same reason.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Builder;

use super::cert_files::Recheck;
use super::connector::Connector;
use super::tls::ClientCertSlot;

/// hyper-util's pooled client over our connector.
pub(crate) type HttpClient = hyper_util::client::legacy::Client<Connector, Full<Bytes>>;

/// Which connections a request goes out on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    /// A request whose body ends soon.
    Short,
    /// A watch or stream that keeps its HTTP/2 stream open for long.
    Long,
}

/// The pools of one client (shared by its clones).
pub(crate) struct Pools {
    builder: Builder,
    cert: Arc<ClientCertSlot>,
    max_streams_per_connection: usize,
    state: Mutex<State>,
}

struct State {
    /// The certificate generation the pools were made for.
    cert_generation: u64,
    /// Renewed with the certificate: TLS sessions resumed from before the change would
    /// present the old certificate.
    connector: Connector,
    short: HttpClient,
    long: Vec<LongPool>,
}

/// A pool for long-running requests, with the number of its open streams.
struct LongPool {
    http: HttpClient,
    open: Arc<AtomicUsize>,
}

/// A pool to send one request on; `lease` (long lane only) counts the request's stream
/// until dropped.
pub(crate) struct Checkout {
    pub(crate) http: HttpClient,
    pub(crate) lease: Option<StreamLease>,
    /// The certificate generation the connection presents (for the 401 refresh).
    pub(crate) cert_generation: u64,
}

/// One open long-running stream of a pool; frees its place when dropped.
#[derive(Debug)]
pub(crate) struct StreamLease(Arc<AtomicUsize>);

impl Drop for StreamLease {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Pools {
    pub(crate) fn new(
        builder: Builder,
        connector: Connector,
        cert: Arc<ClientCertSlot>,
        max_streams_per_connection: usize,
    ) -> Self {
        let state = State {
            cert_generation: cert.generation(),
            short: builder.build(connector.clone()),
            connector,
            long: Vec::new(),
        };
        Self {
            builder,
            cert,
            max_streams_per_connection: max_streams_per_connection.max(1),
            state: Mutex::new(state),
        }
    }

    /// A connector for one unpooled HTTP/1.1 connection (a protocol upgrade), presenting
    /// the current client certificate, and that certificate's generation.
    #[cfg(feature = "connect")]
    pub(crate) fn upgrade_connector(&self) -> (Connector, u64) {
        let checkout = self.checkout(Lane::Short);
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (state.connector.http1_only(), checkout.cert_generation)
    }

    /// The pool for the next request on `lane`. Call after the credentials were fetched
    /// (an exec plugin may just have set a new certificate). Certificate files are read
    /// again here when their recheck interval has passed.
    pub(crate) fn checkout(&self, lane: Lane) -> Checkout {
        self.cert.reload_files(Recheck::IfDue);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let generation = self.cert.generation();
        if state.cert_generation != generation {
            tracing::debug!(
                generation,
                "client certificate changed: new requests go on new connections"
            );
            state.cert_generation = generation;
            state.connector = state.connector.renewed();
            state.short = self.builder.build(state.connector.clone());
            state.long.clear();
        }
        match lane {
            Lane::Short => Checkout {
                http: state.short.clone(),
                lease: None,
                cert_generation: generation,
            },
            Lane::Long => self.long_lease(&mut state),
        }
    }

    /// A long-lane pool with a free stream, opening another when all are full; pools left
    /// without streams are dropped (closing their idle connection), keeping one.
    fn long_lease(&self, state: &mut State) -> Checkout {
        let mut kept_idle = false;
        state.long.retain(|pool| {
            let idle = pool.open.load(Ordering::Acquire) == 0;
            let keep = !idle || !kept_idle;
            kept_idle |= idle;
            keep
        });
        let max = self.max_streams_per_connection;
        let free = state
            .long
            .iter()
            .position(|pool| pool.open.load(Ordering::Acquire) < max);
        let index = match free {
            Some(index) => index,
            None => {
                tracing::debug!(
                    pools = state.long.len() + 1,
                    max_streams_per_connection = max,
                    "long-running streams fill every connection: opening another"
                );
                state.long.push(LongPool {
                    http: self.builder.build(state.connector.clone()),
                    open: Arc::new(AtomicUsize::new(0)),
                });
                state.long.len() - 1
            }
        };
        let pool = &state.long[index];
        pool.open.fetch_add(1, Ordering::AcqRel);
        Checkout {
            http: pool.http.clone(),
            lease: Some(StreamLease(pool.open.clone())),
            cert_generation: state.cert_generation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::proxy::ProxyRules;
    use hyper_util::rt::TokioExecutor;

    fn pools(max: usize) -> (Pools, Arc<ClientCertSlot>) {
        let tls = crate::config::TlsConfig {
            insecure_skip_verify: true,
            ..Default::default()
        };
        let (config, slot) = crate::rest::tls::client_config(&tls).unwrap();
        let proxies = Arc::new(ProxyRules::new(None).unwrap());
        let connector = Connector::new(config, None, proxies, None).unwrap();
        let builder = hyper_util::client::legacy::Client::builder(TokioExecutor::new());
        (Pools::new(builder, connector, slot.clone(), max), slot)
    }

    fn long_pools(p: &Pools) -> usize {
        p.state.lock().unwrap().long.len()
    }

    #[test]
    fn long_streams_open_another_pool_when_one_is_full() {
        let (p, _) = pools(2);
        let a = p.checkout(Lane::Long);
        let b = p.checkout(Lane::Long);
        assert_eq!(long_pools(&p), 1);
        let c = p.checkout(Lane::Long);
        assert_eq!(long_pools(&p), 2);
        // A freed place is reused before anything new is opened.
        drop(a);
        let d = p.checkout(Lane::Long);
        assert_eq!(long_pools(&p), 2);
        // Pools without streams are dropped, but one is kept.
        drop((b, c, d));
        let _e = p.checkout(Lane::Long);
        assert_eq!(long_pools(&p), 1);
        assert!(p.checkout(Lane::Short).lease.is_none());
    }

    #[test]
    fn a_new_certificate_replaces_the_pools() {
        let (p, slot) = pools(2);
        let _a = p.checkout(Lane::Long);
        let gen = p.state.lock().unwrap().cert_generation;
        let key = test_key();
        slot.set(key.clone());
        let _b = p.checkout(Lane::Short);
        assert_eq!(p.state.lock().unwrap().cert_generation, gen + 1);
        assert_eq!(long_pools(&p), 0);
        // The same certificate again is no change.
        slot.set(key);
        assert_eq!(slot.generation(), gen + 1);
    }

    fn test_key() -> rustls::sign::CertifiedKey {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        crate::rest::tls::certified_key(cert.pem().as_bytes(), key.serialize_pem().as_bytes())
            .unwrap()
    }
}
