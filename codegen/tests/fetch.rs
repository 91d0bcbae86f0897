//! `kubegen fetch` against kubegen-testserver: bytes as served, the lock, no re-download of
//! unchanged documents (counted in the server's request log), a CRD changing only its
//! document, a proxy path prefix, stale hashes, and the failures (401, unreachable, non-JSON
//! answers) leaving the output untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kubegen::fetch::layout::{file_name, LOCK_FILE};
use kubegen::fetch::{FetchError, Fetcher, Lock};
use kubegen_runtime::config::{AuthConfig, Config, RetryPolicy, Secret};
use kubegen_runtime::rest::{Client, Method};
use kubegen_testserver::TestServer;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn widget_crd() -> serde_json::Value {
    let path = workspace().join("examples/crd-build/crds/widgets.example.com.yaml");
    kubegen::yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn logging_server() -> TestServer {
    TestServer::builder()
        .log_requests(true)
        .start()
        .await
        .unwrap()
}

fn config(server: &TestServer) -> Config {
    let mut config = Config::new(server.base_url().parse().unwrap());
    if let Some(token) = server.token() {
        config.auth = AuthConfig::Token(Secret::new(token.to_owned()));
    }
    config.rate_limit = None;
    config
}

fn fetcher(server: &TestServer) -> Fetcher {
    Fetcher::from_config(config(server)).unwrap()
}

fn client(server: &TestServer) -> Client {
    Client::new(config(server)).unwrap()
}

async fn install(server: &TestServer, crd: &serde_json::Value) {
    client(server)
        .request(Method::POST)
        .group_version("apiextensions.k8s.io", "v1")
        .resource("customresourcedefinitions")
        .json_body(crd)
        .json::<serde_json::Value>()
        .await
        .unwrap();
}

/// Every file below `dir`, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Requests for group-version documents in the server's log.
fn document_requests(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/openapi/v3/"))
        .map(|r| r.path)
        .collect()
}

fn lock_of(out: &Path) -> Lock {
    Lock::read(&out.join(LOCK_FILE)).unwrap().unwrap()
}

#[tokio::test]
async fn writes_every_document_as_served_with_a_lock() {
    let server = logging_server().await;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("spec");
    let report = fetcher(&server).fetch_into(&out, &[]).await.unwrap();

    let index = fetcher(&server).index().await.unwrap();
    assert_eq!(report.documents, index.len());
    assert_eq!(report.downloaded.len(), index.len());
    assert_eq!(report.reused, 0);
    let c = client(&server);
    let lock = lock_of(&out);
    assert_eq!(lock.server, server.base_url());
    let version: serde_json::Value = c.get().abs_path("/version").json().await.unwrap();
    assert_eq!(lock.server_version, version);
    assert_eq!(
        lock.documents.keys().collect::<Vec<_>>(),
        index.keys().collect::<Vec<_>>()
    );
    for (path, url) in &index {
        let locked = &lock.documents[path];
        let (doc_path, query) = url.split_once('?').unwrap();
        assert_eq!(query, format!("hash={}", locked.hash), "{path}");
        assert_eq!(locked.file, format!("v3/{}", file_name(path).unwrap()));
        let served = c.get().abs_path(doc_path).bytes().await.unwrap();
        let written = std::fs::read(out.join(&locked.file)).unwrap();
        assert!(
            served.as_ref() == written.as_slice(),
            "{path}: bytes differ"
        );
    }

    // The test server serves the pinned spec's files byte for byte, so the fetched directory
    // is exactly that dump: same names, same bytes.
    let shipped: BTreeMap<String, Vec<u8>> = kubegen_openapi::pinned()
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| (d.file, d.bytes))
        .collect();
    let mut fetched = tree(&out);
    fetched.remove(LOCK_FILE);
    let fetched: BTreeMap<String, Vec<u8>> = fetched
        .into_iter()
        .map(|(k, v)| (k.strip_prefix("v3/").unwrap().to_owned(), v))
        .collect();
    assert_eq!(
        fetched.keys().collect::<Vec<_>>(),
        shipped.keys().collect::<Vec<_>>()
    );
    assert!(
        fetched == shipped,
        "fetched bytes differ from the shipped spec"
    );
    // Nothing left beside the output.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn refetching_downloads_only_what_changed() {
    let server = logging_server().await;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("spec");
    let f = fetcher(&server);
    f.fetch_into(&out, &[]).await.unwrap();
    let first = tree(&out);
    assert!(!document_requests(&server).is_empty());

    // Nothing changed: the index and /version only, and the same bytes.
    server.clear_requests();
    let report = f.fetch_into(&out, &[]).await.unwrap();
    assert_eq!(document_requests(&server), Vec::<String>::new());
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(report.downloaded.is_empty());
    assert_eq!(report.reused, first.len() - 1);
    assert_eq!(tree(&out), first);

    // A CRD installed in between: only its group-version is downloaded, nothing else moves.
    install(&server, &widget_crd()).await;
    server.clear_requests();
    let report = f.fetch_into(&out, &[]).await.unwrap();
    assert_eq!(
        document_requests(&server),
        vec!["/openapi/v3/apis/example.com/v1".to_owned()]
    );
    assert_eq!(report.downloaded, vec!["apis/example.com/v1".to_owned()]);
    let second = tree(&out);
    let changed: Vec<&String> = second
        .keys()
        .filter(|k| first.get(*k) != second.get(*k))
        .collect();
    assert_eq!(
        changed,
        vec![LOCK_FILE, "v3/apis__example.com__v1_openapi.json"]
    );
    let widget_doc: serde_json::Value =
        serde_json::from_slice(&second["v3/apis__example.com__v1_openapi.json"]).unwrap();
    assert!(widget_doc
        .pointer("/components/schemas/com.example.v1.Widget")
        .is_some());

    // Deleted again: its document leaves the output.
    client(&server)
        .delete()
        .group_version("apiextensions.k8s.io", "v1")
        .resource("customresourcedefinitions")
        .name("widgets.example.com")
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let report = f.fetch_into(&out, &[]).await.unwrap();
    assert_eq!(report.removed, vec!["apis/example.com/v1".to_owned()]);
    assert_eq!(tree(&out), first);
}

#[tokio::test]
async fn include_keeps_only_the_selected_group_versions() {
    let server = logging_server().await;
    install(&server, &widget_crd()).await;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("spec");
    let report = fetcher(&server)
        .fetch_into(&out, &["apis/example.com".to_owned()])
        .await
        .unwrap();
    assert_eq!(report.documents, 1);
    assert_eq!(
        tree(&out).keys().collect::<Vec<_>>(),
        vec![LOCK_FILE, "v3/apis__example.com__v1_openapi.json"]
    );
    assert_eq!(
        document_requests(&server),
        vec!["/openapi/v3/apis/example.com/v1".to_owned()]
    );
}

#[tokio::test]
async fn a_stale_hash_follows_the_redirect() {
    let server = logging_server().await;
    install(&server, &widget_crd()).await;
    let f = fetcher(&server);
    let stale = f.index().await.unwrap()["apis/example.com/v1"].clone();
    // Changing the CRD changes its document and hash.
    let mut crd = widget_crd();
    crd["spec"]["names"]["shortNames"] = serde_json::json!(["wd", "wdg"]);
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["color"] = serde_json::json!({"type": "string"});
    let mut current: serde_json::Value = client(&server)
        .get()
        .group_version("apiextensions.k8s.io", "v1")
        .resource("customresourcedefinitions")
        .name("widgets.example.com")
        .json()
        .await
        .unwrap();
    current["spec"] = crd["spec"].clone();
    client(&server)
        .put()
        .group_version("apiextensions.k8s.io", "v1")
        .resource("customresourcedefinitions")
        .name("widgets.example.com")
        .json_body(&current)
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let fresh = f.index().await.unwrap()["apis/example.com/v1"].clone();
    assert_ne!(stale, fresh);

    server.clear_requests();
    let doc = f.document(&stale).await.unwrap().unwrap();
    assert!(doc.redirected);
    assert_eq!(
        format!("hash={}", doc.hash),
        fresh.split_once('?').unwrap().1
    );
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![301, 200]);
}

#[tokio::test]
async fn a_path_prefix_is_kept() {
    let prefix = "/k8s/clusters/c-1";
    let server = TestServer::builder()
        .path_prefix(prefix)
        .log_requests(true)
        .start()
        .await
        .unwrap();
    assert!(server.base_url().ends_with(prefix));
    install(&server, &widget_crd()).await;
    server.clear_requests();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("spec");
    let report = fetcher(&server).fetch_into(&out, &[]).await.unwrap();
    assert!(report.documents > 50);
    let requests = server.requests();
    assert_eq!(requests.len(), report.documents + 2);
    for r in &requests {
        assert!(r.path.starts_with(prefix), "{r:?}");
        assert_eq!(r.status, 200, "{r:?}");
    }
    assert_eq!(lock_of(&out).server, server.base_url());

    // A stale hash redirects to a root-relative URL, as a real API server behind a
    // non-rewriting proxy does; that leaves the prefix and is answered 404 (a miss, not an
    // error), after which a fetch reads the index again.
    let f = fetcher(&server);
    let stale = f.index().await.unwrap()["apis/example.com/v1"].replace("hash=", "hash=0");
    assert!(f.document(&stale).await.unwrap().is_none());
}

#[tokio::test]
async fn wrong_token_is_refused_and_the_output_untouched() {
    let server = TestServer::builder().token("right").start().await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("spec");
    fetcher(&server)
        .fetch_into(&out, &["api/v1".to_owned()])
        .await
        .unwrap();
    let before = tree(&out);

    let mut bad = config(&server);
    bad.auth = AuthConfig::Token(Secret::new("wrong".to_owned()));
    let err = Fetcher::from_config(bad)
        .unwrap()
        .fetch_into(&out, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Refused { code: 401, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains(&server.base_url()), "{message}");
    assert!(message.contains("/version"), "{message}");
    assert!(message.contains("401 Unauthorized"), "{message}");
    assert!(!message.contains("wrong"), "the token leaked: {message}");
    assert_eq!(tree(&out), before);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn unreachable_server_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut config = Config::new(url.parse().unwrap());
    config.retry = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("spec");
    let err = Fetcher::from_config(config)
        .unwrap()
        .fetch_into(&out, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("cannot reach the API server at {url}")),
        "{message}"
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn refuses_to_replace_a_directory_it_did_not_write() {
    let server = TestServer::start().await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("Cargo.toml"), "[package]").unwrap();
    let err = fetcher(&server)
        .fetch_into(tmp.path(), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::NotAFetchDirectory { .. }),
        "{err}"
    );
    assert!(tmp.path().join("Cargo.toml").is_file());
}

/// A tiny HTTP/1.1 server answering fixed bodies by path, for answers the test server never
/// gives (non-JSON index, broken document).
async fn fixed_server(routes: Vec<(&'static str, &'static str)>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let path = target.split('?').next().unwrap_or("/");
                let (code, body) = match routes.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => ("200 OK", *body),
                    None => ("404 Not Found", ""),
                };
                let resp = format!(
                    "HTTP/1.1 {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(resp.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

async fn fetch_from_fixed(url: &str) -> (FetchError, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let err = Fetcher::from_config(Config::new(url.parse().unwrap()))
        .unwrap()
        .fetch_into(&tmp.path().join("spec"), &[])
        .await
        .unwrap_err();
    (err, tmp)
}

#[tokio::test]
async fn non_json_answers_are_clear_errors() {
    const VERSION: &str = r#"{"major":"1","minor":"36","gitVersion":"v1.36.3"}"#;
    let url = fixed_server(vec![
        ("/version", VERSION),
        ("/openapi/v3", "<html>login</html>"),
    ])
    .await;
    let (err, tmp) = fetch_from_fixed(&url).await;
    assert!(matches!(err, FetchError::InvalidIndex { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!(
        "{url}: GET /openapi/v3 is not an OpenAPI v3 index"
    )));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);

    let url = fixed_server(vec![
        ("/version", VERSION),
        (
            "/openapi/v3",
            r#"{"paths":{"apis/x.io/v1":{"serverRelativeURL":"/openapi/v3/apis/x.io/v1?hash=AB"}}}"#,
        ),
        ("/openapi/v3/apis/x.io/v1", r#"{"openapi": "3.0.0", "#),
    ])
    .await;
    let (err, tmp) = fetch_from_fixed(&url).await;
    assert!(matches!(err, FetchError::InvalidDocument { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!(
        "{url}: GET /openapi/v3/apis/x.io/v1 is not a valid JSON document"
    )));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// Runs `kubegen fetch` (on a blocking thread: the test server runs on this runtime).
async fn run_cli(args: Vec<std::ffi::OsString>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_kubegen"))
            .arg("fetch")
            .args(args)
            .env_remove("KUBECONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_fetches_with_a_kubeconfig_and_context() {
    let server = TestServer::builder().token("t0ken").start().await.unwrap();
    install(&server, &widget_crd()).await;
    let tmp = tempfile::tempdir().unwrap();
    let kubeconfig = tmp.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let out = tmp.path().join("spec");
    let args = |context: &str| -> Vec<std::ffi::OsString> {
        vec![
            "--kubeconfig".into(),
            kubeconfig.clone().into(),
            "--context".into(),
            context.into(),
            "--include".into(),
            "apis/example.com".into(),
            "--out".into(),
            out.clone().into(),
        ]
    };
    let ok = run_cli(args("kubegen-testserver")).await;
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.join("v3/apis__example.com__v1_openapi.json").is_file());
    assert_eq!(lock_of(&out).server, server.base_url());
    let before = tree(&out);

    let missing = run_cli(args("nope")).await;
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("nope"), "{stderr}");
    assert_eq!(tree(&out), before);
}
