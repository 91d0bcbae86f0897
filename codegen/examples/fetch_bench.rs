//! Benchmark (not a test): `kubegen fetch` + CRD-only generation against kubegen-testserver
//! with 50 CRDs installed, each a renamed copy (group and kind) of a real CRD.
//!
//! ```text
//! cargo run -p kubegen --release --example fetch_bench [-- CRD.yaml [COUNT]]
//! ```
//!
//! Default CRD: cert-manager's Certificate from `fixtures/crds/` (about 800 lines of
//! schema), 50 copies. Reports, separately: fetching the whole cluster (every built-in
//! group-version plus the 50 CRD documents, as `kubegen fetch` does by default), fetching it
//! again with nothing changed (lock reuse), and generating the 50 CRDs' types, clients and
//! informers (built-in types mapped onto `kubegen-api`, as `build.rs` does).

use std::path::{Path, PathBuf};
use std::time::Instant;

use kubegen::fetch::{load_config, Fetcher};
use kubegen_runtime::rest::{Client, Method};
use kubegen_testserver::TestServer;

fn default_crd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/crds/certificates.cert-manager.io.yaml")
}

/// Copy `i` of `crd`: group `b{i}.bench.example.com`, kind `{Kind}{i}`.
fn renamed(crd: &serde_json::Value, i: usize) -> serde_json::Value {
    let mut c = crd.clone();
    let kind = format!(
        "{}{i:02}",
        c["spec"]["names"]["kind"].as_str().unwrap_or("Thing")
    );
    let plural = format!("{}s", kind.to_lowercase());
    let group = format!("b{i:02}.bench.example.com");
    c["spec"]["group"] = group.clone().into();
    c["spec"]["names"] = serde_json::json!({
        "kind": kind,
        "listKind": format!("{kind}List"),
        "plural": plural,
        "singular": kind.to_lowercase(),
    });
    c["metadata"] = serde_json::json!({"name": format!("{plural}.{group}")});
    c.as_object_mut().map(|o| o.remove("status"));
    c
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let crd_path = args.next().map(PathBuf::from).unwrap_or_else(default_crd);
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(50);
    let crd: serde_json::Value = kubegen::yaml::from_str(&std::fs::read_to_string(&crd_path)?)?;

    let server = TestServer::start().await?;
    let tmp = tempfile::tempdir()?;
    let kubeconfig = tmp.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig)?;
    let config = load_config(Some(&kubeconfig), None)?;
    let client = Client::new(config.clone())?;
    for i in 0..count {
        client
            .request(Method::POST)
            .group_version("apiextensions.k8s.io", "v1")
            .resource("customresourcedefinitions")
            .json_body(&renamed(&crd, i))
            .json::<serde_json::Value>()
            .await?;
    }

    let fetcher = Fetcher::from_config(config)?;
    let out = tmp.path().join("spec");
    let started = Instant::now();
    let full = fetcher.fetch_into(&out, &[]).await?;
    let fetch_ms = ms(started);
    let started = Instant::now();
    let again = fetcher.fetch_into(&out, &[]).await?;
    let refetch_ms = ms(started);
    assert!(again.downloaded.is_empty());

    // The CRDs' documents alone, as a build.rs snapshot holds them.
    let crd_dir = tmp.path().join("crds");
    std::fs::create_dir_all(&crd_dir)?;
    let mut bytes = 0u64;
    for entry in std::fs::read_dir(out.join("v3"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.contains(".bench.example.com") {
            bytes += std::fs::metadata(&path)?.len();
            std::fs::copy(&path, crd_dir.join(name))?;
        }
    }
    let started = Instant::now();
    let code = kubegen::Builder::new()
        .spec_dir(&crd_dir)
        .quiet(true)
        .generate()?;
    std::fs::write(tmp.path().join("crds.rs"), &code)?;
    let generate_ms = ms(started);

    println!(
        "CRDs: {count} copies of {}",
        crd_path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
    );
    println!(
        "fetch, whole cluster:        {fetch_ms:7.1} ms  ({} documents, {} of them CRD documents, {:.1} MB)",
        full.documents,
        count,
        dir_size(&out.join("v3"))? as f64 / 1e6
    );
    println!(
        "fetch again, unchanged:      {refetch_ms:7.1} ms  ({} reused, {} downloaded)",
        again.reused,
        again.downloaded.len()
    );
    println!(
        "generate {count} CRDs (CRD-only): {generate_ms:7.1} ms  ({:.1} MB of documents → {} lines of Rust)",
        bytes as f64 / 1e6,
        code.lines().count()
    );
    println!(
        "fetch + generate:            {:7.1} ms",
        fetch_ms + generate_ms
    );
    Ok(())
}

fn dir_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        total += entry?.metadata()?.len();
    }
    Ok(total)
}
