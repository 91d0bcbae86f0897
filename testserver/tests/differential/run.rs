//! One case's run against one server: the requests it sends and the transcript of answers
//! (status, the headers clients read, the body) that is later compared with the other
//! server's.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::endpoint::{Endpoint, Request};

/// How long an ordinary request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A case's view of one server: its namespace, and what it has recorded.
pub struct Run {
    pub ep: Arc<Endpoint>,
    /// The case's namespace (the same name on both servers).
    pub ns: String,
    /// A name unique to this run, for cluster-scoped objects (the same on both servers).
    pub run_id: String,
    steps: Vec<Value>,
    /// Paths deleted when the case ends (cluster-scoped objects).
    pub cleanup: Vec<String>,
}

impl Run {
    pub fn new(ep: Arc<Endpoint>, ns: String, run_id: String) -> Self {
        Self {
            ep,
            ns,
            run_id,
            steps: Vec::new(),
            cleanup: Vec::new(),
        }
    }

    /// The recorded steps.
    pub fn into_steps(self) -> Vec<Value> {
        self.steps
    }

    /// `/api/v1/namespaces/<ns>/<rest>`.
    pub fn core(&self, rest: &str) -> String {
        format!("/api/v1/namespaces/{}/{rest}", self.ns)
    }

    /// `/apis/apps/v1/namespaces/<ns>/<rest>`.
    pub fn apps(&self, rest: &str) -> String {
        format!("/apis/apps/v1/namespaces/{}/{rest}", self.ns)
    }

    /// Sends `req`, records the answer under `label` and returns its body (JSON, or the
    /// text as a string).
    pub async fn send(&mut self, label: &str, req: Req) -> Value {
        let step = exchange(&self.ep, req.into_request()).await;
        let body = step["body"].clone();
        self.record(label, step);
        body
    }

    /// Like [`Run::send`], with the values at `pointers` (within the body) replaced by
    /// `"<differs by design>"` when present: what identifies a build or an address.
    pub async fn send_masking(&mut self, label: &str, req: Req, pointers: &[&str]) -> Value {
        let mut step = exchange(&self.ep, req.into_request()).await;
        for p in pointers {
            if let Some(v) = step["body"].pointer_mut(p) {
                *v = Value::from("<differs by design>");
            }
        }
        let body = step["body"].clone();
        self.record(label, step);
        body
    }

    /// Sends `req` without recording it (setup whose answer is not under test).
    pub async fn quiet(&mut self, req: Req) -> Value {
        exchange(&self.ep, req.into_request()).await["body"].clone()
    }

    /// Starts a watch (or any long request) in the background; record it with
    /// [`Run::finish`].
    pub fn start(&self, req: Req) -> tokio::task::JoinHandle<Value> {
        let ep = self.ep.clone();
        let request = req.into_request();
        tokio::spawn(async move { exchange(&ep, request).await })
    }

    /// Records a background request started with [`Run::start`].
    pub async fn finish(&mut self, label: &str, handle: tokio::task::JoinHandle<Value>) -> Value {
        let step = handle
            .await
            .unwrap_or_else(|e| json!({"error": format!("task: {e}")}));
        let body = step["body"].clone();
        self.record(label, step);
        body
    }

    /// Like [`Run::finish`], keeping of the BOOKMARK events only the one that ends the
    /// initial events: when periodic bookmarks come is timing.
    pub async fn finish_watch(
        &mut self,
        label: &str,
        handle: tokio::task::JoinHandle<Value>,
    ) -> Value {
        let mut step = handle
            .await
            .unwrap_or_else(|e| json!({"error": format!("task: {e}")}));
        if let Some(events) = step["body"].as_array_mut() {
            events.retain(|e| {
                e["type"] != "BOOKMARK"
                    || e.pointer("/object/metadata/annotations/k8s.io~1initial-events-end")
                        .is_some()
            });
        }
        let body = step["body"].clone();
        self.record(label, step);
        body
    }

    /// Sends a watch and records its events (see [`Run::finish_watch`]).
    pub async fn watch(&mut self, label: &str, req: Req) -> Value {
        let handle = self.start(req);
        self.finish_watch(label, handle).await
    }

    fn record(&mut self, label: &str, mut step: Value) {
        step["step"] = Value::from(label);
        self.steps.push(step);
    }
}

/// Sends a request and turns the answer into a transcript step.
async fn exchange(ep: &Endpoint, request: Request) -> Value {
    let watch = request.path.contains("watch=") || request.path.contains("/watch/");
    let answer = match ep.send(&request).await {
        Ok(a) => a,
        Err(e) => return json!({"error": format!("transport: {e}")}),
    };
    let header = |name: &str| -> Vec<String> {
        answer
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    };
    let text = String::from_utf8_lossy(&answer.body);
    let body = if watch && answer.status == 200 {
        Value::Array(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap_or_else(|_| Value::from(l)))
                .collect(),
        )
    } else if let Ok(v) = serde_json::from_str::<Value>(&text) {
        v
    } else if answer.body.is_empty() {
        Value::Null
    } else {
        Value::from(text.into_owned())
    };
    json!({
        "status": answer.status,
        "contentType": header("content-type"),
        "warning": header("warning"),
        "retryAfter": header("retry-after"),
        "auditId": !header("audit-id").is_empty(),
        "body": body,
    })
}

/// A request under construction.
pub struct Req {
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    timeout: Duration,
}

impl Req {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: None,
            timeout: TIMEOUT,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    pub fn post(path: impl Into<String>, body: &Value) -> Self {
        Self::new(Method::POST, path).json(body)
    }

    pub fn put(path: impl Into<String>, body: &Value) -> Self {
        Self::new(Method::PUT, path).json(body)
    }

    /// A PATCH with the given content type (`application/merge-patch+json`, …).
    pub fn patch(path: impl Into<String>, content_type: &str, body: &Value) -> Self {
        Self::new(Method::PATCH, path).raw(content_type, body.to_string().into_bytes())
    }

    /// A server-side apply (JSON body) with `fieldManager` and `force`.
    pub fn apply(path: impl Into<String>, manager: &str, force: bool, body: &Value) -> Self {
        let path = path.into();
        let sep = if path.contains('?') { '&' } else { '?' };
        let path = format!("{path}{sep}fieldManager={manager}&force={force}");
        Self::patch(path, "application/apply-patch+yaml", body)
    }

    pub fn json(self, body: &Value) -> Self {
        self.raw("application/json", body.to_string().into_bytes())
    }

    pub fn raw(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        self.headers
            .push(("Content-Type".into(), content_type.into()));
        self.body = Some(body);
        self
    }

    /// Sets a header (replacing one of the same name).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Bounds a long request (a watch): what arrived by then is its body.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    fn into_request(self) -> Request {
        Request {
            method: self.method,
            path: self.path,
            headers: self.headers,
            body: self.body,
            timeout: self.timeout,
        }
    }
}

/// A ConfigMap named `name` with `data` (left out when empty: how a real server keeps an
/// empty map is `crud::empty_map`'s subject, not every case's).
pub(crate) fn configmap(name: &str, data: Value) -> Value {
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
    if data.as_object().is_none_or(|d| !d.is_empty()) {
        cm["data"] = data;
    }
    cm
}

/// The object's `metadata.resourceVersion` (empty when absent).
pub(crate) fn rv(obj: &Value) -> String {
    obj.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
