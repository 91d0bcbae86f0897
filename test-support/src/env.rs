//! [`TestEnv`]: the cluster, client and namespace of one integration test.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::{Client, Method};
use kubegen_testserver::{TestServer, TestServerBuilder};

use crate::needs::{describe, Needs};
use crate::{names, skip, KUBECONFIG_ENV, TEST_LABEL};

/// A test's cluster, client and namespace.
///
/// The client has no client-side rate limit: the tests are its only user, and some create
/// hundreds of objects.
pub struct TestEnv {
    /// A client for the environment's API server, built through the kubeconfig loader.
    pub client: Client,
    /// The test's own namespace (created for it, labelled with [`TEST_LABEL`]).
    pub namespace: String,
    /// The configuration `client` was built from.
    config: Config,
    server: Option<TestServer>,
    run_id: String,
    /// Cluster-scoped objects to delete at [`TestEnv::finish`]: (API path, name).
    cluster_scoped: Mutex<Vec<(String, String)>>,
    _kubeconfig_dir: Option<tempfile::TempDir>,
}

impl TestEnv {
    /// The environment for a test named `test` (used in the namespace name).
    ///
    /// Panics with a clear message if the cluster cannot be reached: a test environment
    /// that is not there is a failed test, not a skipped one.
    pub async fn start(test: &str) -> TestEnv {
        match Self::with_server(test, &[], TestServer::builder()).await {
            Some(env) => env,
            None => panic!("{test}: an environment without needs is never skipped"),
        }
    }

    /// Like [`TestEnv::start`], but returns `None` (printing `SKIPPED <test>: <reason>`)
    /// when the environment is not an in-process test server and the test needs something
    /// only that offers.
    pub async fn requiring(test: &str, needs: &[Needs]) -> Option<TestEnv> {
        Self::with_server(test, needs, TestServer::builder()).await
    }

    /// Like [`TestEnv::requiring`], with the in-process server built from `builder` (its
    /// address is left to the builder; a real cluster ignores it).
    pub async fn with_server(
        test: &str,
        needs: &[Needs],
        builder: TestServerBuilder,
    ) -> Option<TestEnv> {
        let run_id = names::run_id();
        let (config, server, dir) = match kubeconfig_path() {
            Some(path) => {
                if !needs.is_empty() {
                    skip::record(test, &describe(needs));
                    return None;
                }
                let overrides = Overrides {
                    context: std::env::var("KUBEGEN_E2E_CONTEXT").ok(),
                    ..Overrides::default()
                };
                let config = Config::from_kubeconfig_file(&path, overrides)
                    .unwrap_or_else(|e| panic!("{KUBECONFIG_ENV}={}: {e}", path.display()));
                (config, None, None)
            }
            None => {
                let server = builder
                    .start()
                    .await
                    .unwrap_or_else(|e| panic!("starting kubegen-testserver: {e}"));
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
                let path = dir.path().join("kubeconfig");
                server
                    .write_kubeconfig(&path)
                    .unwrap_or_else(|e| panic!("writing kubeconfig: {e}"));
                let config = Config::from_kubeconfig_file(&path, Overrides::default())
                    .unwrap_or_else(|e| panic!("test server kubeconfig: {e}"));
                (config, Some(server), Some(dir))
            }
        };
        let config = without_rate_limit(config);
        let client = client_from(config.clone());
        let namespace = names::namespace_name(test, &run_id);
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
            config,
            server,
            run_id,
            cluster_scoped: Mutex::default(),
            _kubeconfig_dir: dir,
        })
    }

    /// A client of the same server whose configuration `change` adjusts (say, its
    /// `content_type`).
    pub fn client_with(&self, change: impl FnOnce(&mut Config)) -> Client {
        let mut config = self.config.clone();
        change(&mut config);
        client_from(config)
    }

    /// A client that never retries a failed request (for tests of failures).
    pub fn client_without_retries(&self) -> Client {
        let mut config = self.config.clone();
        config.retry.max_retries = 0;
        client_from(config)
    }

    /// The in-process test server, when the environment is one (tests that declared a
    /// [`Needs`] always have it).
    pub fn server(&self) -> Option<&TestServer> {
        self.server.as_ref()
    }

    /// A name for a cluster-scoped object, unique to this run (`<base>-<run id>`); label the
    /// object with [`TestEnv::label`] too so a sweep finds it if the test dies.
    pub fn unique_name(&self, base: &str) -> String {
        format!("{base}-{}", self.run_id)
    }

    /// The run id that [`TEST_LABEL`] carries on what this test creates.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The label (key, value) every object this test creates outside its namespace carries.
    pub fn label(&self) -> (&'static str, &str) {
        (TEST_LABEL, &self.run_id)
    }

    /// Deletes the test's namespace without waiting for it to go away (namespace deletion
    /// needs controllers and can take minutes on a real cluster).
    pub async fn finish(self) {
        let owned = std::mem::take(&mut *lock(&self.cluster_scoped));
        for (collection, name) in owned {
            let result = self
                .client
                .request(Method::DELETE)
                .abs_path(&format!("{collection}/{name}"))
                .bytes()
                .await;
            if let Err(e) = result {
                eprintln!("warning: deleting {collection}/{name}: {e}");
            }
        }
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
        if let Some(server) = &self.server {
            server.shutdown().await;
        }
    }
}

impl TestEnv {
    /// Deletes the cluster-scoped object `name` of the collection at API path `collection`
    /// (`/apis/apiextensions.k8s.io/v1/customresourcedefinitions`) in [`TestEnv::finish`].
    pub fn delete_at_finish(&self, collection: &str, name: &str) {
        lock(&self.cluster_scoped).push((collection.to_owned(), name.to_owned()));
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether the tests run against an API server given by a kubeconfig (a real cluster, or
/// the test server as a separate process) rather than an in-process test server.
pub fn is_external() -> bool {
    kubeconfig_path().is_some()
}

fn kubeconfig_path() -> Option<PathBuf> {
    std::env::var_os(KUBECONFIG_ENV)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

fn without_rate_limit(mut config: Config) -> Config {
    config.rate_limit = None;
    config
}

fn client_from(config: Config) -> Client {
    Client::new(config).unwrap_or_else(|e| panic!("client: {e}"))
}
