//! TLS and authentication over real HTTPS: the kubeconfig's CA, a wrong CA, insecure mode,
//! tls-server-name, client certificates, bearer tokens, token files and exec plugins.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use kubegen_runtime::config::{AuthConfig, Config, Overrides, Secret, TlsConfig};
use kubegen_runtime::rest::{Client, GetOptions, ResourceClient};
use support::{serve_https, status_json, ConfigMap, Pki};

/// A server answering `GET .../configmaps/{name}` when the bearer token is accepted.
fn app(accepted: Arc<std::sync::Mutex<Vec<String>>>, hits: Arc<AtomicUsize>) -> Router {
    Router::new().route(
        "/api/v1/namespaces/{ns}/configmaps/{name}",
        get(
            move |axum::extract::Path((_ns, name)): axum::extract::Path<(String, String)>,
                  headers: HeaderMap| {
                let accepted = accepted.clone();
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    let ok = accepted.lock().unwrap().contains(&auth);
                    if !ok {
                        return (
                            StatusCode::UNAUTHORIZED,
                            status_json(401, "Unauthorized", "Unauthorized"),
                        );
                    }
                    (
                        StatusCode::OK,
                        serde_json::to_string(&ConfigMap::named(&name)).unwrap(),
                    )
                }
            },
        ),
    )
}

fn tokens(list: &[&str]) -> Arc<std::sync::Mutex<Vec<String>>> {
    Arc::new(std::sync::Mutex::new(
        list.iter().map(|t| t.to_string()).collect(),
    ))
}

fn config(url: &str, tls: TlsConfig, auth: AuthConfig) -> Config {
    let mut c = Config::new(url.parse().unwrap());
    c.tls = tls;
    c.auth = auth;
    c.rate_limit = None;
    c.timeout = Some(Duration::from_secs(10));
    c
}

async fn get_cm(config: Config) -> kubegen_runtime::rest::Result<ConfigMap> {
    let client = Client::new(config)?;
    ResourceClient::<ConfigMap>::namespaced(client, "default")
        .get("cm1", &GetOptions::default())
        .await
}

#[tokio::test]
async fn tls_with_ca_and_bearer_token() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_https(
        app(tokens(&["Bearer good"]), hits.clone()),
        pki.server_config(false),
    )
    .await;
    let tls = TlsConfig {
        ca_pem: Some(pki.ca_pem.clone().into_bytes()),
        ..Default::default()
    };
    let cm = get_cm(config(
        &server.url(),
        tls.clone(),
        AuthConfig::Token(Secret::from("good")),
    ))
    .await
    .unwrap();
    assert_eq!(cm.metadata.name.as_deref(), Some("cm1"));

    // A wrong token is a typed 401, not retried (a static token cannot change).
    let before = hits.load(Ordering::SeqCst);
    let err = get_cm(config(
        &server.url(),
        tls,
        AuthConfig::Token(Secret::from("bad")),
    ))
    .await
    .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), before + 1);
    assert!(!err.to_string().contains("bad\""), "token leaked: {err}");
}

#[tokio::test]
async fn wrong_ca_is_a_tls_error() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let other = Pki::new(&["localhost", "127.0.0.1"]);
    let server = serve_https(
        app(tokens(&["Bearer good"]), Default::default()),
        pki.server_config(false),
    )
    .await;
    let tls = TlsConfig {
        ca_pem: Some(other.ca_pem.into_bytes()),
        ..Default::default()
    };
    let err = get_cm(config(
        &server.url(),
        tls,
        AuthConfig::Token(Secret::from("good")),
    ))
    .await
    .unwrap_err();
    assert!(err.is_tls(), "expected a TLS error, got {err:?}");
    // No CA at all means system roots, which do not know the test CA either.
    let err = get_cm(config(
        &server.url(),
        TlsConfig::default(),
        AuthConfig::None,
    ))
    .await
    .unwrap_err();
    assert!(err.is_tls(), "{err:?}");
}

#[tokio::test]
async fn insecure_skip_verify_accepts_any_certificate() {
    let pki = Pki::new(&["localhost"]);
    let server = serve_https(
        app(tokens(&["Bearer good"]), Default::default()),
        pki.server_config(false),
    )
    .await;
    let tls = TlsConfig {
        insecure_skip_verify: true,
        ..Default::default()
    };
    get_cm(config(
        &server.url(),
        tls,
        AuthConfig::Token(Secret::from("good")),
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn tls_server_name_verifies_against_that_name() {
    let pki = Pki::new(&["kube.internal"]);
    let server = serve_https(
        app(tokens(&["Bearer good"]), Default::default()),
        pki.server_config(false),
    )
    .await;
    let mut tls = TlsConfig {
        ca_pem: Some(pki.ca_pem.clone().into_bytes()),
        ..Default::default()
    };
    let auth = || AuthConfig::Token(Secret::from("good"));
    let err = get_cm(config(&server.url(), tls.clone(), auth()))
        .await
        .unwrap_err();
    assert!(err.is_tls(), "{err:?}");
    tls.server_name = Some("kube.internal".into());
    get_cm(config(&server.url(), tls, auth())).await.unwrap();
}

#[tokio::test]
async fn client_certificate_auth() {
    let pki = Pki::new(&["127.0.0.1"]);
    let server = serve_https(
        app(tokens(&[""]), Default::default()),
        pki.server_config(true),
    )
    .await;
    let mut tls = TlsConfig {
        ca_pem: Some(pki.ca_pem.clone().into_bytes()),
        ..Default::default()
    };
    let err = get_cm(config(&server.url(), tls.clone(), AuthConfig::None))
        .await
        .unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    tls.client_cert_pem = Some(pki.client_cert_pem.clone().into_bytes());
    tls.client_key_pem = Some(Secret::new(pki.client_key_pem.clone().into_bytes()));
    let config = config(&server.url(), tls, AuthConfig::None);
    assert!(!format!("{config:?}").contains("PRIVATE KEY"));
    get_cm(config).await.unwrap();
}

#[tokio::test]
async fn token_file_is_reread_after_401() {
    let pki = Pki::new(&["127.0.0.1"]);
    let accepted = tokens(&["Bearer one"]);
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_https(
        app(accepted.clone(), hits.clone()),
        pki.server_config(false),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let token_path = dir.path().join("token");
    std::fs::write(&token_path, "one\n").unwrap();
    let tls = TlsConfig {
        ca_pem: Some(pki.ca_pem.clone().into_bytes()),
        ..Default::default()
    };
    let client = Client::new(config(
        &server.url(),
        tls,
        AuthConfig::TokenFile(token_path.clone()),
    ))
    .unwrap();
    let cms = ResourceClient::<ConfigMap>::namespaced(client, "default");
    cms.get("a", &GetOptions::default()).await.unwrap();
    // The token rotates: the server now accepts only the new one.
    std::fs::write(&token_path, "two\n").unwrap();
    *accepted.lock().unwrap() = vec!["Bearer two".into()];
    let before = hits.load(Ordering::SeqCst);
    cms.get("a", &GetOptions::default()).await.unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        before + 2,
        "one 401, one success"
    );
}

/// Writes an exec plugin script that counts its runs, records `KUBERNETES_EXEC_INFO`, and
/// prints `tok-<run>` with the given expiry.
fn write_plugin(dir: &std::path::Path, expiry: &str) -> std::path::PathBuf {
    let path = dir.join("plugin.sh");
    let script = format!(
        r#"#!/bin/sh
n=$(cat "$COUNTER" 2>/dev/null || echo 0)
n=$((n+1))
echo "$n" > "$COUNTER"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO_FILE"
printf '{{"apiVersion":"%s","kind":"ExecCredential","status":{{"token":"tok-%s"{expiry}}}}}' "$API_VERSION" "$n"
"#
    );
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn exec_kubeconfig(
    dir: &std::path::Path,
    server: &str,
    ca_pem: &str,
    api_version: &str,
) -> std::path::PathBuf {
    use base64::Engine as _;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let counter = dir.join("count");
    let info = dir.join("info.json");
    let text = format!(
        r#"apiVersion: v1
kind: Config
current-context: exec
contexts:
- name: exec
  context: {{cluster: c, user: u, namespace: default}}
clusters:
- name: c
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: u
  user:
    exec:
      apiVersion: {api_version}
      command: ./plugin.sh
      provideClusterInfo: true
      interactiveMode: Never
      env:
      - {{name: COUNTER, value: "{counter}"}}
      - {{name: INFO_FILE, value: "{info}"}}
      - {{name: API_VERSION, value: "{api_version}"}}
"#,
        counter = counter.display(),
        info = info.display(),
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).unwrap();
    path
}

fn runs(dir: &std::path::Path) -> u32 {
    std::fs::read_to_string(dir.join("count"))
        .map(|s| s.trim().parse().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn exec_plugin_is_cached_and_rerun_after_401() {
    for api_version in [
        "client.authentication.k8s.io/v1",
        "client.authentication.k8s.io/v1beta1",
    ] {
        let pki = Pki::new(&["127.0.0.1"]);
        // Only the plugin's second token is accepted: the first gets a 401.
        let accepted = tokens(&["Bearer tok-2"]);
        let server = serve_https(app(accepted, Default::default()), pki.server_config(false)).await;
        let dir = tempfile::tempdir().unwrap();
        write_plugin(dir.path(), "");
        let kubeconfig = exec_kubeconfig(dir.path(), &server.url(), &pki.ca_pem, api_version);
        let config = Config::from_kubeconfig_file(&kubeconfig, Overrides::default()).unwrap();
        let client = Client::new(Config {
            rate_limit: None,
            ..config
        })
        .unwrap();
        let cms = ResourceClient::<ConfigMap>::namespaced(client.clone(), "default");
        assert_eq!(runs(dir.path()), 0, "the plugin runs lazily");
        cms.get("a", &GetOptions::default()).await.unwrap();
        assert_eq!(runs(dir.path()), 2, "run, 401, run again");
        // Cached (no expiry): later requests, from clones too, do not run it again.
        cms.get("b", &GetOptions::default()).await.unwrap();
        cms.clone().get("c", &GetOptions::default()).await.unwrap();
        assert_eq!(runs(dir.path()), 2);
        // The plugin was told about the cluster.
        let info: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("info.json")).unwrap())
                .unwrap();
        assert_eq!(info["kind"], "ExecCredential");
        assert_eq!(info["apiVersion"], api_version);
        assert_eq!(info["spec"]["interactive"], false);
        assert_eq!(info["spec"]["cluster"]["server"], server.url());
        assert!(info["spec"]["cluster"]["certificate-authority-data"].is_string());
    }
}

#[tokio::test]
async fn expired_exec_credential_is_refreshed() {
    let pki = Pki::new(&["127.0.0.1"]);
    let accepted = tokens(&["Bearer tok-1", "Bearer tok-2", "Bearer tok-3"]);
    let server = serve_https(app(accepted, Default::default()), pki.server_config(false)).await;
    let dir = tempfile::tempdir().unwrap();
    write_plugin(
        dir.path(),
        r#","expirationTimestamp":"2000-01-01T00:00:00Z""#,
    );
    let kubeconfig = exec_kubeconfig(
        dir.path(),
        &server.url(),
        &pki.ca_pem,
        "client.authentication.k8s.io/v1",
    );
    let client =
        Client::new(Config::from_kubeconfig_file(&kubeconfig, Overrides::default()).unwrap())
            .unwrap();
    let cms = ResourceClient::<ConfigMap>::namespaced(client, "default");
    cms.get("a", &GetOptions::default()).await.unwrap();
    cms.get("a", &GetOptions::default()).await.unwrap();
    assert_eq!(
        runs(dir.path()),
        2,
        "an expired credential is fetched again"
    );
}

#[tokio::test]
async fn failing_exec_plugin_is_an_auth_error() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(&["127.0.0.1"]);
    let kubeconfig = exec_kubeconfig(
        dir.path(),
        "https://127.0.0.1:1",
        &pki.ca_pem,
        "client.authentication.k8s.io/v1",
    );
    // No plugin.sh written: spawning fails.
    let client =
        Client::new(Config::from_kubeconfig_file(&kubeconfig, Overrides::default()).unwrap())
            .unwrap();
    let err = ResourceClient::<ConfigMap>::namespaced(client, "default")
        .get("a", &GetOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, kubegen_runtime::rest::Error::Auth(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("plugin.sh"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_401s_run_the_exec_plugin_once() {
    let pki = Pki::new(&["127.0.0.1"]);
    // The plugin's first token is rejected; its second is accepted.
    let accepted = tokens(&["Bearer tok-2"]);
    let server = serve_https(app(accepted, Default::default()), pki.server_config(false)).await;
    let dir = tempfile::tempdir().unwrap();
    write_plugin(dir.path(), "");
    let kubeconfig = exec_kubeconfig(
        dir.path(),
        &server.url(),
        &pki.ca_pem,
        "client.authentication.k8s.io/v1",
    );
    let config = Config::from_kubeconfig_file(&kubeconfig, Overrides::default()).unwrap();
    let client = Client::new(Config {
        rate_limit: None,
        ..config
    })
    .unwrap();
    let cms = ResourceClient::<ConfigMap>::namespaced(client, "default");
    // Sixteen requests share the first token, and all get a 401 with it.
    let requests: Vec<_> = (0..16)
        .map(|i| {
            let cms = cms.clone();
            tokio::spawn(async move { cms.get(&format!("cm-{i}"), &GetOptions::default()).await })
        })
        .collect();
    for r in requests {
        r.await.unwrap().unwrap();
    }
    assert_eq!(
        runs(dir.path()),
        2,
        "one run for the first token, one refresh for all the 401s"
    );
}
