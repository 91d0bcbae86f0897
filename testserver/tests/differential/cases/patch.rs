//! Every patch type (JSON, merge, strategic merge, apply) with conflicts and force.

use serde_json::json;

use super::crud::deployment;
use crate::run::{configmap, Req, Run};

const MERGE: &str = "application/merge-patch+json";
const JSON: &str = "application/json-patch+json";
const STRATEGIC: &str = "application/strategic-merge-patch+json";

pub(crate) async fn merge_and_json(r: &mut Run) {
    r.quiet(Req::post(
        r.core("configmaps"),
        &configmap("a", json!({"k": "v", "drop": "x"})),
    ))
    .await;
    let p = r.core("configmaps/a");
    r.send(
        "merge",
        Req::patch(&p, MERGE, &json!({"data": {"k2": "v2", "drop": null}})),
    )
    .await;
    r.send(
        "json",
        Req::patch(
            &p,
            JSON,
            &json!([{"op": "add", "path": "/data/k3", "value": "v3"},
                                     {"op": "replace", "path": "/data/k", "value": "w"}]),
        ),
    )
    .await;
    r.send(
        "json failed test",
        Req::patch(
            &p,
            JSON,
            &json!([{"op": "test", "path": "/data/k", "value": "nope"}]),
        ),
    )
    .await;
    r.send(
        "json bad path",
        Req::patch(
            &p,
            JSON,
            &json!([{"op": "remove", "path": "/data/missing"}]),
        ),
    )
    .await;
    r.send(
        "json not a list",
        Req::patch(&p, JSON, &json!({"op": "add"})),
    )
    .await;
    r.send(
        "strategic on configmap",
        Req::patch(&p, STRATEGIC, &json!({"metadata": {"labels": {"s": "1"}}})),
    )
    .await;
    r.send(
        "missing",
        Req::patch(
            r.core("configmaps/nope"),
            MERGE,
            &json!({"data": {"k": "v"}}),
        ),
    )
    .await;
    r.send(
        "unsupported type",
        Req::new(reqwest::Method::PATCH, p.clone()).raw("text/plain", b"x".to_vec()),
    )
    .await;
    r.send(
        "rv precondition",
        Req::patch(
            &p,
            MERGE,
            &json!({"metadata": {"resourceVersion": "1"}, "data": {"z": "1"}}),
        ),
    )
    .await;
}

/// An empty merge patch changes nothing and keeps the resourceVersion.
pub(crate) async fn empty_patch(r: &mut Run) {
    r.send(
        "create",
        Req::post(r.core("configmaps"), &configmap("a", json!({"k": "v"}))),
    )
    .await;
    r.send(
        "empty merge",
        Req::patch(r.core("configmaps/a"), MERGE, &json!({})),
    )
    .await;
}

pub(crate) async fn strategic_lists(r: &mut Run) {
    let mut d = deployment("web", 1);
    d["spec"]["template"]["spec"]["containers"][0]["env"] = json!([{"name": "A", "value": "1"}]);
    r.quiet(Req::post(r.apps("deployments"), &d)).await;
    let p = r.apps("deployments/web");
    r.send(
        "merge container by name",
        Req::patch(
            &p,
            STRATEGIC,
            &json!({"spec": {"template": {"spec": {"containers": [
            {"name": "c", "env": [{"name": "B", "value": "2"}]},
            {"name": "side", "image": "registry.k8s.io/pause:3.10"}]}}}}),
        ),
    )
    .await;
    r.send(
        "delete directive",
        Req::patch(
            &p,
            STRATEGIC,
            &json!({"spec": {"template": {"spec": {"containers": [
            {"name": "side", "$patch": "delete"}]}}}}),
        ),
    )
    .await;
    r.send(
        "merge patch replaces list",
        Req::patch(
            &p,
            MERGE,
            &json!({"spec": {"template": {"spec": {"containers": [
            {"name": "only", "image": "registry.k8s.io/pause:3.10"}]}}}}),
        ),
    )
    .await;
}

pub(crate) async fn apply(r: &mut Run) {
    let p = r.core("configmaps/a");
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"x": "1"}},
        "data": {"owned": "by-a"}});
    r.send("apply create", Req::apply(&p, "mgr-a", false, &obj))
        .await;
    r.send(
        "apply other field",
        Req::apply(
            &p,
            "mgr-b",
            false,
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a"}, "data": {"other": "by-b"}}),
        ),
    )
    .await;
    let conflicting = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
        "data": {"owned": "by-b"}});
    r.send("conflict", Req::apply(&p, "mgr-b", false, &conflicting))
        .await;
    r.send("force", Req::apply(&p, "mgr-b", true, &conflicting))
        .await;
    r.send(
        "apply drops field",
        Req::apply(
            &p,
            "mgr-a",
            false,
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "labels": {"x": "1"}}}),
        ),
    )
    .await;
    r.send(
        "update by other manager",
        Req::patch(
            format!("{p}?fieldManager=editor"),
            MERGE,
            &json!({"data": {"edited": "1"}}),
        ),
    )
    .await;
    r.send(
        "no fieldManager",
        Req::patch(&p, "application/apply-patch+yaml", &obj),
    )
    .await;
    r.send(
        "yaml body",
        Req::new(reqwest::Method::PATCH, format!("{p}?fieldManager=yaml")).raw(
            "application/apply-patch+yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  fromyaml: \"1\"\n"
                .to_vec(),
        ),
    )
    .await;
    r.send(
        "kind missing",
        Req::apply(&p, "mgr-c", false, &json!({"metadata": {"name": "a"}})),
    )
    .await;
    r.send(
        "name mismatch",
        Req::apply(
            &p,
            "mgr-c",
            false,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "zz"}}),
        ),
    )
    .await;
}

/// Applying the same configuration again changes nothing and keeps the resourceVersion.
pub(crate) async fn apply_identical(r: &mut Run) {
    let p = r.core("configmaps/a");
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}});
    r.send("apply", Req::apply(&p, "mgr", false, &obj)).await;
    r.send("again", Req::apply(&p, "mgr", false, &obj)).await;
}

/// Apply on a Deployment: keyed lists (containers by name) and the status subresource.
pub(crate) async fn apply_deployment(r: &mut Run) {
    let p = r.apps("deployments/web");
    let d = deployment("web", 2);
    r.send(
        "apply create",
        Req::apply(&p, "kube-controller-manager", false, &d),
    )
    .await;
    r.send(
        "second manager adds a container",
        Req::apply(&p, "sidecar-injector", false, &json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "side", "image": "registry.k8s.io/pause:3.10"}]}}}})),
    )
    .await;
    r.send(
        "conflict on replicas",
        Req::apply(
            &p,
            "hpa",
            false,
            &json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 5}}),
        ),
    )
    .await;
    r.send(
        "status apply",
        Req::apply(
            format!("{p}/status"),
            "deployment-controller",
            true,
            &json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "status": {"replicas": 2, "observedGeneration": 1}}),
        ),
    )
    .await;
}
