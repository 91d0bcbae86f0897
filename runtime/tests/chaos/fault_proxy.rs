//! A TCP proxy in front of an API server that breaks connections the way networks and load
//! balancers do. Each accepted connection draws one fault from a seeded generator:
//! - **drop**: after some bytes from the server, both sides are closed (FIN), mid-event;
//! - **reset**: the same, with an RST (zero linger) instead;
//! - **stall**: after some bytes, nothing is forwarded from the server for a few seconds;
//! - **slow read**: the server's bytes are taken in small pieces with pauses;
//! - none.
//!
//! [`FaultProxy::cut_all`] resets every open connection at once (a proxy restart), and
//! [`FaultProxy::calm`] stops drawing faults for new connections. TLS passes through
//! untouched (the proxy only sees ciphertext), so faults land in the middle of records.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What happens to one connection.
#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    Drop { after: u64 },
    Reset { after: u64 },
    Stall { after: u64, pause: Duration },
    SlowRead { chunk: usize, pause: Duration },
}

/// How a connection ended.
enum End {
    Closed,
    Dropped,
    Reset,
}

/// Faults that took effect, by kind.
#[derive(Debug, Default)]
pub(crate) struct FaultCounts {
    pub connections: AtomicU64,
    pub drops: AtomicU64,
    pub resets: AtomicU64,
    pub stalls: AtomicU64,
    pub slow_reads: AtomicU64,
    pub cut_all: AtomicU64,
    pub connections_cut: AtomicU64,
}

impl FaultCounts {
    pub(crate) fn summary(&self) -> String {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "connections {}, drops mid-stream {}, resets mid-stream {}, stalls {}, slow reads {}, \
             cut-all events {} ({} connections reset)",
            n(&self.connections),
            n(&self.drops),
            n(&self.resets),
            n(&self.stalls),
            n(&self.slow_reads),
            n(&self.cut_all),
            n(&self.connections_cut),
        )
    }
}

/// A running proxy; stops when dropped.
pub(crate) struct FaultProxy {
    addr: SocketAddr,
    counts: Arc<FaultCounts>,
    calm: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    accept: JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut.send_modify(|n| *n += 1);
    }
}

impl FaultProxy {
    /// Listens on an ephemeral loopback port and forwards to `upstream`.
    pub(crate) async fn start(upstream: SocketAddr, seed: u64) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let counts = Arc::new(FaultCounts::default());
        let calm = Arc::new(AtomicBool::new(false));
        let (cut, _) = watch::channel(0u64);
        let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(seed)));
        let accept = tokio::spawn({
            let (counts, calm, cut) = (counts.clone(), calm.clone(), cut.clone());
            async move {
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    counts.connections.fetch_add(1, Ordering::Relaxed);
                    let fault = if calm.load(Ordering::Relaxed) {
                        Fault::None
                    } else {
                        draw(&mut rng.lock().unwrap())
                    };
                    tokio::spawn(relay(
                        client,
                        upstream,
                        fault,
                        cut.subscribe(),
                        counts.clone(),
                    ));
                }
            }
        });
        Ok(Self {
            addr,
            counts,
            calm,
            cut,
            accept,
        })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn counts(&self) -> &FaultCounts {
        &self.counts
    }

    /// Resets every open connection.
    pub(crate) fn cut_all(&self) {
        self.counts.cut_all.fetch_add(1, Ordering::Relaxed);
        self.cut.send_modify(|n| *n += 1);
    }

    /// New connections get no fault from now on.
    pub(crate) fn calm(&self) {
        self.calm.store(true, Ordering::Relaxed);
    }

    /// New connections draw faults again.
    pub(crate) fn rage(&self) {
        self.calm.store(false, Ordering::Relaxed);
    }
}

/// One fault for a new connection: half of them none.
fn draw(rng: &mut fastrand::Rng) -> Fault {
    let after = rng.u64(500..100_000);
    match rng.u32(0..10) {
        0..=4 => Fault::None,
        5 => Fault::Drop { after },
        6 => Fault::Reset { after },
        7 | 8 => Fault::Stall {
            after,
            pause: Duration::from_millis(rng.u64(500..4_000)),
        },
        _ => Fault::SlowRead {
            chunk: rng.usize(64..2_048),
            pause: Duration::from_millis(rng.u64(1..10)),
        },
    }
}

async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    fault: Fault,
    mut cut: watch::Receiver<u64>,
    counts: Arc<FaultCounts>,
) {
    let _ = client.set_nodelay(true);
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        let _ = client.set_zero_linger();
        return;
    };
    let _ = server.set_nodelay(true);
    let end = {
        let (mut from_client, to_client) = client.split();
        let (from_server, mut to_server) = server.split();
        let up = async {
            let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
        };
        tokio::select! {
            _ = up => End::Closed,
            end = down(from_server, to_client, fault, &counts) => end,
            _ = cut.changed() => {
                counts.connections_cut.fetch_add(1, Ordering::Relaxed);
                End::Reset
            }
        }
    };
    match end {
        End::Reset => {
            let _ = client.set_zero_linger();
            let _ = server.set_zero_linger();
        }
        End::Dropped => {
            let _ = client.shutdown().await;
        }
        End::Closed => {}
    }
}

/// Server to client, with the connection's fault.
async fn down(
    mut from: ReadHalf<'_>,
    mut to: WriteHalf<'_>,
    fault: Fault,
    counts: &FaultCounts,
) -> End {
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent: u64 = 0;
    let mut stalled = false;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return End::Closed,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        match fault {
            Fault::Drop { after } | Fault::Reset { after } if sent + n as u64 >= after => {
                // Forward part of this read, then end in the middle of whatever it held.
                let part = (after - sent.min(after)) as usize;
                let _ = to.write_all(&chunk[..part.min(n)]).await;
                return if matches!(fault, Fault::Drop { .. }) {
                    counts.drops.fetch_add(1, Ordering::Relaxed);
                    End::Dropped
                } else {
                    counts.resets.fetch_add(1, Ordering::Relaxed);
                    End::Reset
                };
            }
            Fault::Stall { after, pause } if !stalled && sent + n as u64 >= after => {
                stalled = true;
                counts.stalls.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(pause).await;
            }
            Fault::SlowRead { chunk: size, pause } => {
                if sent == 0 {
                    counts.slow_reads.fetch_add(1, Ordering::Relaxed);
                }
                for piece in chunk.chunks(size) {
                    if to.write_all(piece).await.is_err() {
                        return End::Closed;
                    }
                    tokio::time::sleep(pause).await;
                }
                sent += n as u64;
                continue;
            }
            _ => {}
        }
        if to.write_all(chunk).await.is_err() {
            return End::Closed;
        }
        sent += n as u64;
    }
}
