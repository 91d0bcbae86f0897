//! Subresources: status, scale, binding, eviction, serviceaccount token.

use serde_json::json;

use super::crud::{deployment, pod};
use crate::run::{Req, Run};

const MERGE: &str = "application/merge-patch+json";

pub(crate) async fn scale(r: &mut Run) {
    r.quiet(Req::post(r.apps("deployments"), &deployment("web", 1)))
        .await;
    let p = r.apps("deployments/web/scale");
    let scale = r.send("get scale", Req::get(&p)).await;
    let mut changed = scale.clone();
    changed["spec"]["replicas"] = 4.into();
    r.send("update scale", Req::put(&p, &changed)).await;
    r.send(
        "patch scale",
        Req::patch(&p, MERGE, &json!({"spec": {"replicas": 2}})),
    )
    .await;
    r.send(
        "negative",
        Req::patch(&p, MERGE, &json!({"spec": {"replicas": -1}})),
    )
    .await;
    r.send("deployment after", Req::get(r.apps("deployments/web")))
        .await;
}

pub(crate) async fn status(r: &mut Run) {
    r.quiet(Req::post(r.apps("deployments"), &deployment("web", 1)))
        .await;
    let p = r.apps("deployments/web/status");
    let current = r.send("get status", Req::get(&p)).await;
    let mut changed = current.clone();
    changed["status"] = json!({"replicas": 1, "observedGeneration": 1});
    changed["spec"]["replicas"] = 9.into();
    r.send("update status ignores spec", Req::put(&p, &changed))
        .await;
    r.send(
        "patch status",
        Req::patch(&p, MERGE, &json!({"status": {"readyReplicas": 1}})),
    )
    .await;
    r.send("deployment after", Req::get(r.apps("deployments/web")))
        .await;
    let mut spec_change = r.quiet(Req::get(r.apps("deployments/web"))).await;
    spec_change["status"] = json!({"replicas": 7});
    r.send(
        "main resource ignores status",
        Req::put(r.apps("deployments/web"), &spec_change),
    )
    .await;
}

pub(crate) async fn binding(r: &mut Run) {
    r.quiet(Req::post(r.core("pods"), &pod("p"))).await;
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
        "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}});
    r.send("bind", Req::post(r.core("pods/p/binding"), &binding))
        .await;
    r.send("bind again", Req::post(r.core("pods/p/binding"), &binding))
        .await;
    r.send("pod after", Req::get(r.core("pods/p"))).await;
}

/// Eviction of an unbound pod (no PDB) deletes it at once.
pub(crate) async fn eviction(r: &mut Run) {
    r.quiet(Req::post(r.core("pods"), &pod("p"))).await;
    let ev = eviction_of("p");
    r.send("evict", Req::post(r.core("pods/p/eviction"), &ev))
        .await;
    r.send("pod after", Req::get(r.core("pods/p"))).await;
    r.send("evict missing", Req::post(r.core("pods/p/eviction"), &ev))
        .await;
}

/// Eviction that a PodDisruptionBudget forbids, and a dry-run eviction.
pub(crate) async fn eviction_pdb_and_dry_run(r: &mut Run) {
    r.quiet(Req::post(r.core("pods"), &pod("p"))).await;
    r.send(
        "evict dry run",
        Req::post(r.core("pods/p/eviction?dryRun=All"), &eviction_of("p")),
    )
    .await;
    r.send("pod after dry run", Req::get(r.core("pods/p")))
        .await;
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "b"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}});
    r.quiet(Req::post(
        format!("/apis/policy/v1/namespaces/{}/poddisruptionbudgets", r.ns),
        &pdb,
    ))
    .await;
    r.send(
        "evict with pdb",
        Req::post(r.core("pods/p/eviction"), &eviction_of("p")),
    )
    .await;
    r.send("pod after", Req::get(r.core("pods/p"))).await;
}

fn eviction_of(name: &str) -> serde_json::Value {
    json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}})
}

pub(crate) async fn serviceaccount_token(r: &mut Run) {
    let req = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 3600}});
    r.send(
        "token",
        Req::post(r.core("serviceaccounts/default/token"), &req),
    )
    .await;
    r.send(
        "token missing sa",
        Req::post(r.core("serviceaccounts/nope/token"), &req),
    )
    .await;
    let short = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"expirationSeconds": 10}});
    r.send(
        "too short",
        Req::post(r.core("serviceaccounts/default/token"), &short),
    )
    .await;
}
