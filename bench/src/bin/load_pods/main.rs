//! Fills an API server with N realistic pods through its API, for benchmarks that need a
//! populated cluster (informer sync, list and watch throughput, memory per pod). Not run in
//! CI: it writes to whatever cluster the kubeconfig names.
//!
//! Each pod is built from `fixtures/bench/pod-realistic.json` (see `pod.rs` for what varies)
//! and written as the two managers of a real cluster leave it: a server-side apply of
//! metadata and spec by `kube-controller-manager`, then an apply of `status` on the status
//! subresource by `kubelet`, so `managedFields` holds both entries. The ServiceAccounts the
//! pods name are created first (the API server's admission requires them).
//!
//! ```text
//! cd bench && cargo run --bin load_pods -- --kubeconfig /tmp/rk/kubeconfig \
//!     --count 2000 --concurrency 16 --namespace bench-pods --seed 1
//! ```
//!
//! Measured: 2000 pods into a real kube-apiserver v1.36.2 (loopback, etcd on the same
//! machine, 2 cores shared with other builds; debug build) with `--concurrency 16`, seed 1:
//! 31.3 s (64 pods/s, two requests per pod).

mod pod;
mod rng;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::{Client, Method, PatchOptions};
use serde_json::{json, Value};

use rng::Rng;

/// Why loading stopped.
#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("{0}\nusage: load_pods [--count N] [--concurrency C] [--namespace NS] [--seed S] [--kubeconfig PATH] [--context NAME] [--fixture PATH]")]
    Usage(String),
    #[error("reading {0}: {1}")]
    Fixture(PathBuf, String),
    #[error("kubeconfig: {0}")]
    Config(#[from] kubegen_runtime::config::ConfigError),
    #[error("{0}")]
    Api(#[from] kubegen_runtime::rest::Error),
    #[error("encoding a pod: {0}")]
    Encode(#[from] serde_json::Error),
}

struct Args {
    count: usize,
    concurrency: usize,
    namespace: String,
    seed: u64,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    fixture: PathBuf,
}

fn parse_args() -> Result<Args, LoadError> {
    let mut args = Args {
        count: 2000,
        concurrency: 16,
        namespace: "bench-pods".into(),
        seed: 1,
        kubeconfig: None,
        context: None,
        fixture: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/bench/pod-realistic.json"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| LoadError::Usage(format!("{flag} needs a value")))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| LoadError::Usage(format!("{flag}: not a number: {v}")))
        };
        match flag.as_str() {
            "--count" => args.count = number(value()?)? as usize,
            "--concurrency" => args.concurrency = number(value()?)?.max(1) as usize,
            "--namespace" => args.namespace = value()?,
            "--seed" => args.seed = number(value()?)?,
            "--kubeconfig" => args.kubeconfig = Some(PathBuf::from(value()?)),
            "--context" => args.context = Some(value()?),
            "--fixture" => args.fixture = PathBuf::from(value()?),
            other => return Err(LoadError::Usage(format!("unknown flag {other}"))),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("load_pods: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), LoadError> {
    let args = parse_args()?;
    let text = std::fs::read_to_string(&args.fixture)
        .map_err(|e| LoadError::Fixture(args.fixture.clone(), e.to_string()))?;
    let fixture: Value = serde_json::from_str(&text)
        .map_err(|e| LoadError::Fixture(args.fixture.clone(), e.to_string()))?;
    let template = pod::template(&fixture);
    let mut config = match &args.kubeconfig {
        Some(path) => Config::from_kubeconfig_file(
            path,
            Overrides {
                context: args.context.clone(),
                ..Overrides::default()
            },
        )?,
        None => Config::infer()?,
    };
    // The loader is the server's only client here; a client-side limit would measure itself.
    config.rate_limit = None;
    let client = Client::new(config)?;

    // All pods are generated up front from one seeded stream, so the set does not depend on
    // how the workers interleave.
    // Five-letter suffixes collide within a few thousand pods of one ReplicaSet (as in a
    // real cluster, where the controller then tries another name): draw again.
    let mut rng = Rng::new(args.seed);
    let mut names = std::collections::HashSet::new();
    let mut pods: Vec<pod::GeneratedPod> = Vec::with_capacity(args.count);
    while pods.len() < args.count {
        let pod = pod::generate(&template, &mut rng);
        if names.insert(pod.name.clone()) {
            pods.push(pod);
        }
    }
    prepare(&client, &args.namespace, &pods).await?;

    let started = Instant::now();
    let pods = Arc::new(pods);
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let step = (args.count / 10).max(1);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (client, pods, next, done) = (client.clone(), pods.clone(), next.clone(), done.clone());
        let ns = args.namespace.clone();
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = pods.get(i) else {
                    return Ok::<(), LoadError>(());
                };
                write_pod(&client, &ns, p).await?;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n % step == 0 || n == pods.len() {
                    let secs = started.elapsed().as_secs_f64();
                    println!(
                        "{n}/{} pods, {secs:.1} s, {:.0} pods/s",
                        pods.len(),
                        n as f64 / secs
                    );
                }
            }
        });
    }
    while let Some(result) = workers.join_next().await {
        match result {
            Ok(r) => r?,
            Err(e) => eprintln!("worker: {e}"),
        }
    }
    println!(
        "loaded {} pods into {} in {:.1} s (concurrency {}, seed {})",
        done.load(Ordering::Relaxed),
        args.namespace,
        started.elapsed().as_secs_f64(),
        args.concurrency,
        args.seed
    );
    Ok(())
}

/// The namespace and the ServiceAccounts the pods name (existing ones are fine).
async fn prepare(client: &Client, ns: &str, pods: &[pod::GeneratedPod]) -> Result<(), LoadError> {
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
    create_if_missing(
        client
            .post()
            .group_version("", "v1")
            .resource("namespaces")
            .json_body(&namespace),
    )
    .await?;
    let mut accounts: Vec<&str> = pods
        .iter()
        .filter_map(|p| p.spec["spec"]["serviceAccountName"].as_str())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    for sa in accounts {
        let body = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa}});
        create_if_missing(
            client
                .post()
                .group_version("", "v1")
                .namespace(ns)
                .resource("serviceaccounts")
                .json_body(&body),
        )
        .await?;
    }
    Ok(())
}

async fn create_if_missing(req: kubegen_runtime::rest::RequestBuilder) -> Result<(), LoadError> {
    match req.bytes().await {
        Ok(_) => Ok(()),
        Err(e) if e.api().is_some_and(|a| a.is_already_exists()) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The controller's apply, then the kubelet's status apply.
async fn write_pod(client: &Client, ns: &str, p: &pod::GeneratedPod) -> Result<(), LoadError> {
    const APPLY: &str = "application/apply-patch+yaml";
    client
        .request(Method::PATCH)
        .group_version("", "v1")
        .namespace(ns)
        .resource("pods")
        .name(&p.name)
        .query(PatchOptions::apply("kube-controller-manager").force())
        .body(serde_json::to_vec(&p.spec)?, APPLY)
        .bytes()
        .await?;
    client
        .request(Method::PATCH)
        .group_version("", "v1")
        .namespace(ns)
        .resource("pods")
        .name(&p.name)
        .subresource("status")
        .query(PatchOptions::apply("kubelet").force())
        .body(serde_json::to_vec(&p.status)?, APPLY)
        .bytes()
        .await?;
    Ok(())
}
