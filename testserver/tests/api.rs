//! The test server's semantics over plain HTTP with reqwest: every verb, the watch and
//! list protocol, subresources, CRDs, security, faults, and the error cases.

use std::time::Duration;

use kubegen_testserver::{ErrorKind, TestServer, WatchDrop};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

struct T {
    server: TestServer,
    client: Client,
}

impl T {
    async fn new() -> Self {
        Self {
            server: TestServer::start().await.unwrap(),
            client: Client::new(),
        }
    }

    async fn req(
        &self,
        method: Method,
        path: &str,
        ct: Option<&str>,
        body: Option<String>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .client
            .request(method, format!("{}{path}", self.server.base_url()));
        if let Some(ct) = ct {
            rb = rb.header("Content-Type", ct);
        }
        if let Some(b) = body {
            rb = rb.body(b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.req(Method::GET, path, None, None).await
    }
    async fn post(&self, path: &str, v: Value) -> (StatusCode, Value) {
        self.req(
            Method::POST,
            path,
            Some("application/json"),
            Some(v.to_string()),
        )
        .await
    }
    async fn put(&self, path: &str, v: Value) -> (StatusCode, Value) {
        self.req(
            Method::PUT,
            path,
            Some("application/json"),
            Some(v.to_string()),
        )
        .await
    }
    async fn patch(&self, path: &str, ct: &str, body: &str) -> (StatusCode, Value) {
        self.req(Method::PATCH, path, Some(ct), Some(body.to_string()))
            .await
    }
    async fn delete(&self, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.req(
            Method::DELETE,
            path,
            Some("application/json"),
            body.map(|b| b.to_string()),
        )
        .await
    }
    async fn cm(&self, name: &str, labels: Value) -> Value {
        let (s, v) = self
            .post(
                "/api/v1/namespaces/default/configmaps",
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v
    }
    async fn watch_lines(&self, path: &str) -> Vec<Value> {
        let text = self
            .client
            .get(format!("{}{path}", self.server.base_url()))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn rv(v: &Value) -> String {
    v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string()
}

const CM: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn crud_and_optimistic_concurrency() {
    let t = T::new().await;
    let a = t.cm("a", json!({})).await;
    assert!(a["metadata"]["uid"].is_string());
    assert!(a["metadata"]["creationTimestamp"].is_string());
    let (s, dup) = t
        .post(
            CM,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
        )
        .await;
    assert_eq!(
        (s.as_u16(), dup["reason"].as_str()),
        (409, Some("AlreadyExists"))
    );
    let (s, got) = t.get(&format!("{CM}/a")).await;
    assert_eq!(s, 200);
    assert_eq!(got["kind"], "ConfigMap");
    let mut upd = got.clone();
    upd["data"]["k"] = json!("v2");
    let (s, updated) = t.put(&format!("{CM}/a"), upd.clone()).await;
    assert_eq!(s, 200);
    assert!(rv(&updated).parse::<u64>().unwrap() > rv(&got).parse::<u64>().unwrap());
    let (s, stale) = t.put(&format!("{CM}/a"), upd).await;
    assert_eq!(
        (s.as_u16(), stale["reason"].as_str()),
        (409, Some("Conflict"))
    );
    let (s, missing) = t
        .put(
            &format!("{CM}/zz"),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "zz"}}),
        )
        .await;
    assert_eq!(
        (s.as_u16(), missing["reason"].as_str()),
        (404, Some("NotFound"))
    );
    let (s, del) = t.delete(&format!("{CM}/a"), None).await;
    assert_eq!((s.as_u16(), del["status"].as_str()), (200, Some("Success")));
    let (s, _) = t.get(&format!("{CM}/a")).await;
    assert_eq!(s, 404);
    // generateName
    let (s, g) = t
        .post(
            CM,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "gen-"}}),
        )
        .await;
    assert_eq!(s, 201);
    assert!(g["metadata"]["name"].as_str().unwrap().starts_with("gen-"));
    assert_eq!(g["metadata"]["name"].as_str().unwrap().len(), 9);
}

#[tokio::test]
async fn bad_requests_get_real_statuses() {
    let t = T::new().await;
    let (s, v) = t
        .req(
            Method::POST,
            CM,
            Some("application/json"),
            Some("{\"apiVersion\": ".into()),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["reason"].as_str()),
        (400, Some("BadRequest"))
    );
    let (s, v) = t
        .post(
            CM,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("cannot be handled as a ConfigMap"));
    let (s, v) = t
        .post("/api/v1/namespaces/default/widgets", json!({}))
        .await;
    assert_eq!(
        (s.as_u16(), v["message"].as_str()),
        (
            404,
            Some("the server could not find the requested resource")
        )
    );
    let (s, v) = t.get(&format!("{CM}?labelSelector=l%20in%20%28a")).await;
    assert_eq!(
        (s.as_u16(), v["message"].as_str()),
        (
            400,
            Some("unable to parse requirement: found '', expected: ',' or ')'")
        )
    );
    let (s, _) = t.get(&format!("{CM}?fieldSelector=data.k%3Dv")).await;
    assert_eq!(s, 400);
    let (s, v) = t.get(&format!("{CM}?resourceVersionMatch=Exact")).await;
    assert_eq!((s.as_u16(), v["reason"].as_str()), (422, Some("Invalid")));
    let (s, v) = t
        .post(
            CM,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["details"]["causes"][0]["field"].as_str()),
        (422, Some("metadata.name"))
    );
    let (s, v) = t
        .post(
            "/api/v1/namespaces/nope/configmaps",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["details"]["kind"].as_str()),
        (404, Some("namespaces"))
    );
    let (s, _) = t.post(CM, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "other"}})).await;
    assert_eq!(s, 400);
    let (s, _) = t
        .req(
            Method::PUT,
            "/api/v1/componentstatuses/x",
            Some("application/json"),
            Some("{}".into()),
        )
        .await;
    assert_eq!(s, 405);
    // the server survives all of that
    assert_eq!(t.get("/version").await.0, 200);
}

#[tokio::test]
async fn patches_of_every_type() {
    let t = T::new().await;
    t.cm("p", json!({})).await;
    let path = format!("{CM}/p");
    let (s, v) = t
        .patch(
            &path,
            "application/merge-patch+json",
            r#"{"data":{"m":"1"}}"#,
        )
        .await;
    assert_eq!((s.as_u16(), v["data"]["m"].as_str()), (200, Some("1")));
    let (s, v) = t
        .patch(
            &path,
            "application/json-patch+json",
            r#"[{"op":"add","path":"/data/j","value":"2"}]"#,
        )
        .await;
    assert_eq!((s.as_u16(), v["data"]["j"].as_str()), (200, Some("2")));
    let (s, v) = t
        .patch(
            &path,
            "application/json-patch+json",
            r#"[{"op":"test","path":"/data/j","value":"no"}]"#,
        )
        .await;
    assert_eq!((s.as_u16(), v["reason"].as_str()), (422, Some("Invalid")));
    let (s, v) = t
        .patch(
            &path,
            "application/strategic-merge-patch+json",
            r#"{"data":{"s":"3"}}"#,
        )
        .await;
    assert_eq!((s.as_u16(), v["data"]["s"].as_str()), (200, Some("3")));
    let (s, _) = t
        .patch(
            &format!("{CM}/missing"),
            "application/merge-patch+json",
            "{}",
        )
        .await;
    assert_eq!(s, 404);
    // server-side apply: create, conflict, force, missing fieldManager
    let cfg = |owner: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  owner: {owner}\n")
    };
    let (s, v) = t
        .patch(
            &format!("{CM}/applied?fieldManager=one"),
            "application/apply-patch+yaml",
            &cfg("one"),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["metadata"]["managedFields"][0]["operation"], "Apply");
    let (s, v) = t
        .patch(
            &format!("{CM}/applied?fieldManager=two"),
            "application/apply-patch+yaml",
            &cfg("two"),
        )
        .await;
    assert_eq!(s, 409);
    assert_eq!(
        v["message"],
        "Apply failed with 1 conflict: conflict with \"one\": .data.owner"
    );
    assert_eq!(v["details"]["causes"][0]["reason"], "FieldManagerConflict");
    let (s, v) = t
        .patch(
            &format!("{CM}/applied?fieldManager=two&force=true"),
            "application/apply-patch+yaml",
            &cfg("two"),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["data"]["owner"].as_str()),
        (200, Some("two"))
    );
    let (s, v) = t
        .patch(
            &format!("{CM}/applied"),
            "application/apply-patch+yaml",
            &cfg("x"),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["details"]["causes"][0]["field"].as_str()),
        (422, Some("fieldManager"))
    );
}

#[tokio::test]
async fn finalizers_preconditions_and_deletecollection() {
    let t = T::new().await;
    let (s, _) = t.post(CM, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fin", "finalizers": ["example.com/f"]}})).await;
    assert_eq!(s, 201);
    let (s, v) = t.delete(&format!("{CM}/fin"), None).await;
    assert_eq!(s, 200);
    assert!(v["metadata"]["deletionTimestamp"].is_string());
    let (s, v) = t.get(&format!("{CM}/fin")).await;
    assert_eq!(s, 200);
    assert!(v["metadata"]["deletionTimestamp"].is_string());
    let (s, _) = t
        .patch(
            &format!("{CM}/fin"),
            "application/merge-patch+json",
            r#"{"metadata":{"finalizers":null}}"#,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(t.get(&format!("{CM}/fin")).await.0, 404);
    t.cm("pre", json!({})).await;
    let (s, v) = t
        .delete(
            &format!("{CM}/pre"),
            Some(json!({"preconditions": {"resourceVersion": "1"}})),
        )
        .await;
    assert_eq!((s.as_u16(), v["reason"].as_str()), (409, Some("Conflict")));
    let (s, _) = t
        .delete(
            &format!("{CM}/pre"),
            Some(json!({"preconditions": {"uid": "nope"}})),
        )
        .await;
    assert_eq!(s, 409);
    for i in 0..3 {
        t.cm(&format!("dc{i}"), json!({"dc": "y"})).await;
    }
    let (s, v) = t.delete(&format!("{CM}?labelSelector=dc"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let (_, v) = t.get(&format!("{CM}?labelSelector=dc")).await;
    assert!(v["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn list_selectors_paging_and_resource_versions() {
    let t = T::new().await;
    for (i, l) in ["a", "b", "c", "d"].iter().enumerate() {
        t.cm(&format!("l{i}"), json!({"l": l})).await;
    }
    t.cm("other", json!({"x": "1"})).await;
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, v) = t.get(&format!("{CM}?labelSelector=l%20in%20(a,b)")).await;
    assert_eq!(names(&v), ["l0", "l1"]);
    let (_, v) = t.get(&format!("{CM}?labelSelector=l%20notin%20(a)")).await;
    assert_eq!(names(&v), ["l1", "l2", "l3", "other"]);
    let (_, v) = t.get(&format!("{CM}?labelSelector=!l")).await;
    assert_eq!(names(&v), ["other"]);
    let (_, v) = t.get(&format!("{CM}?labelSelector=l%3Dc")).await;
    assert_eq!(names(&v), ["l2"]);
    let (_, v) = t
        .get(&format!("{CM}?fieldSelector=metadata.name%3Dl1"))
        .await;
    assert_eq!(names(&v), ["l1"]);
    let (_, v) = t.get("/api/v1/configmaps?labelSelector=l").await;
    assert_eq!(names(&v).len(), 4);
    // paging
    let (_, p1) = t.get(&format!("{CM}?limit=2")).await;
    assert_eq!(names(&p1), ["l0", "l1"]);
    assert_eq!(p1["metadata"]["remainingItemCount"], 3);
    let c = p1["metadata"]["continue"].as_str().unwrap();
    t.cm("zz-after-page1", json!({})).await; // not visible: the continuation is consistent
    let (_, p2) = t.get(&format!("{CM}?limit=10&continue={c}")).await;
    assert_eq!(names(&p2), ["l2", "l3", "other"]);
    assert!(p2["metadata"].get("continue").is_none());
    // rv=0 ignores limit; Exact reads the past
    let (_, all) = t.get(&format!("{CM}?limit=1&resourceVersion=0")).await;
    assert_eq!(names(&all).len(), 6);
    let list_rv = rv(&p1);
    let (s, past) = t
        .get(&format!(
            "{CM}?resourceVersion={list_rv}&resourceVersionMatch=Exact"
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(names(&past).len(), 5);
    let (s, v) = t.get(&format!("{CM}?resourceVersion=999999")).await;
    assert_eq!((s.as_u16(), v["reason"].as_str()), (504, Some("Timeout")));
    // compaction: continue and Exact become 410
    t.server.compact();
    let (s, v) = t.get(&format!("{CM}?limit=2&continue={c}")).await;
    assert_eq!((s.as_u16(), v["reason"].as_str()), (410, Some("Expired")));
    assert!(v["metadata"]["continue"].is_string());
    let (s, _) = t
        .get(&format!(
            "{CM}?resourceVersion={list_rv}&resourceVersionMatch=Exact"
        ))
        .await;
    assert_eq!(s, 410);
    // metadata-only and table
    let r = t
        .client
        .get(format!("{}{CM}", t.server.base_url()))
        .header(
            "Accept",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        )
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(r["kind"], "PartialObjectMetadataList");
    assert!(r["items"][0].get("data").is_none());
    let r = t
        .client
        .get(format!("{}{CM}", t.server.base_url()))
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(r["kind"], "Table");
    assert_eq!(r["rows"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn watch_protocol() {
    let t = T::new().await;
    t.cm("w0", json!({"w": "x"})).await;
    let start = rv(&t.get(CM).await.1);
    let a = t.cm("w1", json!({"w": "x"})).await;
    t.patch(
        &format!("{CM}/w1"),
        "application/merge-patch+json",
        r#"{"data":{"k":"changed"}}"#,
    )
    .await;
    t.delete(&format!("{CM}/w1"), None).await;
    let ev = t
        .watch_lines(&format!(
            "{CM}?watch=true&resourceVersion={start}&allowWatchBookmarks=true&timeoutSeconds=1"
        ))
        .await;
    let types: Vec<&str> = ev.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(&types[..3], ["ADDED", "MODIFIED", "DELETED"]);
    assert_eq!(ev[0]["object"]["metadata"]["uid"], a["metadata"]["uid"]);
    assert_eq!(types.last(), Some(&"BOOKMARK"));
    // rv=0: current state first
    let ev = t
        .watch_lines(&format!(
            "{CM}?watch=true&resourceVersion=0&timeoutSeconds=1"
        ))
        .await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["object"]["metadata"]["name"], "w0");
    // sendInitialEvents
    let ev = t
        .watch_lines(&format!("{CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1"))
        .await;
    assert_eq!(ev[0]["type"], "ADDED");
    assert_eq!(ev[1]["type"], "BOOKMARK");
    assert_eq!(
        ev[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    // label selector transitions: leaving the selection is a DELETED
    let base = rv(&t.get(CM).await.1);
    t.patch(
        &format!("{CM}/w0"),
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"w":null}}}"#,
    )
    .await;
    let ev = t
        .watch_lines(&format!(
            "{CM}?watch=true&resourceVersion={base}&labelSelector=w&timeoutSeconds=1"
        ))
        .await;
    assert_eq!(ev[0]["type"], "DELETED");
    // compaction → ERROR 410 event
    t.server.compact();
    let ev = t
        .watch_lines(&format!(
            "{CM}?watch=true&resourceVersion={start}&timeoutSeconds=1"
        ))
        .await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["type"], "ERROR");
    assert_eq!(ev[0]["object"]["code"], 410);
    assert_eq!(ev[0]["object"]["reason"], "Expired");
}

#[tokio::test]
async fn live_watch_sees_writes_and_faults_close_it() {
    let t = T::new().await;
    let url = format!(
        "{}{CM}?watch=true&resourceVersion={}",
        t.server.base_url(),
        t.server.resource_version()
    );
    t.server.faults().close_watches_after(Some(2));
    let resp = t.client.get(url).send().await.unwrap();
    let reader = tokio::spawn(async move { resp.text().await.unwrap() });
    for i in 0..3 {
        t.cm(&format!("live{i}"), json!({})).await;
    }
    let text = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
}

/// Reads a body to its end; `true` when the connection failed instead of ending cleanly.
async fn read_to_end(mut resp: reqwest::Response) -> (String, bool) {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => body.extend_from_slice(&c),
            Ok(None) => return (String::from_utf8_lossy(&body).into_owned(), false),
            Err(_) => return (String::from_utf8_lossy(&body).into_owned(), true),
        }
    }
}

#[tokio::test]
async fn watch_drops_mid_line_and_by_connection_reset() {
    for (mode, fails) in [(WatchDrop::MidLine, false), (WatchDrop::Reset, true)] {
        let t = T::new().await;
        t.cm("one", json!({})).await;
        t.cm("two", json!({})).await;
        t.server
            .faults()
            .close_watches_after(Some(2))
            .watch_drop(mode);
        let resp = t
            .client
            .get(format!(
                "{}{CM}?watch=true&resourceVersion=0",
                t.server.base_url()
            ))
            .send()
            .await
            .unwrap();
        let (text, failed) = tokio::time::timeout(Duration::from_secs(5), read_to_end(resp))
            .await
            .unwrap();
        assert_eq!(failed, fails, "{mode:?}: {text}");
        // One whole event, then half of the second without its newline.
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), 2, "{mode:?}: {text}");
        let first: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first["object"]["metadata"]["name"], "one");
        assert!(!lines[1].is_empty(), "{mode:?}: {text}");
        assert!(
            serde_json::from_str::<Value>(lines[1]).is_err(),
            "{mode:?}: {text}"
        );
        // The server goes on serving new connections.
        t.server.faults().clear();
        assert_eq!(t.get(CM).await.0, 200);
    }
}

#[tokio::test]
async fn bookmarks_come_once_a_minute_unless_told_otherwise() {
    let bookmarks = |ev: &[Value]| ev.iter().filter(|e| e["type"] == "BOOKMARK").count();
    let path =
        format!("{CM}?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion=");
    // Default (1 min, as a real server): only the bookmark at the end of timeoutSeconds.
    let t = T::new().await;
    let rv = t.server.resource_version();
    assert_eq!(bookmarks(&t.watch_lines(&format!("{path}{rv}")).await), 1);
    // Zero: no periodic bookmarks, and no panic.
    let server = TestServer::builder()
        .bookmark_interval(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let t = T {
        server,
        client: Client::new(),
    };
    let rv = t.server.resource_version();
    assert_eq!(bookmarks(&t.watch_lines(&format!("{path}{rv}")).await), 1);
    // The knob for tests that need progress markers sooner.
    let server = TestServer::builder()
        .bookmark_interval(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let t = T {
        server,
        client: Client::new(),
    };
    let rv = t.server.resource_version();
    assert!(bookmarks(&t.watch_lines(&format!("{path}{rv}")).await) >= 4);
}

#[tokio::test]
async fn request_faults_latency_and_restart() {
    let t = T::new().await;
    t.cm("keep", json!({})).await;
    t.server
        .faults()
        .fail_requests(1.0, ErrorKind::TooManyRequests { retry_after: 2 });
    let r = t
        .client
        .get(format!("{}{CM}", t.server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    t.server.faults().fail_requests(1.0, ErrorKind::Unavailable);
    assert_eq!(t.get(CM).await.0, 503);
    t.server
        .faults()
        .clear()
        .latency(Duration::from_millis(100));
    let start = std::time::Instant::now();
    assert_eq!(t.get(CM).await.0, 200);
    assert!(start.elapsed() >= Duration::from_millis(100));
    t.server.faults().clear();
    // restart drops open watches, keeps the data and the port
    let resp = t
        .client
        .get(format!("{}{CM}?watch=true", t.server.base_url()))
        .send()
        .await
        .unwrap();
    let reader = tokio::spawn(async move { resp.text().await });
    t.server.restart().await.unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap();
    let client = Client::new();
    let r = client
        .get(format!("{}{CM}/keep", t.server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn subresources() {
    let t = T::new().await;
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
        "status": {"replicas": 9}});
    let d = "/apis/apps/v1/namespaces/default/deployments/web";
    let (s, v) = t
        .post("/apis/apps/v1/namespaces/default/deployments", deploy)
        .await;
    assert_eq!(s, 201);
    assert_eq!(v["metadata"]["generation"], 1);
    assert!(v.get("status").is_none(), "status is dropped on create");
    let (s, scale) = t.get(&format!("{d}/scale")).await;
    assert_eq!((s.as_u16(), scale["kind"].as_str()), (200, Some("Scale")));
    assert_eq!(scale["status"]["selector"], "app=web");
    let mut sc = scale.clone();
    sc["spec"]["replicas"] = json!(3);
    let (s, v) = t.put(&format!("{d}/scale"), sc).await;
    assert_eq!((s.as_u16(), v["spec"]["replicas"].as_i64()), (200, Some(3)));
    let (_, v) = t
        .patch(
            &format!("{d}/scale"),
            "application/merge-patch+json",
            r#"{"spec":{"replicas":4}}"#,
        )
        .await;
    assert_eq!(v["spec"]["replicas"], 4);
    let (_, cur) = t.get(d).await;
    assert_eq!(cur["spec"]["replicas"], 4);
    assert_eq!(cur["metadata"]["generation"], 3);
    let mut st = cur.clone();
    st["status"] = json!({"replicas": 4});
    st["spec"]["replicas"] = json!(100);
    let (s, v) = t.put(&format!("{d}/status"), st).await;
    assert_eq!(s, 200);
    assert_eq!(v["status"]["replicas"], 4);
    assert_eq!(
        v["spec"]["replicas"], 4,
        "spec changes sent to /status are ignored"
    );
    let mut main = v.clone();
    main["status"] = json!({"replicas": 0});
    let (_, v) = t.put(d, main).await;
    assert_eq!(
        v["status"]["replicas"], 4,
        "status changes sent to the main resource are ignored"
    );
    // pods: binding, eviction, logs
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
    assert_eq!(t.post("/api/v1/namespaces/default/pods", pod).await.0, 201);
    let (s, v) = t.post("/api/v1/namespaces/default/pods/p1/binding", json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p1"}, "target": {"kind": "Node", "name": "n1"}})).await;
    assert_eq!((s.as_u16(), v["status"].as_str()), (201, Some("Success")));
    assert_eq!(
        t.get("/api/v1/namespaces/default/pods/p1").await.1["spec"]["nodeName"],
        "n1"
    );
    t.server
        .set_pod_log("default", "p1", "c", "one\ntwo\nthree\n");
    let (_, v) = t
        .get("/api/v1/namespaces/default/pods/p1/log?tailLines=2")
        .await;
    assert_eq!(v, Value::String("two\nthree\n".into()));
    let (_, v) = t
        .get("/api/v1/namespaces/default/pods/p1/log?timestamps=true")
        .await;
    assert!(v.as_str().unwrap().lines().all(|l| l.contains("Z ")));
    let resp = t
        .client
        .get(format!(
            "{}/api/v1/namespaces/default/pods/p1/log?follow=true&tailLines=0",
            t.server.base_url()
        ))
        .send()
        .await
        .unwrap();
    let mut stream = resp;
    t.server.append_pod_log("default", "p1", "c", "four\n");
    let chunk = tokio::time::timeout(Duration::from_secs(5), async {
        let mut acc = String::new();
        while !acc.contains("four") {
            match stream.chunk().await.unwrap() {
                Some(c) => acc.push_str(&String::from_utf8_lossy(&c)),
                None => break,
            }
        }
        acc
    })
    .await
    .unwrap();
    assert_eq!(chunk, "four\n");
    let (s, v) = t.post("/api/v1/namespaces/default/serviceaccounts/default/token", json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 600}})).await;
    assert_eq!(s, 201);
    assert!(v["status"]["token"].as_str().unwrap().len() > 10);
    let (s, _) = t
        .post(
            "/api/v1/namespaces/default/pods/p1/eviction",
            json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p1"}}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(t.get("/api/v1/namespaces/default/pods/p1").await.0, 404);
}

#[tokio::test]
async fn crds_become_servable_and_discoverable() {
    let t = T::new().await;
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "shortNames": ["wd"], "listKind": "WidgetList"},
                 "scope": "Namespaced",
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}}}]}});
    let (s, _) = t
        .post(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            crd,
        )
        .await;
    assert_eq!(s, 201);
    let (_, c) = t
        .get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
        .await;
    assert_eq!(c["status"]["conditions"][1]["type"], "Established");
    let (s, disc) = t.get("/apis/example.com/v1").await;
    assert_eq!(s, 200);
    let names: Vec<&str> = disc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["widgets", "widgets/status", "widgets/scale"]);
    let (s, w) = t.post("/apis/example.com/v1/namespaces/default/widgets", json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"replicas": 2}})).await;
    assert_eq!(s, 201);
    assert_eq!(w["metadata"]["generation"], 1);
    let (_, scale) = t
        .get("/apis/example.com/v1/namespaces/default/widgets/w/scale")
        .await;
    assert_eq!(scale["spec"]["replicas"], 2);
    let (_, list) = t
        .get("/apis/example.com/v1/namespaces/default/widgets")
        .await;
    assert_eq!(list["kind"], "WidgetList");
    assert_eq!(list["items"][0]["kind"], "Widget");
    let (_, idx) = t.get("/openapi/v3").await;
    let url = idx["paths"]["apis/example.com/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, doc) = t.get(&url).await;
    assert_eq!(s, 200);
    assert!(doc["components"]["schemas"]["com.example.v1.Widget"].is_object());
    let r = t
        .client
        .get(format!("{}/apis", t.server.base_url()))
        .header(
            "Accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        )
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("APIGroupDiscoveryList"));
    let v: Value = r.json().await.unwrap();
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["metadata"]["name"] == "example.com"));
    // deleting the CRD removes the resource
    assert_eq!(
        t.delete(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        t.get("/apis/example.com/v1/namespaces/default/widgets")
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn tls_token_and_client_certificate_auth() {
    let server = TestServer::builder()
        .tls(true)
        .token("s3cret")
        .start()
        .await
        .unwrap();
    assert!(server.base_url().starts_with("https://127.0.0.1:"));
    let ca = reqwest::Certificate::from_pem(server.ca_pem().unwrap().as_bytes()).unwrap();
    let client = Client::builder()
        .add_root_certificate(ca.clone())
        .build()
        .unwrap();
    let url = format!("{}/api/v1/namespaces/default/configmaps", server.base_url());
    let r = client.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["reason"], "Unauthorized");
    assert_eq!(
        client
            .get(&url)
            .bearer_auth("s3cret")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let kc: Value = kubegen::yaml::from_str(&server.kubeconfig()).unwrap();
    assert_eq!(kc["users"][0]["user"]["token"], "s3cret");
    assert!(kc["clusters"][0]["cluster"]["certificate-authority-data"].is_string());
    assert!(!format!("{server:?}").contains("s3cret"));

    let server = TestServer::builder()
        .client_cert_auth(true)
        .start()
        .await
        .unwrap();
    let ca = reqwest::Certificate::from_pem(server.ca_pem().unwrap().as_bytes()).unwrap();
    let (cert, key) = server.client_identity_pem().unwrap();
    let id = reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap();
    let url = format!("{}/api/v1/namespaces", server.base_url());
    let anon = Client::builder()
        .add_root_certificate(ca.clone())
        .build()
        .unwrap();
    assert_eq!(anon.get(&url).send().await.unwrap().status(), 401);
    let authed = Client::builder()
        .add_root_certificate(ca)
        .identity(id)
        .build()
        .unwrap();
    let r = authed.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 4);
    let dir = std::env::temp_dir().join(format!("kubegen-ts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    server.write_kubeconfig(dir.join("config")).unwrap();
    assert!(std::fs::read_to_string(dir.join("config"))
        .unwrap()
        .contains("client-key-data"));
}

#[tokio::test]
async fn discovery_documents() {
    let t = T::new().await;
    let (_, v) = t.get("/api").await;
    assert_eq!(v["versions"][0], "v1");
    let (_, v) = t.get("/apis").await;
    assert!(v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "apps"));
    let (_, v) = t.get("/apis/autoscaling").await;
    assert_eq!(v["preferredVersion"]["version"], "v2");
    let (_, v) = t.get("/api/v1").await;
    let pods = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pods")
        .unwrap();
    assert_eq!(pods["shortNames"][0], "po");
    let r = t
        .client
        .get(format!("{}/openapi/v3/apis/apps/v1", t.server.base_url()))
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = t
        .client
        .get(format!("{}/openapi/v3/apis/apps/v1", t.server.base_url()))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
}

/// What the differential suite (`tests/differential`) found a real server does differently
/// and the test server now does as it does; kept here so CI, which runs without a real
/// server, holds the line.
#[tokio::test]
async fn answers_as_the_differential_suite_found_a_real_server_does() {
    let t = T::new().await;
    // Every answer carries an Audit-Id.
    let r = t
        .client
        .get(format!("{}/version", t.server.base_url()))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("audit-id").is_some());
    // The delete that removes an object answers with it as last stored.
    let mut c = t.cm("gone", json!({})).await;
    c["metadata"]["finalizers"] = json!(["example.com/hold"]);
    t.put(&format!("{CM}/gone"), c).await;
    t.delete(&format!("{CM}/gone"), None).await;
    let terminating = t.get(&format!("{CM}/gone")).await.1;
    let (s, last) = t
        .patch(
            &format!("{CM}/gone"),
            "application/merge-patch+json",
            r#"{"metadata":{"finalizers":null}}"#,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rv(&last), rv(&terminating));
    assert!(last["metadata"]["finalizers"].is_null());
    // An object leaving a watch's selector is DELETED as the watcher last saw it.
    let start = rv(&t.get(CM).await.1);
    t.cm("sel", json!({"l": "a"})).await;
    t.patch(
        &format!("{CM}/sel"),
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"l":"b"}}}"#,
    )
    .await;
    let ev = t
        .watch_lines(&format!(
            "{CM}?watch=true&labelSelector=l%3Da&resourceVersion={start}&timeoutSeconds=1"
        ))
        .await;
    assert_eq!(ev[1]["type"], "DELETED");
    assert_eq!(ev[1]["object"]["metadata"]["labels"]["l"], "a");
    // sendInitialEvents=false: no initial events.
    let ev = t
        .watch_lines(&format!("{CM}?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=0&timeoutSeconds=1"))
        .await;
    assert!(ev.iter().all(|e| e["type"] == "BOOKMARK"), "{ev:?}");
    // Options and media types are checked.
    let (s, v) = t
        .post(
            &format!("{CM}?dryRun=Some"),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}),
        )
        .await;
    assert_eq!(
        (s, v["details"]["kind"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("CreateOptions"))
    );
    let (s, _) = t
        .req(Method::POST, CM, Some("text/plain"), Some("x".into()))
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, v) = t.patch(&format!("{CM}/sel"), "text/plain", "x").await;
    assert_eq!(
        (s, v["message"].clone()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!("415: Unsupported Media Type")
        )
    );
    let r = t
        .client
        .get(format!("{}{CM}/sel", t.server.base_url()))
        .header("Accept", "application/yaml;as=Foo")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    let (s, v) = t.get("/apis/nope.example.com").await;
    assert_eq!(
        (s, v),
        (StatusCode::NOT_FOUND, json!("404 page not found\n"))
    );
    assert!(t.get("/api/v1").await.1.get("apiVersion").is_none());
    // Empty optional maps and lists are dropped; Secrets' stringData becomes data.
    let (_, e) = t
        .post(
            CM,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "e", "labels": {}}, "data": {}}),
        )
        .await;
    assert!(
        e.get("data").is_none() && e["metadata"].get("labels").is_none(),
        "{e}"
    );
    let (_, sec) = t
        .post(
            "/api/v1/namespaces/default/secrets",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"p": "hi"}}),
        )
        .await;
    assert_eq!(
        (sec["data"]["p"].clone(), sec["type"].clone()),
        (json!("aGk="), json!("Opaque"))
    );
    // Strategic merge merges containers by name.
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i", "env": [{"name": "A", "value": "1"}]}]}}}});
    t.post("/apis/apps/v1/namespaces/default/deployments", d)
        .await;
    let (_, d) = t
        .patch(
            "/apis/apps/v1/namespaces/default/deployments/web",
            "application/strategic-merge-patch+json",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"B","value":"2"}]}]}}}}"#,
        )
        .await;
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "i");
    assert_eq!(
        c["env"],
        json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}])
    );
    // A binding keeps the pod's generation and records no field manager.
    t.post(
        "/api/v1/namespaces/default/pods",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i"}]}}),
    )
    .await;
    t.post(
        "/api/v1/namespaces/default/pods/p/binding",
        json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
            "target": {"apiVersion": "v1", "kind": "Node", "name": "n1"}}),
    )
    .await;
    let pod = t.get("/api/v1/namespaces/default/pods/p").await.1;
    assert_eq!(pod["spec"]["nodeName"], "n1");
    assert_eq!(pod["metadata"]["generation"], 1);
    assert_eq!(
        pod["metadata"]["managedFields"].as_array().map(Vec::len),
        Some(1)
    );
    // A TokenRequest shorter than 10 minutes is invalid.
    t.post(
        "/api/v1/namespaces/default/serviceaccounts",
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}}),
    )
    .await;
    let (s, _) = t
        .post(
            "/api/v1/namespaces/default/serviceaccounts/sa/token",
            json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 10}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
