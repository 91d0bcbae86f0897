//! Replays the real kube-apiserver v1.36 fixtures (`fixtures/kube-apiserver-v1.36`)
//! against the test server and compares each answer in full: status, the headers clients
//! read (`Content-Type`, `Warning`, `Cache-Control`, `Etag`/`Location` presence) and the
//! whole body (watch streams event by event), both normalised by `common/normalise.rs`
//! (the differential suite's normaliser). Fixtures that differ for a known reason are
//! listed in `EXPECTED` (checked: one that starts matching fails the test); fixtures that
//! cannot be replayed in-process are in `SKIP`, each with why.
//!
//! The fixtures are parsed at test time. resourceVersions and continue tokens the real
//! server handed out are mapped to ours before they are sent back. A few objects were
//! created on the real server between captures without a fixture; `setup` recreates them.

#[path = "common/normalise.rs"]
mod normalise;

#[path = "differential/compare.rs"]
mod compare;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kubegen_testserver::TestServer;
use serde_json::Value;

struct Case {
    file: String,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
    status: u16,
    resp_headers: Vec<(String, String)>,
    resp_body: String,
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/kube-apiserver-v1.36")
}

fn parse(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let (req, resp) = text.split_once("\n---\n").expect("--- separator");
    let mut lines = req.lines().skip_while(|l| l.starts_with('#'));
    let request_line = lines.next().unwrap();
    let (method, target) = request_line.split_once(' ').unwrap();
    let mut headers = Vec::new();
    let mut body = String::new();
    let mut in_body = false;
    for l in lines {
        if in_body {
            body.push_str(l);
            body.push('\n');
        } else if l.is_empty() {
            in_body = true;
        } else if let Some((k, v)) = l.split_once(": ") {
            headers.push((k.to_string(), v.to_string()));
        }
    }
    let mut rl = resp.lines();
    let status_line = rl.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut resp_headers = Vec::new();
    let mut resp_body = String::new();
    let mut in_body = false;
    for l in rl {
        if in_body {
            resp_body.push_str(l);
            resp_body.push('\n');
        } else if l.is_empty() {
            in_body = true;
        } else if let Some((k, v)) = l.split_once(": ") {
            resp_headers.push((k.to_ascii_lowercase(), v.to_string()));
        }
    }
    Case {
        file: path.file_name().unwrap().to_string_lossy().into_owned(),
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: body.trim_end().to_string(),
        status,
        resp_headers,
        resp_body,
    }
}

/// Fixtures that cannot apply, with why (each is a documented deviation or needs state the
/// real server was given outside the fixtures).
const SKIP: &[(&str, &str)] = &[
    (
        "51-",
        "needs a configmap created, patched and deleted while the watch is open",
    ),
    ("55-", "needs the 2,500 writes made outside the fixtures"),
    ("56-", "needs the 2,500 writes made outside the fixtures"),
    ("57-", "needs the 2,500 writes made outside the fixtures"),
    ("58-", "needs the 2,500 writes made outside the fixtures"),
    ("59-", "needs the 2,500 writes made outside the fixtures"),
    ("101-", "the CRD change it follows is not in the fixtures"),
];

/// Fixtures whose answer differs from ours for a known reason (each must still differ: a
/// listed fixture that starts matching fails the test, so remove it here).
const EXPECTED: &[(&str, &str)] = &[
    (
        "01-",
        "the build fields name Go, a commit and a platform the test server does not have (by design)",
    ),
    ("03-", "captured with every alpha and beta API group on"),
    ("07-", "captured with every alpha and beta API group on"),
    ("29-", "Go's JSON decoder words its errors differently"),
    (
        "92-",
        "follows 34 and the 2,500 writes outside the fixtures (churn's data.n)",
    ),
    (
        "60-",
        "KNOWN: built-in objects are not defaulted as a real server does; managedFields ignore the schema",
    ),
    (
        "64-",
        "KNOWN: built-in objects are not defaulted as a real server does; managedFields ignore the schema",
    ),
    (
        "65-",
        "KNOWN: built-in objects are not defaulted as a real server does; managedFields ignore the schema",
    ),
    (
        "66-",
        "KNOWN: built-in objects are not defaulted as a real server does; managedFields ignore the schema",
    ),
    (
        "67-",
        "KNOWN: pods are not defaulted or admitted as a real server does; managedFields ignore the schema",
    ),
    ("69-", "no kubelet to fail: pod logs are what tests set"),
    (
        "71-",
        "pods are deleted at once: no kubelet confirms graceful deletion",
    ),
    (
        "79-",
        "no garbage collector: foreground deletion deletes at once",
    ),
    (
        "80-",
        "the 2,500 writes made outside the fixtures changed churn (data.n, its resourceVersion)",
    ),
    (
        "81-",
        "KNOWN: CRDs are not defaulted (conversion) and get no status on create; managedFields ignore the schema",
    ),
    (
        "84-",
        "KNOWN: custom resources are not validated against the CRD schema",
    ),
    (
        "86-",
        "the hashes name documents that differ (built from the pinned spec) and groups the capture server had on",
    ),
    (
        "89-",
        "KNOWN: Tables have the generic Name and Age columns only (and ages are times)",
    ),
    (
        "93-",
        "captured with --watch-cache=false (etcd's wording); with the watch cache, a real server's default and what the test server follows, it is \"too old resource version: N (M)\"",
    ),
    (
        "100-",
        "the hashes name documents that differ (built from the pinned spec) and groups the capture server had on",
    ),
];

/// The test server's resourceVersions and continue tokens for the real server's.
#[derive(Default)]
struct Mapping {
    values: HashMap<String, String>,
}

impl Mapping {
    fn learn(&mut self, real: &Value, ours: &Value) {
        match (real, ours) {
            (Value::Object(r), Value::Object(o)) => {
                for k in ["resourceVersion", "continue"] {
                    if let (Some(Value::String(a)), Some(Value::String(b))) = (r.get(k), o.get(k)) {
                        self.values.insert(a.clone(), b.clone());
                    }
                }
                for (k, rv) in r {
                    if let Some(ov) = o.get(k) {
                        self.learn(rv, ov);
                    }
                }
            }
            (Value::Array(r), Value::Array(o)) => {
                for (a, b) in r.iter().zip(o) {
                    self.learn(a, b);
                }
            }
            _ => {}
        }
    }

    fn rewrite(&self, s: &str) -> String {
        let mut out = s.to_string();
        // longest first so that "3930" is not rewritten through "393"
        let mut keys: Vec<&String> = self.values.keys().collect();
        keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
        for k in keys {
            let v = &self.values[k];
            for (pre, post) in [("\"", "\""), ("=", "&"), ("(", ")")] {
                out = out.replace(&format!("{pre}{k}{post}"), &format!("{pre}{v}{post}"));
            }
            if out.ends_with(&format!("={k}")) {
                let cut = out.len() - k.len();
                out = format!("{}{v}", &out[..cut]);
            }
        }
        out
    }
}

async fn setup(file: &str, server: &TestServer, client: &reqwest::Client) {
    let post = |body: Value| {
        let client = client.clone();
        let url = format!("{}/api/v1/namespaces/default/configmaps", server.base_url());
        async move {
            let r = client
                .post(url)
                .bearer_auth("REDACTED")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(
                r.status().is_success(),
                "setup: {}",
                r.text().await.unwrap()
            );
        }
    };
    if file.starts_with("36-") {
        for (i, l) in ["a", "b", "c", "d"].iter().enumerate() {
            post(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("l{i}"), "labels": {"l": l}}, "data": {"k": "v"}})).await;
        }
        post(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "l4", "labels": {"other": "x"}}, "data": {"k": "v"}})).await;
    }
    if file.starts_with("60-") {
        post(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "churn"}, "data": {"k": "v", "n": "0"}})).await;
    }
    if file.starts_with("93-") {
        server.compact();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_real_apiserver_fixtures() {
    let server = TestServer::builder()
        .token("REDACTED")
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let dir = fixtures_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "http"))
        .collect();
    files.sort_by_key(|p| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .split('-')
            .next()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    });
    assert!(files.len() >= 100, "fixtures missing in {}", dir.display());
    let mut map = Mapping::default();
    let mut errors = Vec::new();
    let mut replayed = 0;
    for path in &files {
        let case = parse(path);
        if SKIP.iter().any(|(p, _)| case.file.starts_with(p)) {
            continue;
        }
        setup(&case.file, &server, &client).await;
        let mut target = map.rewrite(&case.target);
        let mut body = map.rewrite(&case.body);
        let mut headers = case.headers.clone();
        if case.file.starts_with("93-") || case.file.starts_with("95-") {
            target = target.replace("resourceVersion=210", "resourceVersion=1");
        }
        if case.file.starts_with("94-") {
            // a continue token at a compacted version
            use base64::Engine;
            let tok = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(br#"{"v":"meta.k8s.io/v1","rv":1,"start":"default/c0\u0000"}"#);
            target = format!("/api/v1/namespaces/default/configmaps?limit=1&continue={tok}");
        }
        if case.file.starts_with("96-") || case.file.starts_with("99-") {
            let idx: Value = client
                .get(format!("{}/openapi/v3", server.base_url()))
                .bearer_auth("REDACTED")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let url = idx["paths"]["apis/apps/v1"]["serverRelativeURL"]
                .as_str()
                .unwrap()
                .to_string();
            let hash = url.split("hash=").nth(1).unwrap().to_string();
            if case.file.starts_with("96-") {
                target = url;
            } else {
                for h in &mut headers {
                    if h.0 == "If-None-Match" {
                        h.1 = format!("\"{hash}\"");
                    }
                }
            }
        }
        target = target
            .replace("timeoutSeconds=4", "timeoutSeconds=1")
            .replace("timeoutSeconds=3", "timeoutSeconds=1")
            .replace("timeoutSeconds=2", "timeoutSeconds=1");
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
        let mut rb = client
            .request(method, format!("{}{}", server.base_url(), target))
            .timeout(Duration::from_secs(20));
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("Authorization") && v == "Bearer REDACTED" {
                rb = rb.bearer_auth("REDACTED");
            } else {
                rb = rb.header(k.as_str(), v.as_str());
            }
        }
        if !body.is_empty() {
            if !case
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
            {
                rb = rb.header("Content-Type", "application/json");
            }
            rb = rb.body(std::mem::take(&mut body));
        }
        let resp = rb.send().await.unwrap();
        replayed += 1;
        let status = resp.status().as_u16();
        let resp_headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let mut diffs = Vec::new();
        if status != case.status {
            diffs.push(format!(
                "status real {} ours {status}: {}",
                case.status,
                &text[..text.len().min(300)]
            ));
            if case.method == "POST" && status == 201 {
                // We stored what the real server refused: take it back so the fixtures
                // after this one see the same objects.
                undo_create(&client, &server, &target, &text).await;
            }
        } else {
            compare_answer(&case, &target, &resp_headers, &text, &mut map, &mut diffs);
            if case.file.starts_with("86-") || case.file.starts_with("100-") {
                // Whatever else differs in the index, the CRD's group-version is in it.
                let ours: Value = serde_json::from_str(&text).unwrap_or_default();
                if ours["paths"].get("apis/example.com/v1").is_none() {
                    errors.push(format!("{}: index lacks apis/example.com/v1", case.file));
                }
            }
        }
        judge(&case.file, &diffs, &mut errors);
    }
    assert!(replayed > 70, "replayed only {replayed}");
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// Compares an answer with the same status: headers and the normalised body.
fn compare_answer(
    case: &Case,
    target: &str,
    resp_headers: &reqwest::header::HeaderMap,
    text: &str,
    map: &mut Mapping,
    diffs: &mut Vec<String>,
) {
    let status = case.status;
    compare_headers(case, resp_headers, diffs);
    let chunked = case
        .resp_headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked");
    if target.contains("watch=") && chunked {
        // Periodic bookmarks are timing; the initial-events-end one is compared.
        let (mut real, mut ours) = (watch_events(&case.resp_body), watch_events(text));
        normalise::normalise(&mut real);
        normalise::normalise(&mut ours);
        compare::values("events", &real, &ours, diffs);
    } else if status != 304
        && !case.resp_body.trim().is_empty()
        && !case.resp_body.starts_with("(body omitted")
    {
        match (
            serde_json::from_str::<Value>(&case.resp_body),
            serde_json::from_str::<Value>(text),
        ) {
            (Ok(mut real), Ok(mut ours)) => {
                map.learn(&real, &ours);
                normalise::normalise(&mut real);
                normalise::normalise(&mut ours);
                compare::values("body", &real, &ours, diffs);
            }
            (Ok(_), Err(e)) => diffs.push(format!("our body is not JSON ({e}): {text}")),
            // Not JSON on either side (plain text): compared as text.
            (Err(_), _) => {
                if case.resp_body.trim() != text.trim() {
                    diffs.push(format!(
                        "body: real {:?} ours {text:?}",
                        case.resp_body.trim()
                    ));
                }
            }
        }
    }
}

/// Records `diffs` of `file` as an error unless it is EXPECTED to differ (and then checks
/// that it still does).
fn judge(file: &str, diffs: &[String], errors: &mut Vec<String>) {
    match (expected(file), diffs.is_empty()) {
        (None, true) => {}
        (None, false) => {
            let shown: Vec<&str> = diffs.iter().take(25).map(String::as_str).collect();
            errors.push(format!(
                "{file}: {} differences:\n    {}",
                diffs.len(),
                shown.join("\n    ")
            ));
        }
        (Some(reason), false) => {
            println!("expected {file}: {reason} ({} differences)", diffs.len());
        }
        (Some(reason), true) => errors.push(format!(
            "{file} is listed in EXPECTED ({reason}) but now matches: remove it from EXPECTED"
        )),
    }
}

/// Deletes the object a POST to `target` created (named in its answer `text`).
async fn undo_create(client: &reqwest::Client, server: &TestServer, target: &str, text: &str) {
    let Ok(created) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Some(name) = created.pointer("/metadata/name").and_then(Value::as_str) else {
        return;
    };
    let path = target.split('?').next().unwrap_or(target);
    let url = format!("{}{path}/{name}", server.base_url());
    let deleted = client.delete(url).bearer_auth("REDACTED").send().await;
    assert!(
        deleted.is_ok_and(|r| r.status().is_success()),
        "undoing {path}/{name}"
    );
}

/// Why `file` is expected to differ, if it is.
fn expected(file: &str) -> Option<&'static str> {
    EXPECTED
        .iter()
        .find(|(p, _)| file.starts_with(p))
        .map(|(_, r)| *r)
}

/// The headers clients read: `Content-Type` and `Warning` and `Cache-Control` by value,
/// `Etag` and `Location` by presence (their values name hashes and versions).
fn compare_headers(case: &Case, ours: &reqwest::header::HeaderMap, diffs: &mut Vec<String>) {
    for (name, by_value) in [
        ("content-type", true),
        ("warning", true),
        ("cache-control", true),
        ("etag", false),
        ("location", false),
    ] {
        let Some((_, real)) = case.resp_headers.iter().find(|(k, _)| k == name) else {
            continue;
        };
        let mine = ours.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
        let same = if by_value {
            mine == real
        } else {
            !mine.is_empty()
        };
        if !same {
            diffs.push(format!("header {name}: real {real:?} ours {mine:?}"));
        }
    }
}

/// A watch stream's events without the periodic bookmarks (when those come is timing).
fn watch_events(text: &str) -> Value {
    Value::Array(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|_| Value::from(l)))
            .filter(|e: &Value| {
                e["type"] != "BOOKMARK"
                    || e.pointer("/object/metadata/annotations/k8s.io~1initial-events-end")
                        .is_some()
            })
            .collect(),
    )
}
