//! `pods/eviction`: a delete that respects PodDisruptionBudgets, as the real server's
//! eviction REST handler (`pkg/registry/core/pod/storage/eviction.go`) decides.
//!
//! There is no disruption controller here (nor on a bare real API server), so a budget's
//! status is whatever was written to it; a budget whose status was never computed
//! (`observedGeneration` behind `generation`) refuses with `429` "still being processed".

use std::sync::Arc;

use hyper::Response;
use serde_json::{json, Value};

use super::objects::{delete_one, load, DeleteOpts, Deleted};
use super::{success_status, State, Target};
use crate::http::{ApiError, Body, Req};
use crate::semantics::label_selector::LabelSelector;
use crate::semantics::now_rfc3339;
use crate::store::{Change, StoredObject};

const PDB_KEY: &str = "policy/poddisruptionbudgets";
/// The real server refuses evictions while this many are unconfirmed by the controller.
const MAX_DISRUPTED_PODS: usize = 2000;
/// `Retry-After` of a budget not yet processed, as the real server sends.
const UNPROCESSED_RETRY_SECONDS: u32 = 10;

/// POST `pods/{name}/eviction`.
pub(crate) fn eviction(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
) -> Result<Response<Body>, ApiError> {
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("couldn't decode Eviction: {e}")))?;
    let opts = delete_options(req, &body);
    let pod = load(state, t)?;
    if !can_ignore_budgets(&pod.value) {
        check_budgets(state, &pod, opts.dry_run)?;
    }
    match delete_one(state, &t.res, &pod.namespace, &pod.name, &opts)? {
        Deleted::Gone(_) | Deleted::Terminating(_) => Ok(success_status(201, None)),
    }
}

/// The eviction's `deleteOptions`; `dryRun` from the body or the query.
fn delete_options(req: &Req, body: &Value) -> DeleteOpts {
    let text = |p: &str| body.pointer(p).and_then(Value::as_str).map(str::to_string);
    let dry_in_body = body
        .pointer("/deleteOptions/dryRun")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x == "All"));
    DeleteOpts {
        uid: text("/deleteOptions/preconditions/uid"),
        rv: text("/deleteOptions/preconditions/resourceVersion"),
        dry_run: dry_in_body || req.q("dryRun") == Some("All"),
    }
}

/// Pods that are not running (or already terminating) are evicted without a budget check.
/// A pod without a phase counts as `Pending`, the phase a real server gives every new pod.
fn can_ignore_budgets(pod: &Value) -> bool {
    let phase = pod
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending");
    matches!(phase, "Pending" | "Succeeded" | "Failed")
        || pod.pointer("/metadata/deletionTimestamp").is_some()
}

fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// The budgets of the pod's namespace whose (non-empty) selector matches it.
fn matching_budgets(state: &State, pod: &StoredObject) -> Vec<Arc<StoredObject>> {
    let Ok(snap) = state.store.snapshot(PDB_KEY, Some(&pod.namespace), None) else {
        return Vec::new();
    };
    snap.items
        .into_iter()
        .filter(|pdb| {
            let Some(sel) = pdb.value.pointer("/spec/selector") else {
                return false;
            };
            match LabelSelector::parse(&LabelSelector::to_string_from_object(sel)) {
                // An empty selector matches nothing here, unlike in lists.
                Ok(s) => !s.is_empty() && s.matches(pod.labels()),
                Err(_) => false,
            }
        })
        .collect()
}

fn int_at(v: &Value, p: &str) -> i64 {
    v.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

/// Refuses the eviction when the pod's budget does not allow it; otherwise counts it
/// against the budget (unless `dry_run`).
fn check_budgets(state: &State, pod: &StoredObject, dry_run: bool) -> Result<(), ApiError> {
    let budgets = matching_budgets(state, pod);
    let pdb = match budgets.as_slice() {
        [] => return Ok(()),
        [one] => one,
        _ => return Err(ApiError::internal(
            "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
        )),
    };
    if unhealthy_pod_may_go(&pdb.value, &pod.value) {
        return Ok(());
    }
    let status = decremented_status(&pdb.value, &pdb.name, &pod.name)?;
    if dry_run {
        return Ok(());
    }
    state
        .store
        .mutate(PDB_KEY, &pdb.namespace, &pdb.name, |cur, _| {
            let Some(cur) = cur else {
                return Err(ApiError::not_found_gr(
                    "policy",
                    "poddisruptionbudgets",
                    &pdb.name,
                ));
            };
            if cur.rv != pdb.rv {
                return Err(budget_conflict(&pdb.name));
            }
            let mut v = cur.value.clone();
            v["status"] = status;
            Ok(Change::Put(v))
        })
        .map(|_| ())
}

/// A pod that is not Ready may go while the budget is met (policy `IfHealthyBudget`, the
/// default), or always (policy `AlwaysAllow`).
fn unhealthy_pod_may_go(pdb: &Value, pod: &Value) -> bool {
    if is_ready(pod) {
        return false;
    }
    match pdb
        .pointer("/spec/unhealthyPodEvictionPolicy")
        .and_then(Value::as_str)
    {
        Some("AlwaysAllow") => true,
        _ => {
            let desired = int_at(pdb, "/status/desiredHealthy");
            desired > 0 && int_at(pdb, "/status/currentHealthy") >= desired
        }
    }
}

/// The budget's status after one more disruption, or why it allows none.
fn decremented_status(pdb: &Value, name: &str, pod: &str) -> Result<Value, ApiError> {
    let generation = int_at(pdb, "/metadata/generation");
    if int_at(pdb, "/status/observedGeneration") < generation {
        return Err(too_many_requests(
            format!("The disruption budget {name} is still being processed by the server."),
            Some(UNPROCESSED_RETRY_SECONDS),
        ));
    }
    let allowed = int_at(pdb, "/status/disruptionsAllowed");
    if allowed < 0 {
        return Err(ApiError::new(
            403,
            "Forbidden",
            "pdb disruptions allowed is negative",
        ));
    }
    let disrupted = pdb
        .pointer("/status/disruptedPods")
        .and_then(Value::as_object)
        .map_or(0, |m| m.len());
    if disrupted > MAX_DISRUPTED_PODS {
        return Err(ApiError::new(
            403,
            "Forbidden",
            "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
        ));
    }
    if allowed == 0 {
        return Err(too_many_requests(
            format!(
                "The disruption budget {name} needs {} healthy pods and has {} currently",
                int_at(pdb, "/status/desiredHealthy"),
                int_at(pdb, "/status/currentHealthy")
            ),
            None,
        ));
    }
    let mut status = pdb.get("status").cloned().unwrap_or_else(|| json!({}));
    let now = now_rfc3339();
    status["disruptionsAllowed"] = json!(allowed - 1);
    if !status["disruptedPods"].is_object() {
        status["disruptedPods"] = json!({});
    }
    status["disruptedPods"][pod] = json!(now);
    if allowed == 1 {
        status["conditions"] = json!([{
            "type": "DisruptionAllowed",
            "status": "False",
            "observedGeneration": generation,
            "lastTransitionTime": now,
            "reason": "InsufficientPods",
            "message": "",
        }]);
    }
    Ok(status)
}

/// The `429` of a budget that allows no disruption now.
fn too_many_requests(cause: String, retry_after: Option<u32>) -> ApiError {
    let mut e = ApiError::new(
        429,
        "TooManyRequests",
        "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    e.status.details = Some(kubegen_runtime::meta::StatusDetails {
        causes: Some(vec![kubegen_runtime::meta::StatusCause {
            reason: Some("DisruptionBudget".into()),
            message: Some(cause),
            field: None,
        }]),
        retry_after_seconds: retry_after.map(i32::try_from).and_then(Result::ok),
        ..Default::default()
    });
    e.retry_after = retry_after;
    e
}

fn budget_conflict(name: &str) -> ApiError {
    ApiError::new(
        409,
        "Conflict",
        format!("Operation cannot be fulfilled on poddisruptionbudgets.policy \"{name}\": the object has been modified; please apply your changes to the latest version and try again"),
    )
}
