//! The environment every integration test runs in.
//!
//! By default a test gets an in-process [`TestServer`]. With `KUBEGEN_E2E_KUBECONFIG` set
//! (and optionally `KUBEGEN_E2E_CONTEXT`), it gets that cluster instead, loaded through the
//! runtime's own kubeconfig loader, so the same test code runs against a real API server.
//!
//! On a shared cluster tests must not step on each other: each test works in its own
//! namespace with a unique name (deleted at the end without waiting, since namespace deletion
//! needs controllers), and cluster-scoped objects it creates use [`TestEnv::unique_name`] and
//! carry the [`TEST_LABEL`] label so `scripts/e2e-cleanup.sh` can sweep leftovers.

use std::path::PathBuf;

use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::{Client, Method};
use kubegen_testserver::TestServer;

/// Label on everything a test creates on a shared cluster.
pub const TEST_LABEL: &str = "kubegen.dev/e2e";

/// Something only the in-process test server offers; tests that need one are skipped (with
/// the reason printed) against a real cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Fault injection (dropped watches, 429s, latency).
    Faults,
    /// Forcing history compaction (410 on reconnect).
    Compaction,
    /// Setting a container's log text.
    PodLogs,
    /// Restarting the server.
    Restart,
}

/// A test's cluster, client and namespace.
pub struct TestEnv {
    pub client: Client,
    /// The test's own namespace (created for it).
    pub namespace: String,
    server: Option<TestServer>,
    run_id: String,
    _kubeconfig_dir: Option<tempfile::TempDir>,
}

impl TestEnv {
    /// The environment for a test named `test` (used in the namespace name).
    ///
    /// Panics with a clear message if the cluster cannot be reached: a test environment
    /// that is not there is a failed test, not a skipped one.
    pub async fn start(test: &str) -> TestEnv {
        Self::try_start(test, &[])
            .await
            .unwrap_or_else(|| unreachable!())
    }

    /// Like [`TestEnv::start`], but returns `None` (printing why) when the environment is a
    /// real cluster and the test needs something only the test server offers.
    pub async fn requiring(test: &str, needs: &[Needs]) -> Option<TestEnv> {
        Self::try_start(test, needs).await
    }

    async fn try_start(test: &str, needs: &[Needs]) -> Option<TestEnv> {
        let run_id = format!("{:08x}", fastrand::u32(..));
        let (client, server, dir) = match std::env::var_os("KUBEGEN_E2E_KUBECONFIG") {
            Some(path) => {
                if !needs.is_empty() {
                    println!(
                        "SKIPPED {test}: needs {needs:?}, which only kubegen-testserver offers"
                    );
                    return None;
                }
                let overrides = Overrides {
                    context: std::env::var("KUBEGEN_E2E_CONTEXT").ok(),
                    ..Overrides::default()
                };
                let config = Config::from_kubeconfig_file(PathBuf::from(path), overrides)
                    .unwrap_or_else(|e| panic!("KUBEGEN_E2E_KUBECONFIG: {e}"));
                (
                    Client::new(config).unwrap_or_else(|e| panic!("client: {e}")),
                    None,
                    None,
                )
            }
            None => {
                let server = TestServer::start()
                    .await
                    .unwrap_or_else(|e| panic!("starting kubegen-testserver: {e}"));
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
                let path = dir.path().join("kubeconfig");
                std::fs::write(&path, server.kubeconfig())
                    .unwrap_or_else(|e| panic!("writing kubeconfig: {e}"));
                let config = Config::from_kubeconfig_file(&path, Overrides::default())
                    .unwrap_or_else(|e| panic!("test server kubeconfig: {e}"));
                (
                    Client::new(config).unwrap_or_else(|e| panic!("client: {e}")),
                    Some(server),
                    Some(dir),
                )
            }
        };
        let namespace = namespace_name(test, &run_id);
        let body = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": {TEST_LABEL: run_id}},
        });
        client
            .request(Method::POST)
            .group_version("", "v1")
            .resource("namespaces")
            .json_body(&body)
            .json::<serde_json::Value>()
            .await
            .unwrap_or_else(|e| panic!("creating test namespace {namespace}: {e}"));
        Some(TestEnv {
            client,
            namespace,
            server,
            run_id,
            _kubeconfig_dir: dir,
        })
    }

    /// The in-process test server, when the environment is one.
    pub fn server(&self) -> Option<&TestServer> {
        self.server.as_ref()
    }

    /// A name for a cluster-scoped object, unique to this run (`<base>-<run id>`).
    pub fn unique_name(&self, base: &str) -> String {
        format!("{base}-{}", self.run_id)
    }

    /// The run id that [`TEST_LABEL`] carries on what this test creates.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Deletes the test's namespace without waiting for it to go away.
    pub async fn finish(self) {
        let result = self
            .client
            .request(Method::DELETE)
            .group_version("", "v1")
            .resource("namespaces")
            .name(&self.namespace)
            .json_body(&serde_json::json!({"propagationPolicy": "Background"}))
            .bytes()
            .await;
        if let Err(e) = result {
            eprintln!("warning: deleting test namespace {}: {e}", self.namespace);
        }
    }
}

/// `t-<test>-<run id>`, within the 63 characters of a DNS label.
fn namespace_name(test: &str, run_id: &str) -> String {
    let mut base: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    base.truncate(63 - 3 - run_id.len() - 1);
    let base = base.trim_matches('-');
    format!("t-{base}-{run_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_dns_labels() {
        let n = namespace_name(
            "Pods_list::All namespaces! and a very long test name that goes on",
            "0badcafe",
        );
        assert!(n.len() <= 63, "{n}");
        assert!(n.starts_with("t-pods-list"));
        assert!(n.ends_with("-0badcafe"));
        assert!(n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }
}
