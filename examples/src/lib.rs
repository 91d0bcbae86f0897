//! Shared set-up of the examples: a REST client for `KUBECONFIG`'s cluster, or for an
//! in-process `kubegen-testserver` when none is configured (so every example runs anywhere).

pub mod controller;

use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::Client;
use kubegen_testserver::TestServer;

/// A client and, when no cluster is configured, the test server it talks to (keep it alive).
pub struct Cluster {
    /// A client of the cluster.
    pub client: Client,
    /// The test server, when no cluster is configured.
    pub server: Option<TestServer>,
    _dir: Option<tempfile::TempDir>,
}

/// Connects to `KUBECONFIG`'s cluster, or starts a test server.
pub async fn connect() -> Result<Cluster, Box<dyn std::error::Error>> {
    if std::env::var_os("KUBECONFIG").is_some() {
        return Ok(Cluster {
            client: Client::new(Config::infer()?)?,
            server: None,
            _dir: None,
        });
    }
    let server = TestServer::start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, server.kubeconfig())?;
    eprintln!(
        "(no KUBECONFIG: using an in-process kubegen-testserver at {})",
        server.base_url()
    );
    Ok(Cluster {
        client: Client::new(Config::from_kubeconfig_file(&path, Overrides::default())?)?,
        server: Some(server),
        _dir: Some(dir),
    })
}
