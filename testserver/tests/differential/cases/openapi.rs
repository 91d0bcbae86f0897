//! `/openapi/v3` and a CRD's publication in it; custom resources' defaulting and pruning.

use std::time::Duration;

use serde_json::json;

use crate::run::{Req, Run};

/// Installs a namespaced `Widget` CRD in a group unique to this case and run (named after
/// its namespace) and waits until it is served; returns the group.
async fn install_crd(r: &mut Run) -> String {
    let group = format!("{}.kubegen.dev", r.ns);
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "size": {"type": "integer", "default": 3},
                        "color": {"type": "string", "enum": ["red", "blue"]}}},
                    "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}}}}}]}});
    let path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    r.quiet(Req::post(path, &crd)).await;
    r.cleanup.push(format!("{path}/widgets.{group}"));
    for _ in 0..100 {
        let got = r.quiet(Req::get(format!("{path}/widgets.{group}"))).await;
        let established = got["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Established" && c["status"] == "True")
        });
        let listable = r
            .quiet(Req::get(format!(
                "/apis/{group}/v1/namespaces/{}/widgets",
                r.ns
            )))
            .await;
        if established && listable["kind"] == "WidgetList" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    group
}

/// The CRD's group-version document (fetched through the index's `serverRelativeURL`).
pub(crate) async fn crd_document(r: &mut Run) {
    let group = install_crd(r).await;
    let key = format!("apis/{group}/v1");
    let mut url = None;
    for _ in 0..100 {
        let index = r.quiet(Req::get("/openapi/v3")).await;
        if let Some(u) = index["paths"][&key]["serverRelativeURL"].as_str() {
            url = Some(u.to_string());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let url = url.unwrap_or_else(|| format!("/openapi/v3/{key}"));
    r.send("document", Req::get(&url)).await;
    r.send("without hash", Req::get(format!("/openapi/v3/{key}")))
        .await;
    r.send(
        "stale hash",
        Req::get(format!("/openapi/v3/{key}?hash=0000")),
    )
    .await;
}

/// Defaults from the schema are applied and unknown fields pruned.
pub(crate) async fn crd_defaulting_and_pruning(r: &mut Run) {
    let group = install_crd(r).await;
    let p = format!("/apis/{group}/v1/namespaces/{}/widgets", r.ns);
    let w = json!({"apiVersion": format!("{group}/v1"), "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"color": "red", "unknown": 1}, "extra": true});
    r.send("create", Req::post(&p, &w)).await;
    r.send("get", Req::get(format!("{p}/w"))).await;
    let mut invalid = w.clone();
    invalid["metadata"]["name"] = "v".into();
    invalid["spec"]["color"] = "green".into();
    r.send("enum violation", Req::post(&p, &invalid)).await;
}

/// Custom resources: CRUD, the status subresource and apply.
pub(crate) async fn crd_objects(r: &mut Run) {
    let group = install_crd(r).await;
    let p = format!("/apis/{group}/v1/namespaces/{}/widgets", r.ns);
    let w = json!({"apiVersion": format!("{group}/v1"), "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"size": 1, "color": "blue"}});
    let created = r.send("create", Req::post(&p, &w)).await;
    let mut status = created.clone();
    status["status"] = json!({"ready": true});
    r.send("update status", Req::put(format!("{p}/w/status"), &status))
        .await;
    r.send(
        "apply",
        Req::apply(
            format!("{p}/w"),
            "mgr",
            true,
            &json!({"apiVersion": format!("{group}/v1"),
            "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 2}}),
        ),
    )
    .await;
    r.send("list", Req::get(&p)).await;
    r.send("delete", Req::delete(format!("{p}/w"))).await;
}

/// A built-in group-version's document.
pub(crate) async fn builtin_document(r: &mut Run) {
    r.send("apps v1", Req::get("/openapi/v3/apis/apps/v1"))
        .await;
}
