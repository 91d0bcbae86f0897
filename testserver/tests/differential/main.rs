//! Differential tests: the same requests to the in-process test server and to a real API
//! server, and their answers compared after normalising only what must differ (uids,
//! timestamps, resourceVersion values; see `common/normalise.rs`).
//!
//! Runs when `KUBEGEN_E2E_KUBECONFIG` (and optionally `KUBEGEN_E2E_CONTEXT`) names a real
//! server; otherwise it prints why it skips. Each case works in its own namespace (the same
//! name on both servers) and deletes it at the end. Cases whose difference is known and being
//! worked on are listed in `known.rs`; such a case that starts matching fails the suite so
//! the entry gets removed. `KUBEGEN_DIFF_CASES=watch,crud::update` runs only the cases whose
//! names contain one of those strings;
//! `KUBEGEN_DIFF_DUMP=DIR` writes each case's two normalised transcripts there.
//!
//! ```text
//! KUBEGEN_E2E_KUBECONFIG=/path/to/kubeconfig cargo test -p kubegen-testserver --test differential -- --nocapture
//! ```

#[path = "../common/normalise.rs"]
mod normalise;

mod cases;
mod compare;
mod endpoint;
mod known;
mod run;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use kubegen_testserver::TestServer;
use serde_json::{json, Value};

use endpoint::Endpoint;
use run::{Req, Run};

/// The future of one case run against one server.
pub type CaseFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A named case: a sequence of requests whose answers are recorded.
#[derive(Clone, Copy)]
pub struct Case {
    /// The case's name, as its recordings are named.
    pub name: &'static str,
    /// The requests, made through the `Run`.
    pub run: for<'a> fn(&'a mut Run) -> CaseFuture<'a>,
    /// Runs alone after the others (what concurrent cases create would show in its answers).
    pub alone: bool,
}

/// Cases from `module::function` paths: `cases![crud::create, …]`.
#[macro_export]
macro_rules! cases {
    (@one $alone:expr, $m:ident :: $f:ident) => {
        $crate::Case {
            name: concat!(stringify!($m), "::", stringify!($f)),
            run: {
                fn wrap(r: &mut $crate::run::Run) -> $crate::CaseFuture<'_> {
                    Box::pin($m::$f(r))
                }
                wrap
            },
            alone: $alone,
        }
    };
    (alone: $($m:ident :: $f:ident),* $(,)?) => {
        vec![$($crate::cases!(@one true, $m::$f)),*]
    };
    ($($m:ident :: $f:ident),* $(,)?) => {
        vec![$($crate::cases!(@one false, $m::$f)),*]
    };
}

/// How many cases run at once.
const PARALLEL: usize = 6;

/// The label a sweep of leftovers (`scripts/e2e-cleanup.sh`) looks for.
const TEST_LABEL: &str = "kubegen.dev/e2e";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_server_answers_as_a_real_server_does() {
    let Some(kubeconfig) = std::env::var_os("KUBEGEN_E2E_KUBECONFIG").filter(|p| !p.is_empty())
    else {
        skip("KUBEGEN_E2E_KUBECONFIG is not set: the differential suite needs a real API server");
        return;
    };
    let context = std::env::var("KUBEGEN_E2E_CONTEXT").ok();
    let real = Endpoint::from_kubeconfig(&PathBuf::from(&kubeconfig), context)
        .unwrap_or_else(|e| panic!("KUBEGEN_E2E_KUBECONFIG: {e}"));
    let server = Arc::new(
        TestServer::builder()
            .start()
            .await
            .unwrap_or_else(|e| panic!("starting the test server: {e}")),
    );
    // Pointed at the test server run as a process (as CI's e2e run does), there is nothing
    // to compare: every KNOWN entry would "start matching".
    let version = real
        .send(&endpoint::Request {
            method: reqwest::Method::GET,
            path: "/version".into(),
            headers: Vec::new(),
            body: None,
            timeout: std::time::Duration::from_secs(30),
        })
        .await
        .unwrap_or_else(|e| panic!("KUBEGEN_E2E_KUBECONFIG: GET /version: {e}"));
    if String::from_utf8_lossy(&version.body).contains("kubegen-testserver") {
        skip("KUBEGEN_E2E_KUBECONFIG names a kubegen-testserver, not a real API server");
        return;
    }
    let real = Arc::new(real);
    let ours = Arc::new(Endpoint::local(&server));
    let run_id = run_id();
    let filter: Vec<String> = std::env::var("KUBEGEN_DIFF_CASES")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let all = cases::all();
    known::check_names(&all);
    let selected: Vec<(usize, Case)> = all
        .into_iter()
        .enumerate()
        .filter(|(_, c)| filter.is_empty() || filter.iter().any(|f| c.name.contains(f.as_str())))
        .collect();
    let started = std::time::Instant::now();
    let mut outcomes = Vec::new();
    let (together, alone): (Vec<_>, Vec<_>) = selected.into_iter().partition(|(_, c)| !c.alone);
    for chunk in together.chunks(PARALLEL) {
        let mut set = tokio::task::JoinSet::new();
        for (i, case) in chunk.iter().copied() {
            let (real, ours) = (real.clone(), ours.clone());
            let run_id = run_id.clone();
            set.spawn(async move { run_case(i, case, real, ours, run_id).await });
        }
        while let Some(done) = set.join_next().await {
            outcomes.push(done.unwrap_or_else(|e| panic!("case task: {e}")));
        }
    }
    for (i, case) in alone {
        outcomes.push(run_case(i, case, real.clone(), ours.clone(), run_id.clone()).await);
    }
    outcomes.sort_by_key(|o| o.index);
    let mut failures = Vec::new();
    for o in &outcomes {
        let verdict = known::sort(o.name, &o.steps, &o.diffs);
        if o.diffs.is_empty() {
            println!("same   {}", o.name);
        } else if verdict.unexpected.is_empty() {
            println!("KNOWN  {}", o.name);
        }
        for d in verdict.known.iter().take(5) {
            println!("         {d}");
        }
        failures.extend(verdict.now_matching);
        if !verdict.unexpected.is_empty() {
            let mut shown: Vec<String> = verdict.unexpected.iter().take(40).cloned().collect();
            if verdict.unexpected.len() > 40 {
                shown.push(format!("… and {} more", verdict.unexpected.len() - 40));
            }
            failures.push(format!("{} differs:\n    {}", o.name, shown.join("\n    ")));
        }
    }
    println!(
        "{} cases in {:.1} s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    server.shutdown().await;
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
}

/// What one case found.
struct Outcome {
    index: usize,
    name: &'static str,
    /// The step labels (of the real server's transcript).
    steps: Vec<String>,
    diffs: Vec<String>,
}

/// Runs `case` on both servers and returns its differences.
async fn run_case(
    index: usize,
    case: Case,
    real: Arc<Endpoint>,
    ours: Arc<Endpoint>,
    run_id: String,
) -> Outcome {
    let ns = format!("diff-{index}-{run_id}");
    let (a, b) = tokio::join!(
        side(case, real, ns.clone(), run_id.clone()),
        side(case, ours, ns, run_id)
    );
    let (mut a, mut b) = (a, b);
    normalise::normalise_steps(&mut a);
    normalise::normalise_steps(&mut b);
    let (a, b) = (Value::Array(a), Value::Array(b));
    if let Some(dir) = std::env::var_os("KUBEGEN_DIFF_DUMP") {
        let file = std::path::Path::new(&dir).join(case.name.replace("::", "-"));
        let dump = json!({"real": a, "ours": b});
        let text = serde_json::to_string_pretty(&dump).unwrap_or_default();
        if let Err(e) = std::fs::write(&file, text) {
            eprintln!("warning: KUBEGEN_DIFF_DUMP: {}: {e}", file.display());
        }
    }
    let empty = Vec::new();
    let diffs = compare::transcripts(
        a.as_array().unwrap_or(&empty),
        b.as_array().unwrap_or(&empty),
    );
    let steps = a
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["step"].as_str().map(str::to_string))
        .collect();
    Outcome {
        index,
        name: case.name,
        steps,
        diffs,
    }
}

/// One server's transcript of `case`, in a fresh namespace that is deleted afterwards.
async fn side(case: Case, ep: Arc<Endpoint>, ns: String, run_id: String) -> Vec<Value> {
    let mut run = Run::new(ep, ns.clone(), run_id.clone());
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": ns, "labels": {TEST_LABEL: run_id}}});
    run.quiet(Req::post("/api/v1/namespaces", &namespace)).await;
    // Pods need the namespace's `default` ServiceAccount, which only a controller creates.
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
    run.quiet(Req::post(run.core("serviceaccounts"), &sa)).await;
    (case.run)(&mut run).await;
    for path in std::mem::take(&mut run.cleanup) {
        run.quiet(Req::delete(path)).await;
    }
    run.quiet(Req::delete(format!("/api/v1/namespaces/{ns}")))
        .await;
    run.into_steps()
}

/// A short id unique to this run (namespaces and cluster-scoped names carry it).
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut n = (nanos ^ (u128::from(std::process::id()) << 32)) as u64;
    let mut s = String::new();
    for _ in 0..6 {
        let d = (n % 36) as u32;
        s.push(char::from_digit(d, 36).unwrap_or('x'));
        n /= 36;
    }
    s
}

/// Prints the skip line `scripts/e2e.sh` understands and appends it to its skip log.
fn skip(reason: &str) {
    println!("SKIPPED test_server_answers_as_a_real_server_does: {reason}");
    if let Some(path) = std::env::var_os("KUBEGEN_E2E_SKIP_LOG").filter(|p| !p.is_empty()) {
        use std::io::Write;
        let line = format!("differential test_server_answers_as_a_real_server_does\t{reason}\n");
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            eprintln!("warning: appending to KUBEGEN_E2E_SKIP_LOG: {e}");
        }
    }
}
