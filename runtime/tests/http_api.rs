//! REST behaviour over real HTTP: typed errors, retries, rate limiting, headers, patches,
//! deletes, a 10,000-event watch and a 5,000-object paged list.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use futures::{StreamExt, TryStreamExt};
use kubegen_runtime::config::{Config, Impersonate, RateLimit, RetryPolicy};
use kubegen_runtime::meta::{DeleteOptions, ObjectMeta};
use kubegen_runtime::rest::{
    Client, CreateOptions, Error, GetOptions, ListOptions, ObjectOrStatus, Patch, PatchOptions,
    ResourceClient, UpdateOptions, WatchEvent,
};
use support::{serve_http, status_json, ConfigMap, Namespace};

fn client(url: &str) -> Client {
    let mut c = Config::new(url.parse().unwrap());
    c.rate_limit = None;
    c.retry = RetryPolicy {
        initial_backoff: Duration::from_millis(10),
        ..RetryPolicy::default()
    };
    Client::new(c).unwrap()
}

fn json(code: StatusCode, body: String) -> Response {
    (code, [("content-type", "application/json")], body).into_response()
}

#[tokio::test]
async fn status_errors_are_typed() {
    let app = Router::new().route(
        "/api/v1/namespaces/default/configmaps/{name}",
        any(
            |axum::extract::Path(name): axum::extract::Path<String>| async move {
                match name.as_str() {
                    "missing" => json(
                        StatusCode::NOT_FOUND,
                        status_json(404, "NotFound", "configmaps \"missing\" not found"),
                    ),
                    "conflict" => json(
                        StatusCode::CONFLICT,
                        status_json(409, "Conflict", "the object has been modified"),
                    ),
                    "forbidden" => json(StatusCode::FORBIDDEN, status_json(403, "Forbidden", "no")),
                    "invalid" => json(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        status_json(422, "Invalid", "bad name"),
                    ),
                    "html" => (StatusCode::BAD_GATEWAY, "<html>proxy error</html>").into_response(),
                    _ => json(StatusCode::OK, "{not json".into()),
                }
            },
        ),
    );
    let server = serve_http(app).await;
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    let get = |n: &'static str| {
        let cms = cms.clone();
        async move { cms.get(n, &GetOptions::default()).await.unwrap_err() }
    };
    let e = get("missing").await;
    assert!(e.is_not_found() && !e.is_conflict(), "{e}");
    assert_eq!(e.api().unwrap().code, 404);
    assert!(
        e.to_string().contains("configmaps \"missing\" not found"),
        "{e}"
    );
    assert!(get("conflict").await.is_conflict());
    assert!(get("forbidden").await.is_forbidden());
    assert!(get("invalid").await.is_invalid());
    let e = get("html").await;
    assert_eq!(e.api().unwrap().code, 502);
    assert_eq!(e.api().unwrap().message(), "<html>proxy error</html>");
    let e = get("garbage").await;
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("ConfigMap"), "{e}");
}

/// Answers 429 with Retry-After the first `fail` times, then 200; counts hits.
fn flaky(
    code: StatusCode,
    fail: usize,
    retry_after: Option<&'static str>,
    hits: Arc<AtomicUsize>,
) -> Router {
    Router::new().route(
        "/api/v1/namespaces/default/configmaps",
        any(move |body: Bytes| {
            let hits = hits.clone();
            async move {
                let n = hits.fetch_add(1, Ordering::SeqCst);
                if n < fail {
                    let mut resp = json(code, status_json(code.as_u16(), "", "try later"));
                    if let Some(ra) = retry_after {
                        resp.headers_mut()
                            .insert("retry-after", ra.parse().unwrap());
                    }
                    return resp;
                }
                let cm = if body.is_empty() {
                    serde_json::json!({"kind": "ConfigMapList", "metadata": {}, "items": []})
                        .to_string()
                } else {
                    String::from_utf8(body.to_vec()).unwrap()
                };
                json(StatusCode::OK, cm)
            }
        }),
    )
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_http(flaky(
        StatusCode::TOO_MANY_REQUESTS,
        1,
        Some("1"),
        hits.clone(),
    ))
    .await;
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    let start = Instant::now();
    // 429 means "not processed": even a create is retried.
    cms.create(&CreateOptions::default(), &ConfigMap::named("x"))
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retries_are_bounded() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_http(flaky(
        StatusCode::TOO_MANY_REQUESTS,
        100,
        Some("0"),
        hits.clone(),
    ))
    .await;
    let mut c = Config::new(server.url().parse().unwrap());
    c.rate_limit = None;
    c.retry.max_retries = 3;
    let cms = ResourceClient::<ConfigMap>::namespaced(Client::new(c).unwrap(), "default");
    let e = cms.list(&ListOptions::default()).await.unwrap_err();
    assert!(e.is_too_many_requests(), "{e}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        4,
        "first try and three retries"
    );
}

#[tokio::test]
async fn server_errors_retry_only_safe_verbs() {
    // 500 + Retry-After: a GET is retried ...
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_http(flaky(
        StatusCode::INTERNAL_SERVER_ERROR,
        1,
        Some("0"),
        hits.clone(),
    ))
    .await;
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    cms.list(&ListOptions::default()).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // ... a POST, which the server may have acted on, is not.
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_http(flaky(
        StatusCode::INTERNAL_SERVER_ERROR,
        1,
        Some("0"),
        hits.clone(),
    ))
    .await;
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    let e = cms
        .create(&CreateOptions::default(), &ConfigMap::named("x"))
        .await
        .unwrap_err();
    assert!(e.is_internal_error(), "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // Without Retry-After nothing is retried.
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_http(flaky(
        StatusCode::SERVICE_UNAVAILABLE,
        1,
        None,
        hits.clone(),
    ))
    .await;
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    assert!(cms
        .list(&ListOptions::default())
        .await
        .unwrap_err()
        .is_service_unavailable());
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_after_bounded_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let start = Instant::now();
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&format!("http://{addr}")), "default");
    let e = cms.list(&ListOptions::default()).await.unwrap_err();
    assert!(e.is_transport(), "{e:?}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn rate_limit_is_shared_by_clones() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = serve_http(flaky(StatusCode::OK, 0, None, hits.clone())).await;
    let mut c = Config::new(server.url().parse().unwrap());
    c.rate_limit = Some(RateLimit {
        qps: 20.0,
        burst: 2,
    });
    let client = Client::new(c).unwrap();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let cms = ResourceClient::<ConfigMap>::namespaced(client.clone(), "default");
        tasks.push(tokio::spawn(async move {
            cms.list(&ListOptions::default()).await.unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // 2 immediately, 6 more at 20/s: at least 0.3 s.
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(280), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 8);
}

/// One request as the server saw it.
type Seen = (Method, String, HeaderMap, Bytes);

#[tokio::test]
async fn headers_query_and_patch_content_types() {
    let seen: Arc<Mutex<Vec<Seen>>> = Default::default();
    let s = seen.clone();
    let app = Router::new().fallback(any(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let s = s.clone();
            async move {
                s.lock()
                    .unwrap()
                    .push((method, uri.to_string(), headers, body));
                json(
                    StatusCode::OK,
                    serde_json::to_string(&ConfigMap::named("p")).unwrap(),
                )
            }
        },
    ));
    let server = serve_http(app).await;
    let mut c = Config::new(server.url().parse().unwrap());
    c.rate_limit = None;
    c.user_agent = "kubegen-test/1".into();
    c.impersonate = Some(Impersonate {
        user: "jane".into(),
        uid: None,
        groups: vec!["devs".into(), "ops".into()],
        extra: BTreeMap::new(),
    });
    let cms = ResourceClient::<ConfigMap>::namespaced(Client::new(c).unwrap(), "team-a");
    let patch_body = serde_json::json!({"data": {"k": "v"}});
    let patches = [
        (
            Patch::Merge(patch_body.clone()),
            "application/merge-patch+json",
        ),
        (
            Patch::Strategic(patch_body.clone()),
            "application/strategic-merge-patch+json",
        ),
        (
            Patch::Json(serde_json::json!([{"op": "add", "path": "/data/k", "value": "v"}])),
            "application/json-patch+json",
        ),
        (
            Patch::Apply(patch_body.clone()),
            "application/apply-patch+yaml",
        ),
    ];
    for (patch, _) in &patches {
        let opts = if patch.is_apply() {
            PatchOptions::apply("kubegen").force()
        } else {
            PatchOptions::default()
        };
        cms.patch("p", &opts, patch).await.unwrap();
    }
    // Apply without a field manager fails before anything is sent.
    let e = cms
        .patch("p", &PatchOptions::default(), &patches[3].0)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
    cms.update(
        &UpdateOptions {
            dry_run: true,
            field_manager: Some("m".into()),
            ..Default::default()
        },
        &ConfigMap::named("p"),
    )
    .await
    .unwrap();
    cms.get_subresource::<ConfigMap>(
        "p",
        "status",
        &GetOptions {
            resource_version: Some("0".into()),
        },
    )
    .await
    .unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 6);
    for (i, (_, ct)) in patches.iter().enumerate() {
        let (method, uri, headers, body) = &seen[i];
        assert_eq!(method, Method::PATCH);
        assert_eq!(headers["content-type"], *ct);
        assert_eq!(headers["user-agent"], "kubegen-test/1");
        assert_eq!(headers["impersonate-user"], "jane");
        assert_eq!(headers.get_all("impersonate-group").iter().count(), 2);
        assert!(
            uri.starts_with("/api/v1/namespaces/team-a/configmaps/p"),
            "{uri}"
        );
        assert!(!body.is_empty());
    }
    assert_eq!(
        seen[3].1,
        "/api/v1/namespaces/team-a/configmaps/p?fieldManager=kubegen&force=true"
    );
    assert_eq!(seen[4].0, Method::PUT);
    assert_eq!(
        seen[4].1,
        "/api/v1/namespaces/team-a/configmaps/p?dryRun=All&fieldManager=m"
    );
    assert_eq!(
        seen[5].1,
        "/api/v1/namespaces/team-a/configmaps/p/status?resourceVersion=0"
    );
}

#[tokio::test]
async fn delete_returns_object_or_status() {
    let app = Router::new()
        .route(
            "/api/v1/namespaces/default/configmaps/{name}",
            any(|axum::extract::Path(name): axum::extract::Path<String>, body: Bytes| async move {
                let opts: DeleteOptions = serde_json::from_slice(&body).unwrap();
                assert_eq!(opts.propagation_policy.as_deref(), Some("Foreground"));
                if name == "gone" {
                    json(StatusCode::OK, serde_json::json!({
                        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                        "details": {"name": "gone", "kind": "configmaps", "uid": "u"}
                    }).to_string())
                } else {
                    let mut cm = ConfigMap::named(&name);
                    cm.metadata.finalizers = Some(vec!["f".into()]);
                    json(StatusCode::OK, serde_json::to_string(&cm).unwrap())
                }
            }),
        )
        .route(
            "/api/v1/namespaces/default/configmaps",
            any(|Query(q): Query<BTreeMap<String, String>>| async move {
                assert_eq!(q.get("labelSelector").map(String::as_str), Some("app=x"));
                json(StatusCode::OK, serde_json::json!({"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {}, "items": [ConfigMap::named("a")]}).to_string())
            }),
        );
    let server = serve_http(app).await;
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    let opts = DeleteOptions {
        propagation_policy: Some("Foreground".into()),
        ..Default::default()
    };
    match cms.delete("gone", &opts).await.unwrap() {
        ObjectOrStatus::Status(s) => assert_eq!(s.status.as_deref(), Some("Success")),
        other => panic!("{other:?}"),
    }
    match cms.delete("kept", &opts).await.unwrap() {
        ObjectOrStatus::Object(cm) => assert_eq!(cm.metadata.finalizers.unwrap(), ["f"]),
        other => panic!("{other:?}"),
    }
    let list = cms
        .delete_collection(&ListOptions::labels("app=x"), &opts)
        .await
        .unwrap();
    assert_eq!(list.object().unwrap().items.len(), 1);
}

#[tokio::test]
async fn scope_is_checked_before_sending() {
    let c = client("http://127.0.0.1:9");
    let e = ResourceClient::<ConfigMap>::all(c.clone())
        .get("x", &GetOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
    let e = ResourceClient::<Namespace>::namespaced(c.clone(), "ns")
        .get("x", &GetOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
    let e = ResourceClient::<ConfigMap>::namespaced(c, "ns")
        .update(&UpdateOptions::default(), &ConfigMap::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("metadata.name"), "{e}");
}

const WATCH_EVENTS: usize = 10_000;

/// Streams 10,000 ADDED events and a bookmark in odd-sized chunks that split lines.
async fn watch_handler(Query(q): Query<BTreeMap<String, String>>) -> Response {
    assert_eq!(q.get("watch").map(String::as_str), Some("true"));
    assert_eq!(q.get("resourceVersion").map(String::as_str), Some("100"));
    let mut all = Vec::new();
    for i in 0..WATCH_EVENTS {
        let mut cm = ConfigMap::named(&format!("cm-{i}"));
        cm.metadata.resource_version = Some((101 + i).to_string().into());
        cm.data = Some([("k".to_string(), "v".repeat(i % 300))].into());
        all.extend_from_slice(
            format!(
                "{{\"type\":\"ADDED\",\"object\":{}}}\n",
                serde_json::to_string(&cm).unwrap()
            )
            .as_bytes(),
        );
    }
    all.extend_from_slice(br#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"20000"}}}"#);
    all.push(b'\n');
    all.extend_from_slice(br#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The resourceVersion for the provided watch is too old.","reason":"Expired","code":410}}"#);
    all.push(b'\n');
    let chunks: Vec<Result<Bytes, std::io::Error>> = all
        .chunks(7919)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let stream = futures::stream::iter(chunks).then(|c| async move {
        tokio::task::yield_now().await;
        c
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from_stream(stream))
        .unwrap()
}

#[tokio::test]
async fn watch_streams_ten_thousand_events() {
    let app = Router::new().route("/api/v1/namespaces/default/configmaps", get(watch_handler));
    let server = serve_http(app).await;
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    let opts = ListOptions {
        resource_version: Some("100".into()),
        allow_watch_bookmarks: true,
        ..Default::default()
    };
    let mut stream = cms.watch(&opts).await.unwrap();
    let mut added = 0;
    let mut last_rv = String::new();
    let mut gone = false;
    while let Some(event) = stream.try_next().await.unwrap() {
        match &event {
            WatchEvent::Added(cm) => {
                assert_eq!(
                    cm.metadata.name.as_deref(),
                    Some(format!("cm-{added}").as_str())
                );
                added += 1;
            }
            WatchEvent::Bookmark(b) => last_rv = b.resource_version.clone(),
            WatchEvent::Error(e) => gone = e.is_gone(),
            other => panic!("{other:?}"),
        }
        if let Some(rv) = event.resource_version() {
            last_rv = rv.to_owned();
        }
    }
    assert_eq!(added, WATCH_EVENTS);
    assert_eq!(last_rv, "20000");
    assert!(gone, "the ERROR 410 event must arrive as a gone error");
}

const LIST_OBJECTS: usize = 5_000;

/// Serves 5,000 objects in pages by `limit` and an index-based `continue` token.
async fn list_handler(
    State(pages): State<Arc<AtomicUsize>>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    pages.fetch_add(1, Ordering::SeqCst);
    let limit: usize = q
        .get("limit")
        .map(|l| l.parse().unwrap())
        .unwrap_or(LIST_OBJECTS);
    let start: usize = match q.get("continue") {
        Some(c) => {
            assert!(
                !q.contains_key("resourceVersion"),
                "continue must not repeat resourceVersion"
            );
            c.strip_prefix("idx-").unwrap().parse().unwrap()
        }
        None => 0,
    };
    let end = (start + limit).min(LIST_OBJECTS);
    let items: Vec<ConfigMap> = (start..end)
        .map(|i| ConfigMap {
            metadata: ObjectMeta {
                name: Some(format!("cm-{i}").into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .collect();
    let mut meta = serde_json::json!({"resourceVersion": "777"});
    if end < LIST_OBJECTS {
        meta["continue"] = format!("idx-{end}").into();
        meta["remainingItemCount"] = (LIST_OBJECTS - end).into();
    }
    json(StatusCode::OK, serde_json::json!({"kind": "ConfigMapList", "apiVersion": "v1", "metadata": meta, "items": items}).to_string())
}

#[tokio::test]
async fn paged_list_of_five_thousand() {
    let pages = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/api/v1/configmaps", get(list_handler))
        .with_state(pages.clone());
    let server = serve_http(app).await;
    let cms = ResourceClient::<ConfigMap>::all(client(&server.url()));

    let opts = ListOptions {
        limit: Some(500),
        resource_version: Some("0".into()),
        ..Default::default()
    };
    let all = cms.list_all(&opts).await.unwrap();
    assert_eq!(all.items.len(), LIST_OBJECTS);
    assert_eq!(pages.load(Ordering::SeqCst), 10);
    assert_eq!(all.metadata.resource_version.as_deref(), Some("777"));
    assert_eq!(all.metadata.continue_, None);
    for (i, cm) in all.items.iter().enumerate() {
        assert_eq!(
            cm.metadata.name.as_deref(),
            Some(format!("cm-{i}").as_str())
        );
    }

    // As a stream of items, default page size (500).
    let names: Vec<String> = cms
        .list_stream(&ListOptions::default())
        .map_ok(|cm| cm.metadata.name.unwrap().to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), LIST_OBJECTS);
    assert_eq!(names[4999], "cm-4999");

    // Page by page, with a page size that does not divide 5,000.
    let sizes: Vec<usize> = cms
        .list_pages(&ListOptions {
            limit: Some(1200),
            ..Default::default()
        })
        .map_ok(|p| p.items.len())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sizes, [1200, 1200, 1200, 1200, 200]);
}

#[tokio::test]
async fn expired_continue_falls_back_to_a_full_list() {
    let app = Router::new().route(
        "/api/v1/configmaps",
        get(|Query(q): Query<BTreeMap<String, String>>| async move {
            if q.contains_key("continue") {
                return json(
                    StatusCode::GONE,
                    status_json(410, "Expired", "The provided continue parameter is too old"),
                );
            }
            let n = if q.contains_key("limit") { 2 } else { 7 };
            let items: Vec<ConfigMap> =
                (0..n).map(|i| ConfigMap::named(&format!("c{i}"))).collect();
            let meta = if n == 2 {
                serde_json::json!({"resourceVersion": "5", "continue": "tok"})
            } else {
                serde_json::json!({"resourceVersion": "9"})
            };
            json(
                StatusCode::OK,
                serde_json::json!({"kind": "ConfigMapList", "metadata": meta, "items": items})
                    .to_string(),
            )
        }),
    );
    let server = serve_http(app).await;
    let cms = ResourceClient::<ConfigMap>::all(client(&server.url()));
    let all = cms
        .list_all(&ListOptions {
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 7);
    assert_eq!(all.metadata.resource_version.as_deref(), Some("9"));
    // The stream form cannot take back items it gave: it reports the error.
    let e = cms
        .list_stream(&ListOptions {
            limit: Some(2),
            ..Default::default()
        })
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(e.is_gone(), "{e}");
}

/// A `tracing` writer collecting output in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn warning_headers_are_logged() {
    let app = Router::new().fallback(any(|| async {
        let mut resp = json(
            StatusCode::CREATED,
            serde_json::to_string(&ConfigMap::named("w")).unwrap(),
        );
        resp.headers_mut().insert(
            "warning",
            r#"299 - "unknown field \"bogus\"""#.parse().unwrap(),
        );
        resp
    }));
    let server = serve_http(app).await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::WARN)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let cms = ResourceClient::<ConfigMap>::namespaced(client(&server.url()), "default");
    cms.create(&CreateOptions::default(), &ConfigMap::named("w"))
        .await
        .unwrap();
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains(r#"server warning: unknown field "bogus""#),
        "{logs}"
    );
}

#[tokio::test]
async fn raw_requests_and_streams() {
    let app = Router::new()
        .route(
            "/version",
            get(|| async {
                json(
                    StatusCode::OK,
                    r#"{"major":"1","minor":"36","gitVersion":"v1.36.3"}"#.into(),
                )
            }),
        )
        .route(
            "/api/v1/namespaces/default/pods/{name}/log",
            get(|Query(q): Query<BTreeMap<String, String>>| async move {
                assert_eq!(q.get("follow").map(String::as_str), Some("true"));
                let lines = futures::stream::iter(
                    (0..100).map(|i| Ok::<_, std::io::Error>(Bytes::from(format!("line {i}\n")))),
                );
                Response::new(Body::from_stream(lines))
            }),
        );
    let server = serve_http(app).await;
    let c = client(&server.url());
    let info: kubegen_runtime::meta::Info = c.get().abs_path("/version").json().await.unwrap();
    assert_eq!(info.git_version, "v1.36.3");
    let stream = c
        .get()
        .namespace("default")
        .resource("pods")
        .name("p")
        .subresource("log")
        .param("follow", true)
        .stream()
        .await
        .unwrap();
    let body: Vec<Bytes> = stream.try_collect().await.unwrap();
    let text = String::from_utf8(body.concat()).unwrap();
    assert_eq!(text.lines().count(), 100);
}
