//! Request handling: routing to discovery, OpenAPI and resource handlers.

mod connect;
mod connect_spdy;
mod crd;
mod crd_openapi;
mod discovery;
mod eviction;
mod fields;
mod list;
mod objects;
mod openapi;
mod output;
mod subresources;
mod watch;
mod write;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use hyper::{Method, Response};

pub(crate) use crd_openapi::Borrowed;

use crate::catalog::{Catalog, OpenApiDoc, ResourceDef, ResourceTable};
use crate::faults::{ErrorKind, Faults};
use crate::http::body::{error, json_value};
use crate::http::{ApiError, Body, Req};
use crate::pod_logs::PodLogs;
use crate::store::Store;

/// Namespaces that exist from the start, as on a fresh cluster.
pub(crate) const INITIAL_NAMESPACES: &[&str] =
    &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Everything a request handler can reach.
pub(crate) struct State {
    /// The spec's resources and documents.
    pub catalog: Arc<Catalog>,
    /// Resources served through CRDs.
    pub crds: RwLock<ResourceTable>,
    /// OpenAPI documents generated for CRD group-versions, by index path.
    pub crd_docs: RwLock<BTreeMap<String, Arc<OpenApiDoc>>>,
    /// Objects.
    pub store: Store,
    /// Fault injection.
    pub faults: Faults,
    /// Pod logs.
    pub logs: PodLogs,
    /// Interval of watch bookmarks.
    pub bookmark_interval: Duration,
    /// Ends every open stream (restart/shutdown) when it changes.
    pub streams_epoch: tokio::sync::watch::Sender<u64>,
    /// The `openAPIV3Schema` of each served CRD version, by `group/version/plural`.
    pub crd_schemas: RwLock<BTreeMap<String, Arc<serde_json::Value>>>,
}

impl State {
    /// A resource by group, version and plural: from the spec or a CRD.
    pub(crate) fn resource(&self, group: &str, version: &str, plural: &str) -> Option<ResourceDef> {
        if let Some(r) = self.catalog.resources.get(group, version, plural) {
            return Some(r.clone());
        }
        self.crds
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(group, version, plural)
            .cloned()
    }

    /// The structural schema of a custom resource's version, if its CRD has one.
    pub(crate) fn crd_schema(&self, res: &ResourceDef) -> Option<Arc<serde_json::Value>> {
        let key = format!("{}/{}/{}", res.group, res.version, res.plural);
        self.crd_schemas
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
    }

    /// All resources (spec first, then CRDs).
    pub(crate) fn all_resources(&self) -> Vec<ResourceDef> {
        let mut v: Vec<ResourceDef> = self.catalog.resources.iter().cloned().collect();
        v.extend(
            self.crds
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .cloned(),
        );
        v
    }
}

/// Where a resource request points.
#[derive(Debug)]
pub(crate) struct Target {
    /// The resource.
    pub res: ResourceDef,
    /// Namespace from the path.
    pub ns: Option<String>,
    /// Object name from the path.
    pub name: Option<String>,
    /// Subresource from the path.
    pub sub: Option<String>,
    /// Legacy `/watch/` path prefix.
    pub watch_prefix: bool,
}

/// Answers one request.
pub(crate) async fn handle(state: Arc<State>, req: Req) -> Response<Body> {
    let latency = state.faults.request_latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(kind) = state.faults.request_error() {
        return error(&match kind {
            ErrorKind::TooManyRequests { retry_after } => ApiError::too_many_requests(retry_after),
            ErrorKind::Internal => ApiError::internal("Internal error occurred: injected fault"),
            ErrorKind::Unavailable => ApiError::unavailable(),
        });
    }
    let warnings = req.warnings.clone();
    let mut resp = match route(state, req).await {
        Ok(r) => r,
        Err(e) => error(&e),
    };
    warnings.write_headers(resp.headers_mut());
    resp
}

async fn route(state: Arc<State>, req: Req) -> Result<Response<Body>, ApiError> {
    let path = req.path.trim_end_matches('/').to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["version"] => return Ok(discovery::version()),
        ["healthz"] | ["readyz"] | ["livez"] => return Ok(crate::http::body::json(200, "ok")),
        ["api"] => return Ok(discovery::api_versions(&state, &req)),
        ["apis"] => return Ok(discovery::api_groups(&state, &req)),
        ["openapi", "v3"] => return Ok(openapi::index(&state)),
        ["openapi", "v3", rest @ ..] => return openapi::document(&state, &req, &rest.join("/")),
        ["api", "v1"] => return discovery::resource_list(&state, "", "v1"),
        ["apis", g] => return discovery::group(&state, g),
        ["apis", g, v] => return discovery::resource_list(&state, g, v),
        _ => {}
    }
    let (group, version, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(ApiError::unknown_resource()),
    };
    let target = parse_target(&state, group, version, rest)?;
    if let Some(user) = req.header("impersonate-user") {
        let verb = verb_of(&req.method, &target, &req);
        return Err(ApiError::forbidden(
            user,
            verb,
            &target.res.group,
            &target.res.plural,
            target.ns.as_deref(),
        ));
    }
    check_dry_run(&req, verb_of(&req.method, &target, &req))?;
    dispatch(state, req, target).await
}

/// Whether an `Accept` header names a representation objects are served in: JSON, YAML or
/// protobuf (or a wildcard), plainly or as a known transformation (`as=Table`, …).
fn acceptable(accept: Option<&str>) -> bool {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return true;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let known_media = matches!(
            media.as_str(),
            "*/*"
                | "application/*"
                | "application/json"
                | "application/yaml"
                | "application/vnd.kubernetes.protobuf"
        );
        let known_as = parts.filter_map(|p| p.strip_prefix("as=")).all(|a| {
            matches!(
                a,
                "Table" | "PartialObjectMetadata" | "PartialObjectMetadataList"
            )
        });
        known_media && known_as
    })
}

/// `dryRun` takes `All` only (a real server validates it before anything else).
fn check_dry_run(req: &Req, verb: &str) -> Result<(), ApiError> {
    let Some(d) = req.q("dryRun").filter(|d| !d.is_empty() && *d != "All") else {
        return Ok(());
    };
    let kind = match verb {
        "create" => "CreateOptions",
        "update" => "UpdateOptions",
        "patch" => "PatchOptions",
        "delete" | "deletecollection" => "DeleteOptions",
        _ => return Ok(()),
    };
    Err(ApiError::invalid_options(
        kind,
        "FieldValueNotSupported",
        "dryRun",
        &format!("Unsupported value: [\"{d}\"]: supported values: \"All\""),
    ))
}

fn verb_of(m: &Method, t: &Target, req: &Req) -> &'static str {
    match (m.as_str(), t.name.is_some()) {
        ("GET", false) if req.q_bool("watch") || t.watch_prefix => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", false) => "deletecollection",
        ("DELETE", true) => "delete",
        _ => "unknown",
    }
}

fn parse_target(
    state: &State,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Result<Target, ApiError> {
    let mut rest = rest.to_vec();
    let mut watch_prefix = false;
    if rest.first() == Some(&"watch") {
        watch_prefix = true;
        rest.remove(0);
    }
    let mut ns = None;
    if rest.len() >= 3 && rest[0] == "namespaces" && group.is_empty() {
        // `namespaces/{name}/status` is a subresource of a namespace, not a collection.
        let is_ns_sub = rest.len() == 3
            && state
                .resource("", "v1", "namespaces")
                .is_some_and(|r| r.subresource(rest[2]).is_some());
        if !is_ns_sub {
            ns = Some(rest[1].to_string());
            rest.drain(0..2);
        }
    } else if rest.len() >= 3 && rest[0] == "namespaces" {
        ns = Some(rest[1].to_string());
        rest.drain(0..2);
    }
    let Some(plural) = rest.first() else {
        return Err(ApiError::unknown_resource());
    };
    let res = state
        .resource(group, version, plural)
        .ok_or_else(ApiError::unknown_resource)?;
    if ns.is_some() && !res.namespaced {
        return Err(ApiError::unknown_resource());
    }
    let name = rest.get(1).map(|s| s.to_string());
    let sub = rest.get(2).map(|s| s.to_string());
    // `.../{name}/proxy/{path…}`: the path belongs to the proxied target.
    if rest.len() > 3 && sub.as_deref() != Some("proxy") {
        return Err(ApiError::unknown_resource());
    }
    if let Some(s) = &sub {
        if res.subresource(s).is_none() {
            return Err(ApiError::unknown_resource());
        }
    }
    Ok(Target {
        res,
        ns,
        name,
        sub,
        watch_prefix,
    })
}

async fn dispatch(state: Arc<State>, req: Req, t: Target) -> Result<Response<Body>, ApiError> {
    let verb = verb_of(&req.method, &t, &req);
    if let Some(sub) = t.sub.clone() {
        return subresources::handle(&state, &req, &t, &sub).await;
    }
    if matches!(verb, "get" | "list" | "watch") && !acceptable(req.header("accept")) {
        return Err(ApiError::new(
            406,
            "NotAcceptable",
            "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        ));
    }
    let check = |v: &str| {
        if t.res.supports(v) {
            Ok(())
        } else {
            Err(ApiError::method_not_allowed())
        }
    };
    match verb {
        "watch" => {
            check("watch")?;
            watch::watch(state, &req, &t)
        }
        "list" => {
            check("list")?;
            list::list(&state, &req, &t)
        }
        "get" => {
            check("get")?;
            objects::get(&state, &req, &t)
        }
        "create" => {
            check("create")?;
            if t.name.is_some() {
                return Err(ApiError::method_not_allowed());
            }
            objects::create(&state, &req, &t)
        }
        "update" => {
            check("update")?;
            objects::update(&state, &req, &t)
        }
        "patch" => {
            check("patch")?;
            objects::patch(&state, &req, &t)
        }
        "delete" => {
            check("delete")?;
            objects::delete(&state, &req, &t)
        }
        "deletecollection" => {
            check("deletecollection")?;
            list::delete_collection(&state, &req, &t)
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// A `Status` of success, as deletes and some subresources answer.
pub(crate) fn success_status(code: u16, details: Option<serde_json::Value>) -> Response<Body> {
    let mut v = serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
    });
    if let Some(d) = details {
        v["details"] = d;
    } else {
        v["code"] = code.into();
    }
    json_value(code, &v)
}
