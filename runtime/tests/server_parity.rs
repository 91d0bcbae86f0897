//! Behaviour where the test server once differed from a real kube-apiserver (issue 22), over
//! raw HTTP so the exact answers are checked: metadata-only forms, no-op writes, evictions
//! and disruption budgets, watches from future versions, unknown fields and CRD defaults.
//! Runs against the in-process test server and, through `scripts/e2e.sh`, a real cluster.

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT};
use http::HeaderMap;
use kubegen_runtime::rest::{Client, Error, Method, RequestBuilder};
use kubegen_test_support::TestEnv;
use serde_json::{json, Value};

const OBJECT_FORM: &str = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
const LIST_FORM: &str = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

/// A response: status, headers, whole body.
struct Raw {
    code: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn warnings(&self) -> Vec<&str> {
        self.headers
            .get_all("warning")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The lines of a watch body, parsed.
    fn events(&self) -> Vec<Value> {
        String::from_utf8_lossy(&self.body)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// Sends and reads the whole body; an error status is returned as the server's `Status`.
async fn send(req: RequestBuilder) -> Result<Raw, Box<kubegen_runtime::rest::ApiError>> {
    let resp = match req.timeout(Some(Duration::from_secs(30))).send().await {
        Ok(r) => r,
        Err(Error::Api(e)) => return Err(e),
        Err(e) => panic!("transport: {e}"),
    };
    let code = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap_or_else(|e| panic!("body: {e}"));
    Ok(Raw {
        code,
        headers,
        body,
    })
}

fn at(client: &Client, method: Method, path: &str) -> RequestBuilder {
    client.request(method).abs_path(path)
}

fn accept(req: RequestBuilder, value: &'static str) -> RequestBuilder {
    req.header(ACCEPT, HeaderValue::from_static(value))
}

async fn ok(req: RequestBuilder) -> Raw {
    match send(req).await {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

async fn err(req: RequestBuilder) -> kubegen_runtime::rest::ApiError {
    match send(req).await {
        Ok(r) => panic!(
            "expected an error, got {}: {}",
            r.code,
            String::from_utf8_lossy(&r.body)
        ),
        Err(e) => *e,
    }
}

fn rv(v: &Value) -> String {
    v.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn json_body(req: RequestBuilder, v: &Value) -> RequestBuilder {
    req.body(v.to_string(), "application/json")
}

#[tokio::test]
async fn metadata_only_forms_follow_what_is_read() {
    let env = TestEnv::start("parity-metadata-forms").await;
    let c = &env.client;
    let cms = format!("/api/v1/namespaces/{}/configmaps", env.namespace);
    ok(json_body(
        at(c, Method::POST, &cms),
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}, "data": {"k": "v"}}),
    ))
    .await;

    // A watch asking for the list form: 200 and an empty stream that ends at once.
    let started = std::time::Instant::now();
    let watch = ok(accept(
        at(c, Method::GET, &cms)
            .param("watch", "true")
            .param("resourceVersion", "0"),
        LIST_FORM,
    ))
    .await;
    assert_eq!(watch.code, 200);
    assert!(watch.body.is_empty(), "{:?}", watch.body);
    assert!(started.elapsed() < Duration::from_secs(10));
    // The object form streams metadata.
    let watch = ok(accept(
        at(c, Method::GET, &cms)
            .param("watch", "true")
            .param("resourceVersion", "0")
            .param("timeoutSeconds", "1"),
        OBJECT_FORM,
    ))
    .await;
    let events = watch.events();
    assert_eq!(events[0]["type"], "ADDED");
    assert_eq!(events[0]["object"]["kind"], "PartialObjectMetadata");

    // A list asking for the object form, and a get asking for the list form: 406.
    let e = err(accept(at(c, Method::GET, &cms), OBJECT_FORM)).await;
    assert_eq!((e.code, e.reason()), (406, "NotAcceptable"));
    assert_eq!(
        e.message(),
        "you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)"
    );
    let e = err(accept(at(c, Method::GET, &format!("{cms}/m")), LIST_FORM)).await;
    assert_eq!((e.code, e.reason()), (406, "NotAcceptable"));
    assert_eq!(
        e.message(),
        "you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)"
    );
    env.finish().await;
}

#[tokio::test]
async fn writes_that_change_nothing_store_nothing() {
    let env = TestEnv::start("parity-no-op").await;
    let c = &env.client;
    let cms = format!("/api/v1/namespaces/{}/configmaps", env.namespace);
    let cm = format!("{cms}/same");
    let created = ok(json_body(
        at(c, Method::POST, &cms),
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "same"}, "data": {"a": "b"}}),
    ))
    .await
    .json();
    let first = rv(&created);
    // Managed-field timestamps have a one-second resolution: a write in a later second
    // must not change them either.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let put = ok(json_body(at(c, Method::PUT, &cm), &created))
        .await
        .json();
    assert_eq!(rv(&put), first, "PUT of the object as read");
    assert_eq!(
        put["metadata"]["managedFields"],
        created["metadata"]["managedFields"]
    );
    let put = ok(json_body(
        at(c, Method::PUT, &cm).param("fieldManager", "other"),
        &created,
    ))
    .await
    .json();
    assert_eq!(rv(&put), first, "PUT by another manager");
    assert_eq!(
        put["metadata"]["managedFields"],
        created["metadata"]["managedFields"]
    );
    for (ct, patch) in [
        ("application/merge-patch+json", "{}"),
        ("application/json-patch+json", "[]"),
        ("application/strategic-merge-patch+json", "{}"),
        ("application/merge-patch+json", r#"{"data":{"a":"b"}}"#),
    ] {
        let patched = ok(at(c, Method::PATCH, &cm).body(patch, ct)).await.json();
        assert_eq!(rv(&patched), first, "{ct} {patch}");
    }
    let apply = |manager: &'static str| {
        at(c, Method::PATCH, &cm)
            .param("fieldManager", manager)
            .body(
                r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"same"},"data":{"z":"1"}}"#,
                "application/apply-patch+yaml",
            )
    };
    let applied = ok(apply("ap")).await.json();
    let after_apply = rv(&applied);
    assert_ne!(after_apply, first, "the first apply adds a key");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = ok(apply("ap")).await.json();
    assert_eq!(rv(&again), after_apply, "the same apply again");
    assert_eq!(
        again["metadata"]["managedFields"],
        applied["metadata"]["managedFields"]
    );

    // The only change since the apply is the next real one: the watch sees no other.
    let changed =
        ok(at(c, Method::PATCH, &cm).body(r#"{"data":{"a":"c"}}"#, "application/merge-patch+json"))
            .await
            .json();
    let watch = ok(at(c, Method::GET, &cms)
        .param("watch", "true")
        .param("resourceVersion", &after_apply)
        .param("timeoutSeconds", "1"))
    .await;
    let events = watch.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "MODIFIED");
    assert_eq!(rv(&events[0]["object"]), rv(&changed));
    env.finish().await;
}

/// A pod the eviction checks budgets for: running and Ready.
async fn running_pod(c: &Client, ns: &str, name: &str) {
    let pods = format!("/api/v1/namespaces/{ns}/pods");
    ok(json_body(
        at(c, Method::POST, &pods),
        &json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}),
    ))
    .await;
    ok(at(c, Method::PATCH, &format!("{pods}/{name}/status")).body(
        r#"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#,
        "application/merge-patch+json",
    ))
    .await;
}

fn evict(c: &Client, ns: &str, name: &str, dry_run: bool) -> RequestBuilder {
    let mut req = json_body(
        at(
            c,
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/pods/{name}/eviction"),
        ),
        &json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}}),
    );
    if dry_run {
        req = req.param("dryRun", "All");
    }
    req
}

async fn exists(c: &Client, path: &str) -> bool {
    match send(at(c, Method::GET, path)).await {
        Ok(_) => true,
        Err(e) if e.code == 404 => false,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn evictions_respect_budgets_and_dry_run() {
    let env = TestEnv::start("parity-eviction").await;
    // The eviction's 429s must reach the test, not be retried after their Retry-After.
    let c = &env.client_without_retries();
    let ns = env.namespace.as_str();
    // A bare real API server has no service-account controller; pods need the account.
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
    if let Err(e) = send(json_body(
        at(
            c,
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/serviceaccounts"),
        ),
        &sa,
    ))
    .await
    {
        assert!(e.is_already_exists(), "{e}");
    }
    let pod = |n: &str| format!("/api/v1/namespaces/{ns}/pods/{n}");

    // Dry run: answered as an eviction, the pod stays.
    running_pod(c, ns, "free").await;
    let r = ok(evict(c, ns, "free", true)).await;
    assert_eq!(
        (r.code, r.json()["status"].clone()),
        (201, json!("Success"))
    );
    assert!(exists(c, &pod("free")).await);

    // A budget no controller has processed yet (no observedGeneration): 429.
    running_pod(c, ns, "guarded").await;
    let pdbs = format!("/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets");
    ok(json_body(
        at(c, Method::POST, &pdbs),
        &json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "budget"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}}}),
    ))
    .await;
    for dry_run in [false, true] {
        let e = err(evict(c, ns, "guarded", dry_run)).await;
        assert_eq!((e.code, e.reason()), (429, "TooManyRequests"));
        assert_eq!(
            e.message(),
            "Cannot evict pod as it would violate the pod's disruption budget."
        );
        let details = e.status.details.clone().unwrap_or_default();
        let cause = details.causes.unwrap_or_default();
        assert_eq!(cause[0].reason.as_deref(), Some("DisruptionBudget"));
        assert_eq!(
            cause[0].message.as_deref(),
            Some("The disruption budget budget is still being processed by the server.")
        );
        assert_eq!(details.retry_after_seconds, Some(10));
    }
    // Processed, no disruption allowed: 429 naming the healthy counts.
    let set_status = |status: Value| {
        at(c, Method::PATCH, &format!("{pdbs}/budget/status")).body(
            json!({"status": status}).to_string(),
            "application/merge-patch+json",
        )
    };
    ok(set_status(
        json!({"observedGeneration": 1, "disruptionsAllowed": 0,
        "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1}),
    ))
    .await;
    let e = err(evict(c, ns, "guarded", false)).await;
    assert_eq!(e.code, 429);
    let causes = e
        .status
        .details
        .clone()
        .unwrap_or_default()
        .causes
        .unwrap_or_default();
    assert_eq!(
        causes[0].message.as_deref(),
        Some("The disruption budget budget needs 1 healthy pods and has 1 currently")
    );
    // One disruption allowed: a dry run changes nothing, the eviction uses it up.
    ok(set_status(
        json!({"disruptionsAllowed": 1, "currentHealthy": 2}),
    ))
    .await;
    ok(evict(c, ns, "guarded", true)).await;
    assert!(exists(c, &pod("guarded")).await);
    let budget = ok(at(c, Method::GET, &format!("{pdbs}/budget")))
        .await
        .json();
    assert_eq!(budget["status"]["disruptionsAllowed"], 1);
    ok(evict(c, ns, "guarded", false)).await;
    assert!(!exists(c, &pod("guarded")).await);
    let budget = ok(at(c, Method::GET, &format!("{pdbs}/budget")))
        .await
        .json();
    assert_eq!(budget["status"]["disruptionsAllowed"], 0);
    assert!(budget["status"]["disruptedPods"]["guarded"].is_string());
    env.finish().await;
}

#[tokio::test]
async fn watches_from_a_future_version() {
    let env = TestEnv::start("parity-future-rv").await;
    let c = &env.client;
    let cms = format!("/api/v1/namespaces/{}/configmaps", env.namespace);
    let list = ok(at(c, Method::GET, &cms)).await.json();
    let future = (rv(&list).parse::<u64>().unwrap_or(0) + 1_000_000).to_string();

    // A WatchList (sendInitialEvents) cannot start there: 200 and an ERROR event, 504.
    let watch = ok(at(c, Method::GET, &cms)
        .param("watch", "true")
        .param("sendInitialEvents", "true")
        .param("resourceVersionMatch", "NotOlderThan")
        .param("allowWatchBookmarks", "true")
        .param("resourceVersion", &future))
    .await;
    assert_eq!(watch.code, 200);
    let events = watch.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "ERROR");
    let status = &events[0]["object"];
    assert_eq!(
        (status["code"].clone(), status["reason"].clone()),
        (json!(504), json!("Timeout"))
    );
    assert_eq!(
        status["details"]["causes"][0]["reason"],
        "ResourceVersionTooLarge"
    );
    assert!(status["message"]
        .as_str()
        .is_some_and(|m| m.starts_with(&format!(
            "Timeout: Too large resource version: {future}, current: "
        ))));

    // A plain watch waits for the version without a word (no events, no bookmark).
    let watch = ok(at(c, Method::GET, &cms)
        .param("watch", "true")
        .param("allowWatchBookmarks", "true")
        .param("timeoutSeconds", "2")
        .param("resourceVersion", &future))
    .await;
    assert_eq!(watch.code, 200);
    assert!(watch.events().is_empty(), "{:?}", watch.events());
    env.finish().await;
}

#[tokio::test]
async fn unknown_fields_are_dropped_and_reported() {
    let env = TestEnv::start("parity-unknown-fields").await;
    let c = &env.client;
    let cms = format!("/api/v1/namespaces/{}/configmaps", env.namespace);
    let created = ok(json_body(
        at(c, Method::POST, &cms),
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w"},
            "bogus": 1, "data": {"k": "v"}}),
    ))
    .await;
    assert_eq!(created.warnings(), [r#"299 - "unknown field \"bogus\"""#]);
    assert!(created.json().get("bogus").is_none());
    let patched = ok(at(c, Method::PATCH, &format!("{cms}/w"))
        .body(r#"{"spec":{"x":1}}"#, "application/merge-patch+json"))
    .await;
    assert_eq!(patched.warnings(), [r#"299 - "unknown field \"spec\"""#]);

    let quiet = ok(json_body(
        at(c, Method::POST, &cms).param("fieldValidation", "Ignore"),
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "q"}, "bogus": 1}),
    ))
    .await;
    assert!(quiet.warnings().is_empty());
    let e = err(json_body(
        at(c, Method::POST, &cms).param("fieldValidation", "Strict"),
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "zz": 1, "bogus": 1}),
    ))
    .await;
    assert_eq!((e.code, e.reason()), (400, "BadRequest"));
    assert_eq!(
        e.message(),
        r#"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus", unknown field "zz""#
    );
    // Nested fields of a built-in are found through its schema's references.
    let deployments = format!("/apis/apps/v1/namespaces/{}/deployments", env.namespace);
    let d = ok(json_body(
        at(c, Method::POST, &deployments),
        &json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "b"}},
                    "spec": {"containers": [{"name": "c", "image": "i", "bogusC": 1}]}}}}),
    ))
    .await;
    assert_eq!(
        d.warnings(),
        [r#"299 - "unknown field \"spec.template.spec.containers[0].bogusC\"""#]
    );
    env.finish().await;
}

fn gadget_crd(group: &str) -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("gadgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "version": {"type": "string", "default": "16"},
                        "opts": {"type": "object", "default": {}, "properties": {
                            "mode": {"type": "string", "default": "fast"}}},
                        "items": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"},
                            "weight": {"type": "integer", "default": 1}}}},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                            "properties": {"known": {"type": "string", "default": "k"}}},
                        "nul": {"type": "string", "default": "d"}}},
                    "status": {"type": "object", "properties": {
                        "phase": {"type": "string", "default": "New"}}}}}}}]}})
}

#[tokio::test]
async fn custom_resources_get_defaults_and_lose_unknown_fields() {
    let env = TestEnv::start("parity-crd-defaults").await;
    let group = env.unique_group("parity");
    env.install_crd(gadget_crd(&group)).await;
    let c = &env.client;
    let gadgets = format!("/apis/{group}/v1/namespaces/{}/gadgets", env.namespace);
    let created = ok(json_body(
        at(c, Method::POST, &gadgets),
        &json!({"apiVersion": format!("{group}/v1"), "kind": "Gadget",
            "metadata": {"name": "g", "junkMeta": 1},
            "spec": {"bogus": 1, "items": [{"name": "a", "x": 2}, {"name": "b", "weight": 5}],
                "labels": {"q": "r"}, "free": {"anything": {"deep": 1}}, "nul": null},
            "top": 1}),
    ))
    .await;
    assert_eq!(
        created.warnings(),
        [
            r#"299 - "unknown field \"metadata.junkMeta\"""#,
            r#"299 - "unknown field \"spec.bogus\"""#,
            r#"299 - "unknown field \"spec.items[0].x\"""#,
            r#"299 - "unknown field \"top\"""#,
        ]
    );
    let g = created.json();
    assert_eq!(
        g["spec"],
        json!({"version": "16", "opts": {"mode": "fast"},
            "items": [{"name": "a", "weight": 1}, {"name": "b", "weight": 5}],
            "labels": {"q": "r"}, "free": {"anything": {"deep": 1}, "known": "k"}, "nul": "d"})
    );
    assert!(g.get("top").is_none() && g["metadata"].get("junkMeta").is_none());
    let first = rv(&g);
    // Removing a defaulted field brings the default back: nothing changes.
    let patched = ok(at(c, Method::PATCH, &format!("{gadgets}/g"))
        .body(r#"{"spec":{"opts":null}}"#, "application/merge-patch+json"))
    .await
    .json();
    assert_eq!(rv(&patched), first);
    assert_eq!(patched["spec"]["opts"], json!({"mode": "fast"}));
    // Status writes are defaulted too.
    let status = ok(at(c, Method::PATCH, &format!("{gadgets}/g/status"))
        .body(r#"{"status":{}}"#, "application/merge-patch+json"))
    .await
    .json();
    assert_eq!(status["status"], json!({"phase": "New"}));

    // A default the schema gains later shows on read, without a write.
    let before = rv(&status);
    let crd = format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.{group}");
    ok(at(c, Method::PATCH, &crd).body(
        r#"[{"op":"add","path":"/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/color","value":{"type":"string","default":"blue"}}]"#,
        "application/json-patch+json",
    ))
    .await;
    let mut read = Value::Null;
    for _ in 0..100 {
        read = ok(at(c, Method::GET, &format!("{gadgets}/g"))).await.json();
        if read["spec"]["color"] == "blue" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(read["spec"]["color"], "blue", "{read}");
    assert_eq!(rv(&read), before);
    env.finish().await;
}

/// A CRD in a protected group (`*.k8s.io`) needs the `api-approved.kubernetes.io`
/// annotation; refused without it, before anything is stored.
#[tokio::test]
async fn protected_crd_groups_need_the_approval_annotation() {
    let env = TestEnv::start("parity-crd-approval").await;
    let group = format!("parity-{}.k8s.io", env.run_id());
    let mut crd = gadget_crd(&group);
    // Never stored: a cluster-scoped leftover needs no cleanup.
    crd["metadata"]["name"] = json!(format!("gadgets.{group}"));
    let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    let e = err(json_body(at(&env.client, Method::POST, crds), &crd)).await;
    assert_eq!(e.code, 422, "{e}");
    assert!(e.is_invalid(), "{e}");
    let causes = e
        .status
        .details
        .as_ref()
        .and_then(|d| d.causes.clone())
        .unwrap_or_default();
    assert_eq!(
        causes.first().and_then(|c| c.field.as_deref()),
        Some("metadata.annotations[api-approved.kubernetes.io]"),
        "{e}"
    );
    assert!(
        e.message()
            .contains("protected groups must have approval annotation"),
        "{e}"
    );
    env.finish().await;
}
