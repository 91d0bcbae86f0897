//! Informer sync against a real API server: kubegen's shared informer, client-go's and
//! kube-rs 5's (`watcher` + `reflector`, k8s-openapi 0.29 types), each listing mode against
//! the same mode of the peers, in one run.
//!
//! | mode | kubegen | client-go | kube-rs |
//! | --- | --- | --- | --- |
//! | `watchlist` | default (WatchList) | default (WatchList) | `streaming_lists()` |
//! | `list` | one list, `resourceVersion=0` | `KUBE_FEATURE_WatchListClient=false` | — |
//! | `paged` | `page_size: Some(500)` | — | default (pages of 500) |
//! | `metadata` | metadata informer (WatchList) | metadatainformer | `metadata_watcher`, streaming |
//!
//! Encodings are compared like with like. client-go's typed and metadata clients ask for
//! protobuf unless told otherwise (`Accept: application/vnd.kubernetes.protobuf,
//! application/json`, `gentype.PrefersProtobuf`), as does kubegen with the `protobuf`
//! feature: `kubegen` is compared with client-go. kube-rs speaks only JSON: `kubegen-json`
//! (kubegen with `ContentType::Json`) is compared with kube-rs.
//!
//! Compression is the same for every side too: `--compression off` (the default) gives every
//! side a copy of the kubeconfig with `disable-compression: true` (client-go's Go transport
//! asks for gzip otherwise; kube-rs is built without its `gzip` feature); `--compression on`
//! keeps client-go's default (`Accept-Encoding: gzip`) and turns on kubegen's
//! `Config::compression`. The API server gzips whole lists of 128 KiB or more, never watches:
//! only the `list` and `paged` modes differ.
//!
//! Each side runs in its own process; the parent takes the child's CPU time (user + system)
//! and peak RSS from `wait4`, the same way for every side, and the side reports its own
//! time from start to synced (for client-go: `factory.Start` to `WaitForCacheSync`, which
//! polls every 100 ms). The global allocator is the system's for the Rust sides.
//!
//! ```text
//! cd bench && cargo run --profile informers --bin informer_sync -- --kubeconfig PATH
//!     [--client-go BIN] [--rounds 3] [--modes watchlist,list,paged,metadata]
//!     [--compression off|on]
//! ```
//! The server must already hold the objects (`load_pods`); the expected count is read from
//! the server.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use kubegen_runtime::cache::{FactoryOptions, SharedInformerFactory};
use kubegen_runtime::config::{Config, ContentType, Kubeconfig, Overrides};
use kubegen_runtime::rest::{Client, Method};

/// What a side reports on its stdout.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Report {
    objects: usize,
    synced_s: f64,
}

/// One run of one side: its report and what the parent measured of its process.
#[derive(Debug, Clone)]
struct Run {
    synced_s: f64,
    cpu_s: f64,
    peak_rss_mb: f64,
}

const IMPLS: [&str; 4] = ["kubegen", "client-go", "kubegen-json", "kube-rs"];

/// Each side and the peer it is compared with: the same encoding.
const PAIRS: [(&str, &str); 2] = [("kubegen", "client-go"), ("kubegen-json", "kube-rs")];

/// Which implementations run a mode (the others have no such mode).
fn impls_of(mode: &str) -> &'static [&'static str] {
    match mode {
        "list" => &["kubegen", "client-go", "kubegen-json"],
        "paged" => &["kubegen", "kubegen-json", "kube-rs"],
        _ => &IMPLS,
    }
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

fn kubegen_client(kubeconfig: &Path, content_type: ContentType, compression: bool) -> Client {
    let mut config =
        Config::from_kubeconfig_file(kubeconfig, Overrides::default()).expect("kubeconfig");
    config.content_type = content_type;
    config.compression = compression;
    Client::new(config).expect("client")
}

/// Whether `--compression` asks for gzip.
fn compression_on() -> bool {
    match arg("--compression").as_deref() {
        None | Some("off") => false,
        Some("on") => true,
        Some(other) => panic!("--compression on|off, not {other}"),
    }
}

/// A copy of `kubeconfig` whose clusters say `disable-compression: true`, written as JSON
/// (which every kubeconfig reader accepts as YAML).
fn without_compression(kubeconfig: &Path) -> PathBuf {
    let mut kc = Kubeconfig::read(kubeconfig).expect("kubeconfig");
    for named in kc.clusters.iter_mut() {
        named.cluster.disable_compression = Some(true);
    }
    let path = std::env::temp_dir().join(format!(
        "informer-sync-{}-no-compression.kubeconfig",
        std::process::id()
    ));
    std::fs::write(&path, serde_json::to_vec(&kc).expect("kubeconfig as JSON")).expect("write");
    path
}

async fn side_kubegen(
    kubeconfig: &Path,
    mode: &str,
    content_type: ContentType,
    compression: bool,
) -> Report {
    use kubegen_api::core::v1::Pod;
    let start = Instant::now();
    let mut options = FactoryOptions::default();
    match mode {
        "list" => {
            options.reflector.use_watch_list = false;
            options.reflector.page_size = None;
        }
        "paged" => {
            options.reflector.use_watch_list = false;
            options.reflector.page_size = Some(500);
        }
        _ => {}
    }
    let client = kubegen_client(kubeconfig, content_type, compression);
    let factory = SharedInformerFactory::with_options(client, options);
    let objects = if mode == "metadata" {
        let informer = factory.metadata_informer::<Pod>();
        factory.start();
        assert!(factory.wait_for_cache_sync().await);
        informer.store().len()
    } else {
        let informer = factory.informer::<Pod>();
        factory.start();
        assert!(factory.wait_for_cache_sync().await);
        informer.store().len()
    };
    let synced_s = start.elapsed().as_secs_f64();
    Report { objects, synced_s }
}

async fn side_kube_rs(kubeconfig: &Path, mode: &str) -> Report {
    use k8s_openapi::api::core::v1::Pod;
    use kube::config::{KubeConfigOptions, Kubeconfig};
    use kube::core::PartialObjectMeta;
    use kube::runtime::{reflector, watcher};

    let start = Instant::now();
    let kc = Kubeconfig::read_from(kubeconfig).expect("kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("kube config");
    let client = kube::Client::try_from(config).expect("kube client");
    let wc = match mode {
        "paged" => watcher::Config::default(),
        _ => watcher::Config::default().streaming_lists(),
    };
    // Both loops stop at InitDone: the store is complete (synced).
    macro_rules! run {
        ($stream:expr, $reader:expr) => {{
            let mut stream = std::pin::pin!($stream);
            while let Some(event) = stream.try_next().await.expect("watch") {
                if let watcher::Event::InitDone = event {
                    break;
                }
            }
            $reader.state().len()
        }};
    }
    let objects = if mode == "metadata" {
        // `Api<PartialObjectMeta<K>>` asks for metadata-only lists and watches.
        let (reader, writer) = reflector::store::<PartialObjectMeta<Pod>>();
        let api: kube::Api<PartialObjectMeta<Pod>> = kube::Api::all(client);
        run!(reflector(writer, watcher(api, wc)), reader)
    } else {
        let (reader, writer) = reflector::store::<Pod>();
        let api: kube::Api<Pod> = kube::Api::all(client);
        run!(reflector(writer, watcher(api, wc)), reader)
    };
    Report {
        objects,
        synced_s: start.elapsed().as_secs_f64(),
    }
}

/// The client-go peer's command for `mode`.
fn client_go_command(bin: &Path, kubeconfig: &Path, mode: &str) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("KUBECONFIG", kubeconfig);
    match mode {
        "metadata" => {
            cmd.args(["-mode", "metadata"]);
        }
        "list" => {
            cmd.env("KUBE_FEATURE_WatchListClient", "false");
            cmd.args(["-mode", "full"]);
        }
        _ => {
            cmd.args(["-mode", "full"]);
        }
    }
    cmd
}

/// Runs `cmd` to its end; its last stdout line is its report. CPU and peak RSS come from
/// the kernel's accounting of the child (`wait4`).
fn measure(mut cmd: Command) -> (Report, Run) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start side");
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read side output");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data the kernel fills; `pid` is our own child, not yet
    // reaped (`child.wait()` is never called).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "side failed ({status}): {cmd:?}"
    );
    let line = out.lines().last().expect("side output");
    let report: Report = serde_json::from_str(line).expect("side report");
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    let run = Run {
        synced_s: report.synced_s,
        cpu_s: secs(usage.ru_utime) + secs(usage.ru_stime),
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
    };
    (report, run)
}

/// Objects the informers must end with: every pod on the server.
async fn count_pods(client: &Client) -> usize {
    let page: serde_json::Value = client
        .request(Method::GET)
        .group_version("", "v1")
        .resource("pods")
        .query(&[("limit", "1")][..])
        .json()
        .await
        .expect("count pods");
    let remaining = page["metadata"]["remainingItemCount"].as_u64().unwrap_or(0);
    page["items"].as_array().map_or(0, Vec::len) + remaining as usize
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let kubeconfig = PathBuf::from(arg("--kubeconfig").expect("--kubeconfig PATH"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Some(side) = arg("--side") {
        let mode = arg("--mode").expect("--mode");
        let report = match side.as_str() {
            "kubegen" => rt.block_on(side_kubegen(
                &kubeconfig,
                &mode,
                ContentType::Protobuf,
                compression_on(),
            )),
            "kubegen-json" => rt.block_on(side_kubegen(
                &kubeconfig,
                &mode,
                ContentType::Json,
                compression_on(),
            )),
            "kube-rs" => rt.block_on(side_kube_rs(&kubeconfig, &mode)),
            other => panic!("unknown side {other}"),
        };
        println!("{}", serde_json::to_string(&report).expect("json"));
        return;
    }

    let client_go = arg("--client-go").map(PathBuf::from);
    let rounds: usize = arg("--rounds").map_or(3, |s| s.parse().expect("--rounds N"));
    let modes_arg = arg("--modes").unwrap_or_else(|| "watchlist,list,paged,metadata".into());
    let modes: Vec<&str> = modes_arg.split(',').collect();
    let compression = compression_on();
    let kubeconfig = if compression {
        kubeconfig
    } else {
        without_compression(&kubeconfig)
    };
    let expected = rt.block_on(count_pods(&kubegen_client(
        &kubeconfig,
        ContentType::Json,
        false,
    )));
    eprintln!(
        "{expected} pods on the server; {rounds} round(s); compression {}",
        if compression { "on" } else { "off" }
    );

    let exe = std::env::current_exe().expect("own path");
    let mut runs: Vec<(String, String, Run)> = Vec::new();
    for round in 0..rounds {
        for mode in &modes {
            let mut impls: Vec<&str> = impls_of(mode).to_vec();
            if round % 2 == 1 {
                impls.reverse();
            }
            for imp in impls {
                let cmd = match imp {
                    "client-go" => match &client_go {
                        Some(bin) => client_go_command(bin, &kubeconfig, mode),
                        None => continue,
                    },
                    _ => {
                        let mut cmd = Command::new(&exe);
                        cmd.args(["--side", imp, "--mode", mode, "--kubeconfig"]);
                        cmd.arg(&kubeconfig);
                        cmd.args(["--compression", if compression { "on" } else { "off" }]);
                        cmd
                    }
                };
                let (report, run) = measure(cmd);
                assert_eq!(report.objects, expected, "{imp} {mode}: every pod cached");
                eprintln!("round {round} {mode:<9} {imp:<9} {run:?}");
                runs.push((mode.to_string(), imp.to_string(), run));
                std::thread::sleep(Duration::from_secs(2));
            }
        }
    }

    println!(
        "{expected} pods, medians of {rounds} round(s): synced s / client CPU s / peak RSS MB"
    );
    for mode in &modes {
        let figure = |imp: &str, f: fn(&Run) -> f64| {
            let v: Vec<f64> = runs
                .iter()
                .filter(|(m, i, _)| m == mode && i == imp)
                .map(|(_, _, r)| f(r))
                .collect();
            (!v.is_empty()).then(|| median(v))
        };
        println!("{mode}:");
        for imp in impls_of(mode) {
            if let (Some(s), Some(c), Some(p)) = (
                figure(imp, |r| r.synced_s),
                figure(imp, |r| r.cpu_s),
                figure(imp, |r| r.peak_rss_mb),
            ) {
                println!("  {imp:<10} {s:>7.2} s {c:>7.2} s CPU {p:>8.1} MB");
            }
        }
        for (ours, peer) in PAIRS {
            let ratio = |f: fn(&Run) -> f64| Some(figure(ours, f)? / figure(peer, f)?);
            if let (Some(s), Some(c), Some(p)) = (
                ratio(|r| r.synced_s),
                ratio(|r| r.cpu_s),
                ratio(|r| r.peak_rss_mb),
            ) {
                println!("  {ours} / {peer}: synced {s:.2}x, CPU {c:.2}x, peak RSS {p:.2}x");
            }
        }
    }
}
