//! Create, get, update and delete of core objects, and their errors.

use serde_json::json;

use crate::run::{configmap, Req, Run};

pub(crate) async fn create_get(r: &mut Run) {
    let cm = configmap("a", json!({"k": "v"}));
    r.send("create", Req::post(r.core("configmaps"), &cm)).await;
    r.send("get", Req::get(r.core("configmaps/a"))).await;
    r.send("duplicate", Req::post(r.core("configmaps"), &cm))
        .await;
    r.send("get missing", Req::get(r.core("configmaps/nope")))
        .await;
}

/// Empty maps and lists are left out of what is stored (Go's `omitempty`).
pub(crate) async fn empty_map(r: &mut Run) {
    let mut cm = configmap("e", json!({"k": "v"}));
    cm["data"] = json!({});
    cm["metadata"]["finalizers"] = json!([]);
    cm["metadata"]["labels"] = json!({});
    r.send("create", Req::post(r.core("configmaps"), &cm)).await;
}

pub(crate) async fn update(r: &mut Run) {
    let created = r
        .send(
            "create",
            Req::post(r.core("configmaps"), &configmap("a", json!({"k": "v"}))),
        )
        .await;
    let mut cm = created.clone();
    cm["data"]["k"] = "w".into();
    r.send("update", Req::put(r.core("configmaps/a"), &cm))
        .await;
    r.send("stale", Req::put(r.core("configmaps/a"), &cm)).await;
    let mut unconditional = configmap("a", json!({"k": "x"}));
    unconditional["metadata"]["labels"] = json!({"l": "1"});
    r.send(
        "without rv",
        Req::put(r.core("configmaps/a"), &unconditional),
    )
    .await;
    r.send(
        "missing",
        Req::put(r.core("configmaps/nope"), &configmap("nope", json!({}))),
    )
    .await;
    r.send(
        "name mismatch",
        Req::put(r.core("configmaps/a"), &configmap("b", json!({}))),
    )
    .await;
}

/// An update that changes nothing keeps the resourceVersion.
pub(crate) async fn update_noop(r: &mut Run) {
    let created = r
        .send(
            "create",
            Req::post(r.core("configmaps"), &configmap("a", json!({"k": "v"}))),
        )
        .await;
    r.send("same object", Req::put(r.core("configmaps/a"), &created))
        .await;
}

pub(crate) async fn delete(r: &mut Run) {
    r.send(
        "create",
        Req::post(r.core("configmaps"), &configmap("a", json!({"k": "v"}))),
    )
    .await;
    r.send(
        "precondition conflict",
        Req::delete(r.core("configmaps/a"))
            .json(&json!({"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}})),
    )
    .await;
    r.send("delete", Req::delete(r.core("configmaps/a"))).await;
    r.send("get deleted", Req::get(r.core("configmaps/a")))
        .await;
    r.send("delete missing", Req::delete(r.core("configmaps/a")))
        .await;
}

pub(crate) async fn delete_collection(r: &mut Run) {
    for (name, l) in [("a", "x"), ("b", "x"), ("c", "y")] {
        let mut cm = configmap(name, json!({}));
        cm["metadata"]["labels"] = json!({"l": l});
        r.quiet(Req::post(r.core("configmaps"), &cm)).await;
    }
    r.send(
        "deletecollection",
        Req::delete(r.core("configmaps?labelSelector=l%3Dx")),
    )
    .await;
    r.send("list after", Req::get(r.core("configmaps"))).await;
}

pub(crate) async fn finalizers(r: &mut Run) {
    let mut cm = configmap("f", json!({}));
    cm["metadata"]["finalizers"] = json!(["example.com/hold"]);
    r.send("create", Req::post(r.core("configmaps"), &cm)).await;
    r.send("delete", Req::delete(r.core("configmaps/f"))).await;
    let terminating = r
        .send("get terminating", Req::get(r.core("configmaps/f")))
        .await;
    let mut edited = terminating.clone();
    edited["data"] = json!({"new": "x"});
    r.send(
        "update while terminating",
        Req::put(r.core("configmaps/f"), &edited),
    )
    .await;
    r.send(
        "remove finalizer",
        Req::patch(
            r.core("configmaps/f"),
            "application/merge-patch+json",
            &json!({"metadata": {"finalizers": null}}),
        ),
    )
    .await;
    r.send("gone", Req::get(r.core("configmaps/f"))).await;
}

pub(crate) async fn dry_run(r: &mut Run) {
    let cm = configmap("d", json!({"k": "v"}));
    r.send(
        "create dry",
        Req::post(r.core("configmaps?dryRun=All"), &cm),
    )
    .await;
    r.send("not stored", Req::get(r.core("configmaps/d"))).await;
    let created = r.send("create", Req::post(r.core("configmaps"), &cm)).await;
    let mut changed = created.clone();
    changed["data"]["k"] = "w".into();
    r.send(
        "update dry",
        Req::put(r.core("configmaps/d?dryRun=All"), &changed),
    )
    .await;
    r.send("delete dry", Req::delete(r.core("configmaps/d?dryRun=All")))
        .await;
    r.send("unchanged", Req::get(r.core("configmaps/d"))).await;
    r.send(
        "bad dryRun",
        Req::post(r.core("configmaps?dryRun=Some"), &cm),
    )
    .await;
}

pub(crate) async fn invalid_objects(r: &mut Run) {
    r.send(
        "invalid name",
        Req::post(r.core("configmaps"), &configmap("Not_Valid", json!({}))),
    )
    .await;
    r.send(
        "malformed json",
        Req::new(reqwest::Method::POST, r.core("configmaps"))
            .raw("application/json", b"{\"kind\": ".to_vec()),
    )
    .await;
    r.send(
        "kind mismatch",
        Req::post(
            r.core("configmaps"),
            &json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "k"}}),
        ),
    )
    .await;
    let mut other_ns = configmap("n", json!({}));
    other_ns["metadata"]["namespace"] = "elsewhere".into();
    r.send(
        "namespace mismatch",
        Req::post(r.core("configmaps"), &other_ns),
    )
    .await;
    r.send(
        "missing namespace",
        Req::post(
            "/api/v1/namespaces/no-such-ns-kubegen/configmaps",
            &configmap("m", json!({})),
        ),
    )
    .await;
    r.send(
        "unknown resource",
        Req::post(r.core("widgets"), &configmap("m", json!({}))),
    )
    .await;
    r.send(
        "invalid data key",
        Req::post(
            r.core("configmaps"),
            &configmap("badkey", json!({"no spaces": "x"})),
        ),
    )
    .await;
    r.send(
        "unsupported media type",
        Req::new(reqwest::Method::POST, r.core("configmaps")).raw("text/plain", b"hello".to_vec()),
    )
    .await;
}

pub(crate) async fn unknown_fields(r: &mut Run) {
    let mut cm = configmap("u", json!({}));
    cm["spec"] = json!({"foo": 1});
    r.send(
        "strict",
        Req::post(r.core("configmaps?fieldValidation=Strict"), &cm),
    )
    .await;
    r.send(
        "ignore",
        Req::post(r.core("configmaps?fieldValidation=Ignore"), &cm),
    )
    .await;
}

/// The default field validation (`Warn`) answers with a `Warning` header.
pub(crate) async fn unknown_fields_warn(r: &mut Run) {
    let mut cm = configmap("w", json!({}));
    cm["spec"] = json!({"foo": 1});
    r.send("warn", Req::post(r.core("configmaps"), &cm)).await;
}

/// Defaults, generation and managed fields of a Deployment through its lifecycle.
pub(crate) async fn deployment_generation(r: &mut Run) {
    let d = deployment("web", 1);
    let created = r.send("create", Req::post(r.apps("deployments"), &d)).await;
    let mut labelled = created.clone();
    labelled["metadata"]["labels"] = json!({"extra": "1"});
    let labelled = r
        .send(
            "update metadata",
            Req::put(r.apps("deployments/web"), &labelled),
        )
        .await;
    let mut scaled = labelled.clone();
    scaled["spec"]["replicas"] = 3.into();
    r.send("update spec", Req::put(r.apps("deployments/web"), &scaled))
        .await;
    r.send("get", Req::get(r.apps("deployments/web"))).await;
}

/// A pod as the API server defaults and admits it.
pub(crate) async fn pod_defaults(r: &mut Run) {
    r.send("create", Req::post(r.core("pods"), &pod("p"))).await;
    r.send("get", Req::get(r.core("pods/p"))).await;
}

pub(crate) async fn service_and_secret_defaults(r: &mut Run) {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "stringData": {"password": "hunter2"}});
    r.send("secret", Req::post(r.core("secrets"), &secret))
        .await;
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}});
    r.send("serviceaccount", Req::post(r.core("serviceaccounts"), &sa))
        .await;
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "r"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]});
    r.send(
        "role",
        Req::post(
            format!(
                "/apis/rbac.authorization.k8s.io/v1/namespaces/{}/roles",
                r.ns
            ),
            &role,
        ),
    )
    .await;
}

/// A minimal pod (no token automount: its projected volume's name is random).
pub(crate) fn pod(name: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"automountServiceAccountToken": false,
                 "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}})
}

/// A minimal Deployment.
pub(crate) fn deployment(name: &str, replicas: i64) -> serde_json::Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}}})
}
