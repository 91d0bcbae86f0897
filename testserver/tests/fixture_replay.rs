//! Replays the real kube-apiserver v1.36 fixtures (`fixtures/kube-apiserver-v1.36`)
//! against the test server and compares status codes, Status reasons and response shapes.
//!
//! The fixtures are parsed at test time. Volatile values (uids, timestamps,
//! resourceVersions, continue tokens) differ; resourceVersions and continue tokens the real
//! server handed out are mapped to ours before they are sent back. A few objects were
//! created on the real server between captures without a fixture; `setup` recreates them.

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
    ("51-", "needs writes made concurrently with the watch"),
    ("55-", "needs the 2,500 writes made outside the fixtures"),
    ("56-", "needs the 2,500 writes made outside the fixtures"),
    ("57-", "needs the 2,500 writes made outside the fixtures"),
    ("58-", "needs the 2,500 writes made outside the fixtures"),
    ("59-", "needs the 2,500 writes made outside the fixtures"),
    ("69-", "logs are set by tests, there is no kubelet to fail"),
    (
        "71-",
        "pods are deleted at once: no kubelet confirms graceful deletion",
    ),
    (
        "79-",
        "no garbage collector: foreground deletion deletes at once",
    ),
    ("84-", "no CRD schema validation"),
    ("101-", "the CRD change it follows is not in the fixtures"),
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

fn names(v: &Value) -> Vec<String> {
    v.get("items")
        .or_else(|| v.get("rows"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|i| {
                    i.pointer("/metadata/name")
                        .or_else(|| i.pointer("/object/metadata/name"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Messages we knowingly phrase differently (parser error texts).
const MESSAGE_DIFFERS: &[&str] = &["29-", "78-"];

fn compare(case: &Case, real: &Value, ours: &Value, errors: &mut Vec<String>) {
    let mut check = |what: &str, a: Option<&Value>, b: Option<&Value>| {
        if a != b {
            errors.push(format!("{}: {what}: real {a:?} ours {b:?}", case.file));
        }
    };
    let kind = real.get("kind").and_then(Value::as_str).unwrap_or_default();
    check("kind", real.get("kind"), ours.get("kind"));
    check("apiVersion", real.get("apiVersion"), ours.get("apiVersion"));
    if kind == "Status" {
        for p in [
            "/status",
            "/reason",
            "/code",
            "/details/name",
            "/details/kind",
            "/details/group",
        ] {
            check(p, real.pointer(p), ours.pointer(p));
        }
        if !MESSAGE_DIFFERS.iter().any(|m| case.file.starts_with(m)) {
            check(
                "/message",
                real.pointer("/message"),
                ours.pointer("/message"),
            );
        }
        let causes = |v: &Value| -> Vec<(Value, Value)> {
            v.pointer("/details/causes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|c| (c["reason"].clone(), c["field"].clone()))
                        .collect()
                })
                .unwrap_or_default()
        };
        if causes(real) != causes(ours) {
            check(
                "causes",
                Some(&Value::String(format!("{:?}", causes(real)))),
                Some(&Value::String(format!("{:?}", causes(ours)))),
            );
        }
    } else if real.get("items").is_some() || real.get("rows").is_some() {
        check(
            "items",
            Some(&Value::from(names(real))),
            Some(&Value::from(names(ours))),
        );
        check(
            "continue present",
            Some(&Value::Bool(real.pointer("/metadata/continue").is_some())),
            Some(&Value::Bool(ours.pointer("/metadata/continue").is_some())),
        );
        check(
            "remainingItemCount",
            real.pointer("/metadata/remainingItemCount"),
            ours.pointer("/metadata/remainingItemCount"),
        );
    } else {
        for p in [
            "/metadata/name",
            "/metadata/namespace",
            "/data",
            "/spec/replicas",
            "/metadata/finalizers",
            "/metadata/labels",
        ] {
            check(p, real.pointer(p), ours.pointer(p));
        }
        for p in [
            "/metadata/uid",
            "/metadata/resourceVersion",
            "/metadata/creationTimestamp",
            "/metadata/generation",
            "/metadata/deletionTimestamp",
            "/status/token",
        ] {
            check(
                &format!("{p} present"),
                Some(&Value::Bool(real.pointer(p).is_some())),
                Some(&Value::Bool(ours.pointer(p).is_some())),
            );
        }
        if let Some(mf) = real.pointer("/metadata/managedFields/0") {
            // Field ownership of the first manager (lists are atomic for us, so only for
            // objects without keyed lists).
            if kind == "ConfigMap" {
                check(
                    "managedFields[0].fieldsV1",
                    mf.get("fieldsV1"),
                    ours.pointer("/metadata/managedFields/0/fieldsV1"),
                );
                check(
                    "managedFields[0].operation",
                    mf.get("operation"),
                    ours.pointer("/metadata/managedFields/0/operation"),
                );
            }
        }
    }
}

fn events(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or(Value::Null);
            let ty = v["type"].as_str().unwrap_or_default().to_string();
            let what = if ty == "BOOKMARK" {
                v.pointer("/object/metadata/annotations")
                    .map(|a| a.to_string())
                    .unwrap_or_default()
            } else if ty == "ERROR" {
                format!("{}/{}", v["object"]["reason"], v["object"]["code"])
            } else {
                format!(
                    "{}:{}",
                    v["object"]["kind"],
                    v.pointer("/object/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                )
            };
            (ty, what)
        })
        .collect()
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
        if status != case.status {
            errors.push(format!(
                "{}: status real {} ours {status}: {}",
                case.file,
                case.status,
                &text[..text.len().min(300)]
            ));
            continue;
        }
        for h in ["etag", "cache-control", "location", "warning"] {
            if let Some((_, v)) = case.resp_headers.iter().find(|(k, _)| k == h) {
                let ours = resp_headers
                    .get(h)
                    .and_then(|x| x.to_str().ok())
                    .unwrap_or("");
                let same_shape = if h == "cache-control" || h == "warning" {
                    ours == v
                } else {
                    !ours.is_empty()
                };
                if !same_shape {
                    errors.push(format!(
                        "{}: header {h}: real {v:?} ours {ours:?}",
                        case.file
                    ));
                }
            }
        }
        let chunked = case
            .resp_headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked");
        if target.contains("watch=") && chunked {
            let real = events(&case.resp_body);
            let ours = events(&text);
            // Bookmarks are periodic here; compare the non-bookmark events and the
            // initial-events-end bookmark.
            let strip = |v: Vec<(String, String)>| -> Vec<(String, String)> {
                v.into_iter()
                    .filter(|(t, a)| t != "BOOKMARK" || !a.is_empty())
                    .collect()
            };
            if strip(real.clone()) != strip(ours.clone()) {
                errors.push(format!(
                    "{}: events: real {real:?} ours {ours:?}",
                    case.file
                ));
            }
            continue;
        }
        if status == 304
            || case.resp_body.trim().is_empty()
            || case.resp_body.starts_with("(body omitted")
        {
            continue;
        }
        let Ok(real) = serde_json::from_str::<Value>(&case.resp_body) else {
            continue;
        };
        let ours: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                errors.push(format!("{}: our body is not JSON ({e}): {text}", case.file));
                continue;
            }
        };
        map.learn(&real, &ours);
        if case.file.starts_with("86-") || case.file.starts_with("100-") {
            let ours_has = ours["paths"].get("apis/example.com/v1").is_some();
            if !ours_has {
                errors.push(format!("{}: index lacks apis/example.com/v1", case.file));
            }
            continue;
        }
        if case.file.starts_with("0")
            && case.file.as_bytes()[1].is_ascii_digit()
            && case.file.as_str() < "08"
        {
            // discovery: compare what is listed, not every detail
            discovery_compare(&case, &real, &ours, &mut errors);
            continue;
        }
        compare(&case, &real, &ours, &mut errors);
    }
    assert!(replayed > 70, "replayed only {replayed}");
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

fn discovery_compare(case: &Case, real: &Value, ours: &Value, errors: &mut Vec<String>) {
    if real.get("kind") != ours.get("kind") {
        errors.push(format!(
            "{}: kind real {:?} ours {:?}",
            case.file,
            real.get("kind"),
            ours.get("kind")
        ));
    }
    // every resource of the real core/v1 and apps/v1 lists is served with the same
    // scope, verbs, short names and kind
    let index = |v: &Value| -> HashMap<String, Value> {
        v["resources"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| {
                        (
                            r["name"].as_str().unwrap_or_default().to_string(),
                            r.clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    if real.get("resources").is_some() {
        let ours_idx = index(ours);
        for (name, r) in index(real) {
            let Some(o) = ours_idx.get(&name) else {
                errors.push(format!("{}: missing resource {name}", case.file));
                continue;
            };
            for f in [
                "namespaced",
                "kind",
                "shortNames",
                "singularName",
                "group",
                "version",
            ] {
                if r.get(f) != o.get(f) {
                    errors.push(format!(
                        "{}: {name}.{f}: real {:?} ours {:?}",
                        case.file,
                        r.get(f),
                        o.get(f)
                    ));
                }
            }
            let mut rv: Vec<String> =
                serde_json::from_value(r["verbs"].clone()).unwrap_or_default();
            let mut ov: Vec<String> =
                serde_json::from_value(o["verbs"].clone()).unwrap_or_default();
            rv.sort();
            ov.sort();
            if rv != ov {
                errors.push(format!(
                    "{}: {name}.verbs: real {rv:?} ours {ov:?}",
                    case.file
                ));
            }
        }
    }
}
