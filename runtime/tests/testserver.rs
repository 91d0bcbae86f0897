//! The REST client against an API server: `kubegen-testserver` in process by default (the
//! kubeconfig it writes, TLS with its CA, token and client-certificate auth), or a real
//! cluster through `KUBEGEN_E2E_KUBECONFIG`: errors, optimistic concurrency, patches, apply,
//! watch, 410 and paging. Tests needing a server of their own, faults or compaction are
//! skipped against a cluster.

mod support;

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::meta::{CompactString, DeleteOptions, Map};
use kubegen_runtime::rest::{
    Client, CreateOptions, GetOptions, ListOptions, ObjectOrStatus, Patch, PatchOptions,
    ResourceClient, UpdateOptions, WatchEvent,
};
use kubegen_test_support::{Needs, TestEnv};
use kubegen_testserver::{ErrorKind, TestServer};
use support::{ConfigMap, Namespace};

/// Label on the config maps the tests create, so lists and watches see only those (a real
/// cluster adds `kube-root-ca.crt` to every namespace).
const MINE: &str = "kubegen.dev/item=yes";

fn cm(name: &str, value: &str) -> ConfigMap {
    let mut cm = ConfigMap::named(name);
    cm.data = Some([("k".to_string(), value.to_string())].into());
    cm.metadata.labels = Some(mine());
    cm
}

fn mine() -> Map<CompactString> {
    [("kubegen.dev/item", CompactString::from("yes"))].into()
}

fn mine_only() -> ListOptions {
    ListOptions::labels(MINE)
}

#[tokio::test]
async fn crud_over_tls_with_token() {
    // In process: TLS and a token; against a cluster, whatever its kubeconfig says.
    let builder = TestServer::builder().tls(true).token("s3cret");
    let env = TestEnv::with_server("crud", &[], builder).await.unwrap();
    let cms = ResourceClient::<ConfigMap>::namespaced(env.client.clone(), &env.namespace);

    let created = cms
        .create(&CreateOptions::default(), &cm("a", "1"))
        .await
        .unwrap();
    let rv1 = created.metadata.resource_version.clone().unwrap();
    let e = cms
        .create(&CreateOptions::default(), &cm("a", "1"))
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e}");

    // Dry run persists nothing.
    cms.create(
        &CreateOptions {
            dry_run: true,
            ..Default::default()
        },
        &cm("dry", "x"),
    )
    .await
    .unwrap();
    assert!(cms
        .get("dry", &GetOptions::default())
        .await
        .unwrap_err()
        .is_not_found());

    let mut fresh = cms.get("a", &GetOptions::default()).await.unwrap();
    fresh.data = Some([("k".to_string(), "2".to_string())].into());
    let updated = cms.update(&UpdateOptions::default(), &fresh).await.unwrap();
    assert_ne!(
        updated.metadata.resource_version.as_deref(),
        Some(rv1.as_str())
    );
    // The same (now stale) resourceVersion again: conflict.
    let e = cms
        .update(&UpdateOptions::default(), &fresh)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");

    let merged = cms
        .patch(
            "a",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"data": {"m": "y"}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.data.as_ref().unwrap()["m"], "y");
    let jp = cms
        .patch(
            "a",
            &PatchOptions::default(),
            &Patch::Json(serde_json::json!([{"op": "replace", "path": "/data/k", "value": "3"}])),
        )
        .await
        .unwrap();
    assert_eq!(jp.data.as_ref().unwrap()["k"], "3");

    // Server-side apply: a second manager conflicts on a field it does not own, unless forced.
    let mut intent = ConfigMap::named("applied");
    intent.metadata.labels = Some(mine());
    intent.data = Some([("owner".to_string(), "first".to_string())].into());
    cms.apply(&PatchOptions::apply("first"), &intent)
        .await
        .unwrap();
    intent.data = Some([("owner".to_string(), "second".to_string())].into());
    let e = cms
        .apply(&PatchOptions::apply("second"), &intent)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    let forced = cms
        .apply(&PatchOptions::apply("second").force(), &intent)
        .await
        .unwrap();
    assert_eq!(forced.data.unwrap()["owner"], "second");

    let list = cms.list(&mine_only()).await.unwrap();
    let mut names: Vec<_> = list.items.iter().map(|c| c.metadata.name.clone()).collect();
    names.sort();
    assert_eq!(names, [Some("a".into()), Some("applied".into())]);
    match cms.delete("a", &DeleteOptions::default()).await.unwrap() {
        ObjectOrStatus::Status(s) => assert_eq!(s.status.as_deref(), Some("Success")),
        ObjectOrStatus::Object(o) => panic!("expected a Status, got {o:?}"),
    }
    assert!(cms
        .get("a", &GetOptions::default())
        .await
        .unwrap_err()
        .is_not_found());
    env.finish().await;
}

#[tokio::test]
async fn wrong_token_and_wrong_ca() {
    let builder = TestServer::builder().tls(true).token("right");
    let Some(env) = TestEnv::with_server("wrong-token", &[Needs::OwnServer], builder).await else {
        return;
    };
    let server = env.server().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, server.kubeconfig().replace("right", "wrong")).unwrap();
    let client =
        Client::new(Config::from_kubeconfig_file(&path, Overrides::default()).unwrap()).unwrap();
    let e = ResourceClient::<Namespace>::cluster(client)
        .get("default", &GetOptions::default())
        .await
        .unwrap_err();
    assert!(e.is_unauthorized(), "{e}");

    // Another server's CA does not vouch for this one.
    let other = TestServer::builder()
        .tls(true)
        .token("right")
        .start()
        .await
        .unwrap();
    let mixed = other
        .kubeconfig()
        .replace(&other.base_url(), &server.base_url());
    std::fs::write(&path, mixed).unwrap();
    let client =
        Client::new(Config::from_kubeconfig_file(&path, Overrides::default()).unwrap()).unwrap();
    let e = ResourceClient::<Namespace>::cluster(client)
        .get("default", &GetOptions::default())
        .await
        .unwrap_err();
    assert!(e.is_tls(), "{e:?}");
    env.finish().await;
}

#[tokio::test]
async fn client_certificate_auth() {
    let builder = TestServer::builder().tls(true).client_cert_auth(true);
    let Some(env) = TestEnv::with_server("client-cert", &[Needs::OwnServer], builder).await else {
        return;
    };
    let ns = ResourceClient::<Namespace>::cluster(env.client.clone())
        .get(&env.namespace, &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(ns.metadata.name.as_deref(), Some(env.namespace.as_str()));
    env.finish().await;
}

#[tokio::test]
async fn watch_sees_every_event_in_order() {
    let env = TestEnv::start("watch-order").await;
    let cms = ResourceClient::<ConfigMap>::namespaced(env.client.clone(), &env.namespace);
    let start_rv = cms
        .list(&mine_only())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    const N: usize = 300;
    for i in 0..N {
        cms.create(&CreateOptions::default(), &cm(&format!("w{i}"), "v"))
            .await
            .unwrap();
    }
    let opts = ListOptions {
        resource_version: Some(start_rv.clone()),
        allow_watch_bookmarks: true,
        ..mine_only()
    };
    let mut watch = cms.watch(&opts).await.unwrap();
    let mut seen = 0;
    while seen < N {
        match watch.try_next().await.unwrap().expect("stream ended early") {
            WatchEvent::Added(c) => {
                assert_eq!(c.metadata.name.unwrap(), format!("w{seen}"));
                seen += 1;
            }
            WatchEvent::Bookmark(_) => {}
            other => panic!("{other:?}"),
        }
    }
    drop(watch);
    env.finish().await;
}

#[tokio::test]
async fn watch_from_a_compacted_version_is_gone() {
    let Some(env) = TestEnv::requiring("watch-gone", &[Needs::Compaction]).await else {
        return;
    };
    let server = env.server().unwrap();
    let cms = ResourceClient::<ConfigMap>::namespaced(env.client.clone(), &env.namespace);
    let start_rv = cms
        .list(&mine_only())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    for i in 0..3 {
        cms.create(&CreateOptions::default(), &cm(&format!("w{i}"), "v"))
            .await
            .unwrap();
    }
    // After compaction the old resourceVersion is gone: an ERROR event with 410.
    server.compact();
    let opts = ListOptions {
        resource_version: Some(start_rv),
        ..mine_only()
    };
    let mut watch = cms.watch(&opts).await.unwrap();
    match watch.try_next().await.unwrap() {
        Some(WatchEvent::Error(e)) => assert!(e.is_gone(), "{e}"),
        other => panic!("{other:?}"),
    }
    env.finish().await;
}

#[tokio::test]
async fn paged_list_collects_every_object() {
    let env = TestEnv::start("paged-list").await;
    let client = env.client.clone();
    let cms = ResourceClient::<ConfigMap>::namespaced(client.clone(), &env.namespace);
    const N: usize = 1_000;
    for i in 0..N {
        cms.create(&CreateOptions::default(), &cm(&format!("p{i:04}"), "v"))
            .await
            .unwrap();
    }
    let all = cms
        .list_all(&ListOptions {
            limit: Some(90),
            ..mine_only()
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), N);
    let pages: Vec<usize> = cms
        .list_pages(&ListOptions {
            limit: Some(300),
            ..mine_only()
        })
        .map_ok(|p| p.items.len())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages, [300, 300, 300, 100]);
    // Across namespaces with a selector that matches nothing.
    let none = ResourceClient::<ConfigMap>::all(client)
        .list_all(&ListOptions::labels(format!("app=none-{}", env.run_id())))
        .await
        .unwrap();
    assert!(none.items.is_empty());
    env.finish().await;
}

#[tokio::test]
async fn too_many_requests_is_retried_after_the_wait() {
    let Some(env) = TestEnv::requiring("retry-429", &[Needs::Faults]).await else {
        return;
    };
    let server = env.server().unwrap();
    let cms = ResourceClient::<ConfigMap>::namespaced(env.client.clone(), &env.namespace);
    server
        .faults()
        .fail_requests(1.0, ErrorKind::TooManyRequests { retry_after: 1 });
    let faults = server.faults().clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        faults.clear();
    });
    let start = Instant::now();
    cms.create(&CreateOptions::default(), &cm("late", "v"))
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        start.elapsed()
    );
    cms.get("late", &GetOptions::default()).await.unwrap();
    env.finish().await;
}

#[tokio::test]
async fn exec_plugin_can_supply_a_client_certificate() {
    let builder = TestServer::builder().tls(true).client_cert_auth(true);
    let Some(env) = TestEnv::with_server("exec-cert", &[Needs::OwnServer], builder).await else {
        return;
    };
    let server = env.server().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = exec_cert_kubeconfig(server, dir.path(), server.client_identity_pem().unwrap());
    let client =
        Client::new(Config::from_kubeconfig_file(&path, Overrides::default()).unwrap()).unwrap();
    let ns = ResourceClient::<Namespace>::cluster(client)
        .get("kube-system", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(ns.metadata.name.as_deref(), Some("kube-system"));
    env.finish().await;
}

/// The test server's kubeconfig with its user replaced by `user`, written to `dir/kubeconfig`.
fn kubeconfig_with_user(
    server: &TestServer,
    dir: &std::path::Path,
    user: serde_json::Value,
) -> std::path::PathBuf {
    let mut kubeconfig: serde_json::Value = serde_saphyr::from_str(&server.kubeconfig()).unwrap();
    kubeconfig["users"][0]["user"] = user;
    let path = dir.join("kubeconfig");
    std::fs::write(&path, serde_saphyr::to_string(&kubeconfig).unwrap()).unwrap();
    path
}

/// A kubeconfig whose user runs an exec plugin (`cat dir/cred.json`) printing `identity`
/// for now; [`write_exec_credential`] changes what it prints.
fn exec_cert_kubeconfig(
    server: &TestServer,
    dir: &std::path::Path,
    (cert, key): (String, String),
) -> std::path::PathBuf {
    let cred = dir.join("cred.json");
    write_exec_credential(&cred, &cert, &key);
    kubeconfig_with_user(
        server,
        dir,
        serde_json::json!({
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": "cat",
                "args": [&cred],
                "interactiveMode": "Never",
            }
        }),
    )
}

/// An exec plugin's credential as `cat` prints it: the certificate and key as PEM in an
/// ExecCredential's JSON strings.
fn write_exec_credential(path: &std::path::Path, cert: &str, key: &str) {
    let credential = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"clientCertificateData": cert, "clientKeyData": key},
    });
    std::fs::write(path, credential.to_string()).unwrap();
}

#[tokio::test]
async fn a_rotated_exec_client_certificate_is_presented_on_new_connections() {
    let builder = TestServer::builder().tls(true).client_cert_auth(true);
    let Some(env) = TestEnv::with_server("exec-cert-rotation", &[Needs::OwnServer], builder).await
    else {
        return;
    };
    let server = env.server().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = exec_cert_kubeconfig(server, dir.path(), server.client_identity_pem().unwrap());
    let client =
        Client::new(Config::from_kubeconfig_file(&path, Overrides::default()).unwrap()).unwrap();
    let namespaces = ResourceClient::<Namespace>::cluster(client);
    namespaces
        .get("kube-system", &GetOptions::default())
        .await
        .unwrap();

    // The old certificate expires: the server takes only the new one, which the plugin
    // now prints. The pooled connection still presents the old one; the 401 runs the
    // plugin again and the retry must go out on a connection with the new certificate.
    let (cert, key) = server.rotate_client_identity().unwrap().unwrap();
    write_exec_credential(&dir.path().join("cred.json"), &cert, &key);
    let ns = namespaces
        .get("kube-system", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(ns.metadata.name.as_deref(), Some("kube-system"));
    env.finish().await;
}

/// A kubeconfig whose user presents the certificate and key in `dir/tls.crt`,
/// `dir/tls.key` (paths, not inline data), holding `identity` for now.
fn cert_file_kubeconfig(
    server: &TestServer,
    dir: &std::path::Path,
    identity: (String, String),
) -> std::path::PathBuf {
    write_identity(dir, &identity);
    kubeconfig_with_user(
        server,
        dir,
        serde_json::json!({
            "client-certificate": dir.join("tls.crt"),
            "client-key": dir.join("tls.key"),
        }),
    )
}

fn write_identity(dir: &std::path::Path, (cert, key): &(String, String)) {
    std::fs::write(dir.join("tls.crt"), cert).unwrap();
    std::fs::write(dir.join("tls.key"), key).unwrap();
}

/// The statuses the server answered since the last call.
fn statuses(server: &TestServer) -> Vec<u16> {
    let statuses = server.requests().iter().map(|r| r.status).collect();
    server.clear_requests();
    statuses
}

/// A test server of its own that takes client certificates, and a client reading its
/// certificate from files in `dir`, rechecked every `recheck`; `None` against a cluster.
async fn cert_file_client(
    test: &str,
    dir: &std::path::Path,
    recheck: Duration,
) -> Option<(TestEnv, ResourceClient<Namespace>)> {
    let builder = TestServer::builder()
        .client_cert_auth(true)
        .log_requests(true);
    let env = TestEnv::with_server(test, &[Needs::OwnServer], builder).await?;
    let server = env.server().unwrap();
    // What the test environment sent setting up is no part of it.
    server.clear_requests();
    let path = cert_file_kubeconfig(server, dir, server.client_identity_pem().unwrap());
    let mut config = Config::from_kubeconfig_file(&path, Overrides::default()).unwrap();
    let files = config
        .tls
        .client_cert_files
        .as_mut()
        .expect("read from files");
    files.recheck_interval = recheck;
    let namespaces = ResourceClient::<Namespace>::cluster(Client::new(config).unwrap());
    Some((env, namespaces))
}

#[tokio::test]
async fn rotated_client_certificate_files_are_read_again_after_a_401() {
    let dir = tempfile::tempdir().unwrap();
    // Only the 401 may make the client read the files again.
    let recheck = Duration::from_secs(3600);
    let Some((env, namespaces)) = cert_file_client("cert-files-401", dir.path(), recheck).await
    else {
        return;
    };
    let server = env.server().unwrap();
    namespaces
        .get("default", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(statuses(server), [200]);

    // cert-manager writes the new pair; the server takes only it from now on. The pooled
    // connection presents the old certificate: 401, the files are read, and the retry
    // goes out on a new connection presenting the new one.
    let rotated = server.rotate_client_identity().unwrap().unwrap();
    write_identity(dir.path(), &rotated);
    namespaces
        .get("default", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(statuses(server), [401, 200]);
    namespaces
        .get("default", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(statuses(server), [200]);
    env.finish().await;
}

#[tokio::test]
async fn rotated_client_certificate_files_are_used_before_the_old_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let recheck = Duration::from_millis(50);
    let Some((env, namespaces)) = cert_file_client("cert-files-recheck", dir.path(), recheck).await
    else {
        return;
    };
    let server = env.server().unwrap();
    namespaces
        .get("default", &GetOptions::default())
        .await
        .unwrap();

    // Half-written or missing files keep the current certificate, which the server
    // still accepts.
    let (cert, _) = server.client_identity_pem().unwrap();
    std::fs::write(dir.path().join("tls.crt"), &cert[..cert.len() / 2]).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    namespaces
        .get("default", &GetOptions::default())
        .await
        .unwrap();
    std::fs::remove_file(dir.path().join("tls.key")).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    namespaces
        .get("default", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(statuses(server), [200, 200, 200]);

    // The rotation completes, and the server takes only the new pair: the first request
    // after the recheck interval presents it, no 401 first.
    let rotated = server.rotate_client_identity().unwrap().unwrap();
    write_identity(dir.path(), &rotated);
    tokio::time::sleep(Duration::from_millis(100)).await;
    namespaces
        .get("default", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(statuses(server), [200]);
    env.finish().await;
}

#[tokio::test]
async fn watches_beyond_the_servers_stream_limit_leave_requests_going() {
    // The server allows 4 streams per HTTP/2 connection (nginx allows 128): 10 watches and
    // a GET must all be answered, on more connections.
    let builder = TestServer::builder()
        .tls(true)
        .token("s3cret")
        .http2_max_concurrent_streams(4);
    let Some(env) = TestEnv::with_server("stream-limit", &[Needs::OwnServer], builder).await else {
        return;
    };
    let server = env.server().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    server.write_kubeconfig(&path).unwrap();
    let mut config = Config::from_kubeconfig_file(&path, Overrides::default()).unwrap();
    config.max_streams_per_connection = 4;
    let client = Client::new(config).unwrap();
    let cms = ResourceClient::<ConfigMap>::namespaced(client.clone(), &env.namespace);
    let mut watches = Vec::new();
    for i in 0..10 {
        let opened = tokio::time::timeout(Duration::from_secs(10), cms.watch(&mine_only()))
            .await
            .unwrap_or_else(|_| panic!("watch {i} was never answered"))
            .unwrap();
        watches.push(opened);
    }
    let ns = tokio::time::timeout(
        Duration::from_secs(10),
        ResourceClient::<Namespace>::cluster(client).get("kube-system", &GetOptions::default()),
    )
    .await
    .expect("a GET behind 10 watches was never answered")
    .unwrap();
    assert_eq!(ns.metadata.name.as_deref(), Some("kube-system"));
    // Every watch is live: each sees the object created now.
    cms.create(&CreateOptions::default(), &cm("seen", "1"))
        .await
        .unwrap();
    for (i, w) in watches.iter_mut().enumerate() {
        match tokio::time::timeout(Duration::from_secs(10), w.try_next()).await {
            Ok(Ok(Some(WatchEvent::Added(_)))) => {}
            other => panic!("watch {i}: {other:?}"),
        }
    }
    env.finish().await;
}

#[tokio::test]
async fn metadata_only_reads() {
    use kubegen_runtime::meta::PartialObjectMetadata;
    let env = TestEnv::start("metadata-only").await;
    let client = env.client.clone();
    let cms = ResourceClient::<ConfigMap>::namespaced(client.clone(), &env.namespace);
    cms.create(&CreateOptions::default(), &cm("meta", "big value"))
        .await
        .unwrap();
    let metas =
        ResourceClient::<PartialObjectMetadata<ConfigMap>>::namespaced(client, &env.namespace);
    let one = metas.get("meta", &GetOptions::default()).await.unwrap();
    assert_eq!(one.kind.as_deref(), Some("PartialObjectMetadata"));
    assert_eq!(one.metadata.name.as_deref(), Some("meta"));
    let list = metas.list(&mine_only()).await.unwrap();
    assert_eq!(list.kind.as_deref(), Some("PartialObjectMetadataList"));
    assert_eq!(list.items.len(), 1);
    let mut watch = metas
        .watch(&ListOptions {
            resource_version: Some("0".into()),
            ..mine_only()
        })
        .await
        .unwrap();
    match watch.try_next().await.unwrap() {
        Some(WatchEvent::Added(p)) => {
            assert_eq!(p.kind.as_deref(), Some("PartialObjectMetadata"));
            assert_eq!(p.metadata.name.as_deref(), Some("meta"));
        }
        other => panic!("{other:?}"),
    }
    env.finish().await;
}

/// kube-apiserver gzips whole answers of 128 KiB or more when asked to (`Accept-Encoding:
/// gzip`), never small ones; the client decodes them as they stream in.
#[tokio::test]
async fn large_answers_come_gzip_encoded_when_compression_is_on() {
    let env = TestEnv::start("gzip").await;
    let identity = env.client_with(|c| c.compression = false);
    let cms = ResourceClient::<ConfigMap>::namespaced(identity.clone(), &env.namespace);
    // 40 objects of about 4.5 KB each: a list of about 180 KB.
    for i in 0..40 {
        let value: String = (0..4500)
            .map(|j| char::from(b'a' + ((i * 7 + j) % 26) as u8))
            .collect();
        cms.create(&CreateOptions::default(), &cm(&format!("z{i:02}"), &value))
            .await
            .unwrap();
    }
    assert!(
        Config::new("https://x".parse().unwrap()).compression,
        "on by default"
    );
    let gzip = env.client_with(|c| c.compression = true);
    let zipped = ResourceClient::<ConfigMap>::namespaced(gzip.clone(), &env.namespace);
    let names = |list: kubegen_runtime::meta::List<ConfigMap>| -> Vec<(String, String)> {
        list.items
            .into_iter()
            .map(|c| {
                let data = c.data.unwrap_or_default().remove("k").unwrap_or_default();
                (c.metadata.name.unwrap_or_default().to_string(), data)
            })
            .collect()
    };
    let plain = names(cms.list(&mine_only()).await.unwrap());
    assert_eq!(plain.len(), 40);
    assert_eq!(names(zipped.list(&mine_only()).await.unwrap()), plain);

    let path = format!("/api/v1/namespaces/{}/configmaps", env.namespace);
    let raw_list = |client: &Client| client.get().abs_path(&path).query(mine_only()).send();
    let list = raw_list(&gzip).await.unwrap();
    assert!(list.decompressed(), "a list of 180 KB comes gzip-encoded");
    assert!(list.headers().get("content-encoding").is_none());
    let body = list.bytes().await.unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(parsed["items"].as_array().map(Vec::len), Some(40));

    let one = gzip
        .get()
        .abs_path(&format!("{path}/z00"))
        .send()
        .await
        .unwrap();
    assert!(!one.decompressed(), "a small answer is sent as it is");
    let plain_list = raw_list(&identity).await.unwrap();
    assert!(
        !plain_list.decompressed(),
        "without compression nothing is gzip-encoded"
    );
    env.finish().await;
}
