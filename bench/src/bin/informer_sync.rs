//! Informer sync benchmark: kubegen's shared informer (full objects and metadata-only) versus
//! kube-rs 5's `watcher` + `reflector` (k8s-openapi 0.29 types), and a plain HTTP GET of the
//! same list, all against the same kubegen-testserver holding N realistic pods.
//!
//! Each side runs in its own child process (this binary with `--side`), so peak RSS (`VmHWM`)
//! and RSS after sync (`VmRSS`) are per side; the global allocator is the same (system) for
//! all. Measured per side: time from start to synced (cache complete), the handler's event
//! rate during the initial sync (N / time from the side's start to the handler's N-th event:
//! a burst after the cache filled would otherwise look infinitely fast), peak RSS and RSS
//! after sync. Prints the ratios kubegen / kube-rs.
//!
//! ```text
//! cargo build --release -p kubegen-testserver            # in the workspace
//! cd bench && cargo run --release --bin informer_sync -- [--pods 50000] [--server URL]
//!     [--testserver PATH] [--rounds 1]
//! ```
//! Without `--server` it starts `../target/release/kubegen-testserver` on a free port.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use kubegen_runtime::cache::{EventHandlerFns, SharedInformerFactory};
use kubegen_runtime::config::Config;
use kubegen_runtime::rest::{Client, Method};

const NAMESPACE: &str = "shop";
const SIDES: [&str; 5] = [
    "plain-get",
    "kubegen-full",
    "kubegen-meta",
    "kube-rs-full",
    "kube-rs-meta",
];

/// What one side measured.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Measure {
    side: String,
    objects: usize,
    synced_s: f64,
    events_per_s: f64,
    peak_rss_mb: f64,
    rss_after_mb: f64,
    bytes: usize,
}

fn arg(name: &str) -> Option<String> {
    let mut args = std::env::args();
    while let Some(a) = args.next() {
        if a == name {
            return args.next();
        }
    }
    None
}

/// `VmHWM` and `VmRSS` of this process, in MB.
fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn kubegen_client(url: &str) -> Client {
    let mut config = Config::new(url.parse().expect("server URL"));
    config.rate_limit = None;
    Client::new(config).expect("client")
}

/// Counts handler events from its creation (the side's start) to the `n`-th.
#[derive(Clone)]
struct Counter {
    n: usize,
    count: Arc<AtomicUsize>,
    start: Instant,
    last: Arc<Mutex<Option<Instant>>>,
    done: Arc<tokio::sync::Notify>,
}

impl Counter {
    fn new(n: usize) -> Self {
        Self {
            n,
            count: Arc::default(),
            start: Instant::now(),
            last: Arc::default(),
            done: Arc::default(),
        }
    }

    fn event(&self) {
        let seen = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        if seen == self.n {
            *self.last.lock().unwrap() = Some(Instant::now());
            self.done.notify_one();
        }
    }

    async fn wait(&self) {
        while self.count.load(Ordering::Relaxed) < self.n {
            let _ = tokio::time::timeout(Duration::from_millis(100), self.done.notified()).await;
        }
    }

    fn rate(&self) -> f64 {
        let last = self.last.lock().unwrap().expect("last event");
        self.n as f64 / (last - self.start).as_secs_f64().max(1e-9)
    }
}

async fn side_kubegen(url: &str, n: usize, metadata: bool) -> Measure {
    let start = Instant::now();
    let factory = SharedInformerFactory::new(kubegen_client(url));
    let counter = Counter::new(n);
    let c = counter.clone();
    let objects = if metadata {
        let informer = factory.metadata_informer::<kubegen_api::core::v1::Pod>();
        informer.add_event_handler(EventHandlerFns::new().on_add(move |_, _| c.event()));
        factory.start();
        assert!(factory.wait_for_cache_sync().await);
        informer.store().len()
    } else {
        let informer = factory.informer::<kubegen_api::core::v1::Pod>();
        informer.add_event_handler(EventHandlerFns::new().on_add(move |_, _| c.event()));
        factory.start();
        assert!(factory.wait_for_cache_sync().await);
        informer.store().len()
    };
    let synced = start.elapsed();
    counter.wait().await;
    let (peak, after) = rss_mb();
    let m = Measure {
        side: String::new(),
        objects,
        synced_s: synced.as_secs_f64(),
        events_per_s: counter.rate(),
        peak_rss_mb: peak,
        rss_after_mb: after,
        bytes: 0,
    };
    factory.shutdown().await;
    m
}

async fn side_kube_rs(url: &str, n: usize, metadata: bool) -> Measure {
    use k8s_openapi::api::core::v1::Pod;
    use kube::core::PartialObjectMeta;
    use kube::runtime::{reflector, watcher};

    let start = Instant::now();
    let config = kube::Config::new(url.parse().expect("server URL"));
    let client = kube::Client::try_from(config).expect("kube client");
    let api: kube::Api<Pod> = kube::Api::all(client.clone());
    let counter = Counter::new(n);
    // One loop for both: count InitApply events (the handler), stop at InitDone (synced).
    macro_rules! run {
        ($stream:expr, $reader:expr) => {{
            let mut stream = std::pin::pin!($stream);
            while let Some(event) = stream.try_next().await.expect("watch") {
                match event {
                    watcher::Event::InitApply(_) => counter.event(),
                    watcher::Event::InitDone => break,
                    _ => {}
                }
            }
            $reader.state().len()
        }};
    }
    let objects = if metadata {
        let (reader, writer) = reflector::store();
        // `Api<PartialObjectMeta<K>>` asks for metadata-only lists and watches.
        let api: kube::Api<PartialObjectMeta<Pod>> = kube::Api::all(client);
        let stream = reflector(writer, watcher(api, watcher::Config::default()));
        run!(stream, reader)
    } else {
        let (reader, writer) = reflector::store();
        let stream = reflector(writer, watcher(api, watcher::Config::default()));
        run!(stream, reader)
    };
    let synced = start.elapsed();
    let (peak, after) = rss_mb();
    Measure {
        side: String::new(),
        objects,
        synced_s: synced.as_secs_f64(),
        events_per_s: counter.rate(),
        peak_rss_mb: peak,
        rss_after_mb: after,
        bytes: 0,
    }
}

async fn side_plain_get(url: &str) -> Measure {
    let client = kubegen_client(url);
    let start = Instant::now();
    let body = client
        .request(Method::GET)
        .group_version("", "v1")
        .resource("pods")
        .bytes()
        .await
        .expect("GET pods");
    let took = start.elapsed();
    let (peak, after) = rss_mb();
    Measure {
        side: String::new(),
        objects: 0,
        synced_s: took.as_secs_f64(),
        // No handler here (and JSON has no NaN to say so).
        events_per_s: 0.0,
        peak_rss_mb: peak,
        rss_after_mb: after,
        bytes: body.len(),
    }
}

async fn run_side(side: &str, url: &str, n: usize) -> Measure {
    let mut m = match side {
        "plain-get" => side_plain_get(url).await,
        "kubegen-full" => side_kubegen(url, n, false).await,
        "kubegen-meta" => side_kubegen(url, n, true).await,
        "kube-rs-full" => side_kube_rs(url, n, false).await,
        "kube-rs-meta" => side_kube_rs(url, n, true).await,
        other => panic!("unknown side {other}"),
    };
    m.side = side.to_string();
    m
}

/// Starts the test server binary on a free port; returns it and its URL.
fn start_server(path: &str) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(path)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {path}: {e} (cargo build --release -p kubegen-testserver)"));
    (child, format!("http://127.0.0.1:{port}"))
}

async fn wait_ready(client: &Client) {
    for _ in 0..200 {
        let ok = client
            .request(Method::GET)
            .abs_path("/version")
            .bytes()
            .await
            .is_ok();
        if ok {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("test server did not come up");
}

/// Creates the namespace and `n` pod variants, `concurrency` requests at a time.
async fn load(client: &Client, n: usize, concurrency: usize) {
    let ns = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}});
    let _ = client
        .request(Method::POST)
        .group_version("", "v1")
        .resource("namespaces")
        .json_body(&ns)
        .bytes()
        .await;
    let mut base: serde_json::Value =
        serde_json::from_str(&kubegen_bench::pod_json()).expect("pod");
    let meta = base["metadata"].as_object_mut().expect("metadata");
    meta.remove("resourceVersion");
    meta.remove("generateName");
    let start = Instant::now();
    futures_util::stream::iter(0..n)
        .map(|i| {
            let pod = kubegen_bench::pod_variant(&base, i);
            let name = pod["metadata"]["name"].as_str().expect("name").to_owned();
            let status = serde_json::to_vec(&serde_json::json!({"status": pod["status"]}))
                .expect("json");
            let body = serde_json::to_vec(&pod).expect("json");
            async move {
                for attempt in 0.. {
                    let r = client
                        .request(Method::POST)
                        .group_version("", "v1")
                        .namespace(NAMESPACE)
                        .resource("pods")
                        .body(body.clone(), "application/json")
                        .bytes()
                        .await;
                    let r = match r {
                        // A create drops `status` (as a real server does): write it through
                        // the status subresource, as the kubelet would.
                        Ok(_) => client
                            .request(Method::PATCH)
                            .group_version("", "v1")
                            .namespace(NAMESPACE)
                            .resource("pods")
                            .name(&name)
                            .subresource("status")
                            .body(status.clone(), "application/merge-patch+json")
                            .bytes()
                            .await
                            .map(|_| ()),
                        Err(e) => Err(e),
                    };
                    match r {
                        Ok(()) => return,
                        Err(e) if e.is_already_exists() => return,
                        Err(e) if attempt < 5 => {
                            eprintln!("create pod {i}: {e}; retrying");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        Err(e) => panic!("create pod {i}: {e}"),
                    }
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect::<()>()
        .await;
    eprintln!(
        "loaded {n} pods in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

fn run_child(side: &str, url: &str, n: usize) -> Measure {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--side", side, "--url", url, "--pods", &n.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .expect("run side");
    assert!(out.status.success(), "side {side} failed: {}", out.status);
    let line = out
        .stdout
        .lines()
        .map_while(Result::ok)
        .last()
        .expect("side output");
    serde_json::from_str(&line).expect("side result")
}

fn main() {
    let n: usize = arg("--pods").map_or(50_000, |s| s.parse().expect("--pods N"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Some(side) = arg("--side") {
        let url = arg("--url").expect("--url");
        let m = rt.block_on(run_side(&side, &url, n));
        println!("{}", serde_json::to_string(&m).expect("json"));
        return;
    }

    let rounds: usize = arg("--rounds").map_or(1, |s| s.parse().expect("--rounds N"));
    let concurrency: usize = arg("--concurrency").map_or(16, |s| s.parse().expect("N"));
    let (mut server, url) = match arg("--server") {
        Some(url) => (None, url),
        None => {
            let path = arg("--testserver").unwrap_or_else(|| {
                concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/kubegen-testserver")
                    .to_string()
            });
            let (child, url) = start_server(&path);
            (Some(child), url)
        }
    };
    rt.block_on(async {
        let client = kubegen_client(&url);
        wait_ready(&client).await;
        load(&client, n, concurrency).await;
    });

    let mut results: Vec<Vec<Measure>> = vec![Vec::new(); SIDES.len()];
    for round in 0..rounds {
        for (i, side) in SIDES.iter().enumerate() {
            let m = run_child(side, &url, n);
            eprintln!("round {round}: {m:?}");
            if *side != "plain-get" {
                assert_eq!(m.objects, n, "{side} cached every pod");
            }
            results[i].push(m);
        }
    }
    if let Some(server) = server.as_mut() {
        let _ = server.kill();
        let _ = server.wait();
    }

    // Median over rounds of each figure.
    let median = |ms: &[Measure], f: fn(&Measure) -> f64| {
        let mut v: Vec<f64> = ms.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let get = |side: &str, f: fn(&Measure) -> f64| {
        let i = SIDES.iter().position(|s| *s == side).expect("side");
        median(&results[i], f)
    };
    println!("{n} pods, {rounds} round(s), medians");
    println!(
        "{:<14} {:>10} {:>12} {:>14} {:>14}",
        "side", "synced s", "events/s", "peak RSS MB", "RSS after MB"
    );
    for side in SIDES {
        println!(
            "{:<14} {:>10.2} {:>12.0} {:>14.1} {:>14.1}",
            side,
            get(side, |m| m.synced_s),
            get(side, |m| m.events_per_s),
            get(side, |m| m.peak_rss_mb),
            get(side, |m| m.rss_after_mb),
        );
    }
    let bytes = results[0][0].bytes;
    println!(
        "plain GET: {:.1} MB of JSON",
        bytes as f64 / 1e6
    );
    let ratio = |ours: &str, peer: &str, f: fn(&Measure) -> f64| get(ours, f) / get(peer, f);
    println!("ratios vs kube-rs full reflector (targets: peak ≤ 0.17 full, ≤ 0.06 metadata; synced ≤ 0.4):");
    for ours in ["kubegen-full", "kubegen-meta"] {
        println!(
            "  {ours}: peak RSS {:.3}x, RSS after sync {:.3}x, time to synced {:.3}x, events/s {:.2}x",
            ratio(ours, "kube-rs-full", |m| m.peak_rss_mb),
            ratio(ours, "kube-rs-full", |m| m.rss_after_mb),
            ratio(ours, "kube-rs-full", |m| m.synced_s),
            ratio(ours, "kube-rs-full", |m| m.events_per_s),
        );
    }
    println!(
        "  kubegen-meta vs kube-rs-meta: peak RSS {:.3}x, time to synced {:.3}x",
        ratio("kubegen-meta", "kube-rs-meta", |m| m.peak_rss_mb),
        ratio("kubegen-meta", "kube-rs-meta", |m| m.synced_s),
    );
}
