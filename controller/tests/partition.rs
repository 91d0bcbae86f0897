//! A leader cut off from the API server (a TCP proxy that stops forwarding, so its requests
//! hang) stops leading at its renew deadline, before a candidate that still reaches the
//! server can consider the lease expired and take over. Runs against the in-process test
//! server or `KUBEGEN_E2E_KUBECONFIG`'s cluster, like the other suites.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubegen_controller::leaderelection::{LeaderElectionConfig, LeaderElector, RunOutcome};
use kubegen_controller::CancellationToken;
use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::Client;
use kubegen_test_support::{TestEnv, KUBECONFIG_ENV};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, Instant};

const LEASE: Duration = Duration::from_secs(3);
const RENEW: Duration = Duration::from_secs(2);
const RETRY: Duration = Duration::from_millis(300);

/// A TCP proxy to `upstream` that, once `cut` is set, forwards nothing more (connections
/// stay open, requests hang: a network partition, not a refusal).
async fn proxy(upstream: String, cut: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (upstream, cut) = (upstream.clone(), cut.clone());
            tokio::spawn(async move {
                if cut.load(Ordering::SeqCst) {
                    std::future::pending::<()>().await;
                }
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::join!(pipe(cr, sw, cut.clone()), pipe(sr, cw, cut));
            });
        }
    });
    port
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    cut: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if cut.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// The environment's client configuration, pointed at `127.0.0.1:port` instead (TLS still
/// verifies the server's own name).
fn config_through(env: &TestEnv, port: u16, dir: &std::path::Path) -> Config {
    let path = match env.server() {
        Some(server) => {
            let path = dir.join("kubeconfig");
            server.write_kubeconfig(&path).unwrap();
            path
        }
        None => std::env::var_os(KUBECONFIG_ENV).unwrap().into(),
    };
    let overrides = Overrides {
        context: std::env::var("KUBEGEN_E2E_CONTEXT").ok(),
        ..Overrides::default()
    };
    let mut config = Config::from_kubeconfig_file(&path, overrides).unwrap();
    let url = config.cluster_url.clone();
    let host = url.host().unwrap().to_string();
    if config.tls.server_name.is_none() {
        config.tls.server_name = Some(host);
    }
    config.cluster_url = format!(
        "{}://127.0.0.1:{port}{}",
        url.scheme_str().unwrap(),
        url.path()
    )
    .trim_end_matches('/')
    .parse()
    .unwrap();
    config.rate_limit = None;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partitioned_leader_stops_before_another_takes_over() {
    let env = TestEnv::start("le-partition").await;
    let dir = tempfile::tempdir().unwrap();
    let base = env.client.base_url().clone();
    let upstream = format!(
        "{}:{}",
        base.host().unwrap(),
        base.port_u16().unwrap_or(443)
    );
    let cut = Arc::new(AtomicBool::new(false));
    let port = proxy(upstream, cut.clone()).await;
    let partitioned_client = Client::new(config_through(&env, port, dir.path())).unwrap();

    let log: Arc<Mutex<Vec<(&'static str, Instant)>>> = Arc::default();
    let make = |client: &Client, id: &'static str| {
        let (l1, l2) = (log.clone(), log.clone());
        let config = LeaderElectionConfig::new(&env.namespace, "lock", id)
            .timings(LEASE, RENEW, RETRY)
            .on_started_leading(move || l1.lock().unwrap().push((id, Instant::now())))
            .on_stopped_leading(move || l2.lock().unwrap().push(("stopped", Instant::now())));
        Arc::new(LeaderElector::new(client.clone(), config).unwrap())
    };
    let first = make(&partitioned_client, "first");
    let second = make(&env.client, "second");
    let (c1, c2) = (CancellationToken::new(), CancellationToken::new());
    let run1 = {
        let c1 = c1.clone();
        tokio::spawn(async move { first.run(c1, |g| async move { g.lost().await }).await })
    };
    let t = Instant::now();
    while !log.lock().unwrap().iter().any(|(id, _)| *id == "first") {
        assert!(t.elapsed() < Duration::from_secs(20), "first never led");
        sleep(Duration::from_millis(20)).await;
    }
    let run2 = {
        let c2 = c2.clone();
        tokio::spawn(async move { second.run(c2, |g| async move { g.lost().await }).await })
    };
    sleep(RETRY * 4).await;

    let cut_at = Instant::now();
    cut.store(true, Ordering::SeqCst);
    let outcome = tokio::time::timeout(RENEW + Duration::from_secs(5), run1)
        .await
        .expect("the partitioned leader gives up by its renew deadline")
        .unwrap();
    assert_eq!(outcome, RunOutcome::Lost);
    let t = Instant::now();
    while !log.lock().unwrap().iter().any(|(id, _)| *id == "second") {
        assert!(
            t.elapsed() < LEASE + Duration::from_secs(10),
            "second never took over"
        );
        sleep(Duration::from_millis(20)).await;
    }
    let log = log.lock().unwrap().clone();
    let at = |what: &str| log.iter().find(|(id, _)| *id == what).unwrap().1;
    let (stopped, taken) = (at("stopped"), at("second"));
    assert!(
        stopped < taken,
        "stopped {:?} after cut, second led {:?} after cut",
        stopped - cut_at,
        taken - cut_at
    );
    assert!(
        stopped - cut_at <= RENEW + Duration::from_secs(1),
        "stopped within the renew deadline"
    );
    c1.cancel();
    c2.cancel();
    assert_eq!(run2.await.unwrap(), RunOutcome::Finished(()));
    env.finish().await;
}
