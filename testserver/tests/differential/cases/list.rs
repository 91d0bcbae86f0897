//! Lists: paging, selectors, resourceVersion semantics, other output forms.

use serde_json::{json, Value};

use super::crud::pod;
use crate::run::{configmap, Req, Run};

/// Five labelled ConfigMaps: c0..c3 with `l=a..d`, c4 with `other=x`.
async fn fill(r: &mut Run) {
    for (i, l) in ["a", "b", "c", "d"].iter().enumerate() {
        let mut cm = configmap(&format!("c{i}"), json!({"k": "v"}));
        cm["metadata"]["labels"] = json!({"l": l, "run": r.run_id});
        r.quiet(Req::post(r.core("configmaps"), &cm)).await;
    }
    let mut cm = configmap("c4", json!({"k": "v"}));
    cm["metadata"]["labels"] = json!({"other": "x", "run": r.run_id});
    r.quiet(Req::post(r.core("configmaps"), &cm)).await;
}

fn continue_of(v: &Value) -> String {
    v.pointer("/metadata/continue")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub(crate) async fn paging(r: &mut Run) {
    fill(r).await;
    let first = r
        .send("limit 2", Req::get(r.core("configmaps?limit=2")))
        .await;
    let second = r
        .send(
            "continue",
            Req::get(r.core(&format!(
                "configmaps?limit=2&continue={}",
                continue_of(&first)
            ))),
        )
        .await;
    r.send(
        "last page",
        Req::get(r.core(&format!(
            "configmaps?limit=2&continue={}",
            continue_of(&second)
        ))),
    )
    .await;
    r.send(
        "bad continue",
        Req::get(r.core("configmaps?limit=2&continue=garbage")),
    )
    .await;
    r.send(
        "limit with selector",
        Req::get(r.core("configmaps?limit=1&labelSelector=l")),
    )
    .await;
    r.send("negative limit", Req::get(r.core("configmaps?limit=-1")))
        .await;
}

pub(crate) async fn label_selectors(r: &mut Run) {
    fill(r).await;
    for (label, sel) in [
        ("equality", "l%3Da"),
        ("inequality", "l!%3Da"),
        ("set in", "l%20in%20(a,b)"),
        ("set notin", "l%20notin%20(a,b)"),
        ("exists", "l"),
        ("not exists", "!l"),
        ("two terms", "l,other!%3Dy"),
        ("invalid", "l%20in%20a"),
        ("invalid value", "l%3D%25%25"),
    ] {
        r.send(
            label,
            Req::get(r.core(&format!("configmaps?labelSelector={sel}"))),
        )
        .await;
    }
}

pub(crate) async fn field_selectors(r: &mut Run) {
    fill(r).await;
    for (label, sel) in [
        ("name", "metadata.name%3Dc1"),
        ("name not", "metadata.name!%3Dc1"),
        ("namespace", "metadata.namespace%3Ddefault"),
        ("unsupported", "data.k%3Dv"),
        ("malformed", "metadata.name"),
        // Escapes and spaces, as apimachinery's `fields.ParseSelector` reads them.
        ("escaped comma", "metadata.name%3Dc1%5C%2Cc2"),
        ("space before operator", "metadata.name%20%3Dc1"),
        ("space in value", "metadata.name%3D%20c1"),
        ("double equals", "metadata.name%3D%3Dc1"),
        ("empty terms", "%2Cmetadata.name%3Dc1%2C%2C"),
        ("unescaped equals in value", "metadata.name%3Dc1%3Dc2"),
        ("bad escape", "metadata.name%3Dc1%5Cx"),
        ("trailing backslash", "metadata.name%3Dc1%5C"),
        ("syntax before field names", "data.k%3Dv%2Cmetadata.name"),
    ] {
        r.send(
            label,
            Req::get(r.core(&format!("configmaps?fieldSelector={sel}"))),
        )
        .await;
    }
    r.quiet(Req::post(r.core("pods"), &pod("p"))).await;
    r.send(
        "pod phase",
        Req::get(r.core("pods?fieldSelector=status.phase%3DPending")),
    )
    .await;
    r.send(
        "pod node",
        Req::get(r.core("pods?fieldSelector=spec.nodeName%3D")),
    )
    .await;
}

pub(crate) async fn all_namespaces(r: &mut Run) {
    fill(r).await;
    let sel = format!("run%3D{},l%20in%20(a,b)", r.run_id);
    // Other cases of this run carry the same label: keep this namespace's only.
    let ns = format!("metadata.namespace%3D{}", r.ns);
    r.send(
        "all namespaces",
        Req::get(format!(
            "/api/v1/configmaps?labelSelector={sel}&fieldSelector={ns}"
        )),
    )
    .await;
}

pub(crate) async fn resource_versions(r: &mut Run) {
    fill(r).await;
    let list = r
        .send("rv 0", Req::get(r.core("configmaps?resourceVersion=0")))
        .await;
    let at = list
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    r.send(
        "not older than",
        Req::get(r.core(&format!(
            "configmaps?resourceVersion={at}&resourceVersionMatch=NotOlderThan"
        ))),
    )
    .await;
    r.send(
        "exact",
        Req::get(r.core(&format!(
            "configmaps?resourceVersion={at}&resourceVersionMatch=Exact"
        ))),
    )
    .await;
    r.send(
        "match without rv",
        Req::get(r.core("configmaps?resourceVersionMatch=NotOlderThan")),
    )
    .await;
    r.send(
        "invalid match",
        Req::get(r.core(&format!(
            "configmaps?resourceVersion={at}&resourceVersionMatch=Newest"
        ))),
    )
    .await;
    r.send(
        "rv 0 with limit",
        Req::get(r.core("configmaps?resourceVersion=0&limit=2")),
    )
    .await;
    r.send("bad rv", Req::get(r.core("configmaps?resourceVersion=abc")))
        .await;
    r.send(
        "get rv 0",
        Req::get(r.core("configmaps/c0?resourceVersion=0")),
    )
    .await;
}

/// Lists as metadata only, and as a Table.
pub(crate) async fn other_forms(r: &mut Run) {
    fill(r).await;
    r.send(
        "metadata list",
        Req::get(r.core("configmaps?labelSelector=l%3Da")).header(
            "Accept",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        ),
    )
    .await;
    r.send(
        "metadata get",
        Req::get(r.core("configmaps/c0")).header(
            "Accept",
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
        ),
    )
    .await;
    r.send(
        "unsupported accept",
        Req::get(r.core("configmaps/c0")).header("Accept", "application/yaml;as=Foo"),
    )
    .await;
}

pub(crate) async fn table(r: &mut Run) {
    fill(r).await;
    r.send(
        "table",
        Req::get(r.core("configmaps?labelSelector=l%3Da"))
            .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"),
    )
    .await;
}
