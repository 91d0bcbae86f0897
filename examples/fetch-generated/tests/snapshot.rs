//! The committed `snapshot/` is exactly what `kubegen fetch` gives today against
//! kubegen-testserver with the CRDs of `crds/` installed, so it cannot go stale silently: a
//! change to a CRD manifest, to the server's documents or to the fetch output fails here.
//!
//! `UPDATE_SNAPSHOT=1` rewrites the snapshot instead of comparing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kubegen::fetch::layout::LOCK_FILE;
use kubegen::fetch::{Fetcher, Lock};
use kubegen_example_fetch_generated::{CRD_MANIFESTS, FETCHED};
use kubegen_runtime::config::Config;
use kubegen_runtime::rest::{Client, Method};
use kubegen_testserver::TestServer;

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshot")
}

/// Every file below `dir`, relative path → bytes; the lock without its `server` (the test
/// server's port changes every run).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let mut bytes = std::fs::read(&path).unwrap();
            if rel == LOCK_FILE {
                let mut lock: Lock = serde_json::from_slice(&bytes).unwrap();
                lock.server = String::new();
                bytes = lock.to_json().into_bytes();
            }
            out.insert(rel, bytes);
        }
    }
    out
}

#[tokio::test]
async fn the_snapshot_is_what_a_fresh_fetch_gives() {
    let server = TestServer::start().await.unwrap();
    let client = Client::new(Config::new(server.base_url().parse().unwrap())).unwrap();
    for (name, manifest) in CRD_MANIFESTS {
        let crd: serde_json::Value = kubegen::yaml::from_str(manifest).unwrap();
        client
            .request(Method::POST)
            .group_version("apiextensions.k8s.io", "v1")
            .resource("customresourcedefinitions")
            .json_body(&crd)
            .json::<serde_json::Value>()
            .await
            .unwrap_or_else(|e| panic!("installing {name}: {e}"));
    }
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("snapshot");
    let include: Vec<String> = FETCHED.iter().map(|s| s.to_string()).collect();
    let report = Fetcher::new(client)
        .fetch_into(&fresh, &include)
        .await
        .unwrap();
    assert_eq!(report.documents, 3, "{report:?}");

    if std::env::var_os("UPDATE_SNAPSHOT").is_some() {
        let dir = snapshot_dir();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("v3")).unwrap();
        for rel in tree(&fresh).keys() {
            std::fs::copy(fresh.join(rel), dir.join(rel)).unwrap();
        }
        return;
    }
    let (fresh, committed) = (tree(&fresh), tree(&snapshot_dir()));
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "snapshot/ lists other files than a fresh fetch; rerun with UPDATE_SNAPSHOT=1"
    );
    for (rel, bytes) in &fresh {
        assert!(
            committed[rel] == *bytes,
            "snapshot/{rel} differs from a fresh fetch; rerun with UPDATE_SNAPSHOT=1"
        );
    }
}
