//! Subresources: status, scale, pods/eviction, pods/binding, serviceaccounts/token,
//! pods/log; the connect verbs of pods are in `connect`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::{Method, Response};
use serde_json::{json, Value};

use super::objects::{self, apply_patch, load, write_update};
use super::write::{check_type, parse_body};
use super::{success_status, State, Target};
use crate::catalog::{ResourceDef, ScalePaths};
use crate::http::body::{channel, json_value};
use crate::http::{ApiError, Body, Req};
use crate::semantics::label_selector::LabelSelector;
use crate::semantics::rfc3339_in;
use crate::store::StoredObject;

/// Dispatches a subresource request.
pub(crate) async fn handle(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
    sub: &str,
) -> Result<Response<Body>, ApiError> {
    let verbs = t
        .res
        .subresource(sub)
        .map(|s| s.verbs.clone())
        .unwrap_or_default();
    let allowed = |v: &str| verbs.iter().any(|x| x == v);
    let m = &req.method;
    match (sub, m.as_str()) {
        ("status", "GET") if allowed("get") => objects::get(state, req, t),
        ("status", "PUT") if allowed("update") => {
            let body = parse_body(req, &t.res)?;
            check_type(&body, &t.res, &t.res.kind, &t.res.group)?;
            write_update(state, req, t, Some("status"), move |_| Ok(body))
        }
        ("status", "PATCH") if allowed("patch") => {
            objects::patch_sub(state, req, t, Some("status"))
        }
        ("scale", _) => scale(state, req, t, m),
        ("eviction", "POST") => super::eviction::eviction(state, req, t),
        ("binding", "POST") => binding(state, req, t),
        ("token", "POST") => token(state, req, t),
        ("log", "GET") => log(state, req, t).await,
        ("exec", "GET" | "POST") => super::connect::exec(state, req, t, false),
        ("attach", "GET" | "POST") => super::connect::exec(state, req, t, true),
        ("portforward", "GET" | "POST") => super::connect::port_forward(state, req, t),
        ("proxy", _) => super::connect::proxy(state, t),
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn scale_paths(res: &ResourceDef) -> ScalePaths {
    res.scale_paths.clone().unwrap_or(ScalePaths {
        spec_replicas: ".spec.replicas".into(),
        status_replicas: ".status.replicas".into(),
        label_selector: None,
    })
}

fn pointer(path: &str) -> String {
    path.replace('.', "/")
}

fn to_scale(res: &ResourceDef, obj: &Value) -> Value {
    let p = scale_paths(res);
    let meta = obj.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let mut m = serde_json::Map::new();
    for k in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = meta.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    let spec_replicas = obj
        .pointer(&pointer(&p.spec_replicas))
        .cloned()
        .unwrap_or(json!(if res.custom { 0 } else { 1 }));
    let status_replicas = obj
        .pointer(&pointer(&p.status_replicas))
        .cloned()
        .unwrap_or(json!(0));
    let mut status = json!({"replicas": status_replicas});
    let selector = match &p.label_selector {
        Some(path) => obj
            .pointer(&pointer(path))
            .and_then(Value::as_str)
            .map(str::to_string),
        None if !res.custom => obj.pointer("/spec/selector").map(|s| {
            if s.get("matchLabels").is_some() || s.get("matchExpressions").is_some() {
                LabelSelector::to_string_from_object(s)
            } else {
                // ReplicationController: a plain map
                s.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default()
            }
        }),
        None => None,
    };
    if let Some(s) = selector {
        status["selector"] = json!(s);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": Value::Object(m),
        "spec": {"replicas": spec_replicas},
        "status": status,
    })
}

fn set_pointer(obj: &mut Value, ptr: &str, v: Value) {
    let parts: Vec<&str> = ptr.split('/').filter(|s| !s.is_empty()).collect();
    let mut cur = obj;
    for (i, p) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Some(map) = cur.as_object_mut() else {
            return;
        };
        if i == parts.len() - 1 {
            map.insert((*p).to_string(), v);
            return;
        }
        cur = map.entry((*p).to_string()).or_insert_with(|| json!({}));
    }
}

fn scale(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
    m: &Method,
) -> Result<Response<Body>, ApiError> {
    let res = t.res.clone();
    let scale_json = |o: &crate::store::StoredObject| {
        let v = o.to_value(&res.kind, &res.api_version());
        json_value(200, &to_scale(&res, &v))
    };
    match m.as_str() {
        "GET" => Ok(scale_json(&*load(state, t)?)),
        "PUT" | "PATCH" => {
            let ct = req.content_type();
            let body = req.body.clone();
            let is_put = m == Method::PUT;
            let res2 = res.clone();
            let r = write_update(state, req, t, Some("scale"), move |cur| {
                let current_scale = to_scale(&res2, cur);
                let new_scale = if is_put {
                    serde_json::from_slice::<Value>(&body)
                        .map_err(|e| ApiError::bad_request(format!("couldn't decode Scale: {e}")))?
                } else {
                    apply_patch(&ct, &current_scale, &body, None)?
                };
                let replicas = new_scale
                    .pointer("/spec/replicas")
                    .cloned()
                    .unwrap_or(json!(0));
                if !replicas.is_i64() || replicas.as_i64().is_some_and(|r| r < 0) {
                    // Validated as the autoscaling/v1 Scale it was sent as.
                    return Err(ApiError::invalid_kind(
                        "autoscaling",
                        "Scale",
                        cur.pointer("/metadata/name")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                        vec![(
                            "FieldValueInvalid".into(),
                            "spec.replicas".into(),
                            format!(
                                "Invalid value: {replicas}: must be greater than or equal to 0"
                            ),
                        )],
                    ));
                }
                let mut out = cur.clone();
                set_pointer(
                    &mut out,
                    &pointer(&scale_paths(&res2).spec_replicas),
                    replicas,
                );
                let rv = new_scale.pointer("/metadata/resourceVersion").cloned();
                if let Some(m) = out.get_mut("metadata").and_then(Value::as_object_mut) {
                    match rv {
                        Some(rv) if rv.as_str().is_some_and(|s| !s.is_empty()) => {
                            m.insert("resourceVersion".into(), rv);
                        }
                        _ => {
                            m.remove("resourceVersion");
                        }
                    }
                }
                Ok(out)
            })?;
            // Answer with the Scale of the stored object.
            let o = load(state, t)?;
            let _ = r;
            Ok(scale_json(&o))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn binding(state: &Arc<State>, req: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("couldn't decode Binding: {e}")))?;
    let node = body
        .pointer("/target/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            ApiError::invalid(
                &t.res,
                t.name.as_deref().unwrap_or_default(),
                vec![(
                    "FieldValueRequired".into(),
                    "target.name".into(),
                    "Required value".into(),
                )],
            )
        })?
        .to_string();
    let name = t.name.clone().unwrap_or_default();
    write_update(state, req, t, Some("binding"), move |cur| {
        if cur
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty())
        {
            return Err(ApiError::conflict_on(
                "pods/binding",
                &name,
                format!("Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{}\"", cur.pointer("/spec/nodeName").and_then(Value::as_str).unwrap_or_default()),
            ));
        }
        let mut out = cur.clone();
        set_pointer(&mut out, "/spec/nodeName", json!(node));
        if let Some(m) = out.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        Ok(out)
    })?;
    Ok(success_status(201, None))
}

fn token(state: &Arc<State>, req: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    let sa = load(state, t)?;
    let body: Value = if req.body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&req.body)
            .map_err(|e| ApiError::bad_request(format!("couldn't decode TokenRequest: {e}")))?
    };
    let exp = body
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(3600);
    if exp < 600 {
        return Err(ApiError::invalid_kind(
            "authentication.k8s.io",
            "TokenRequest",
            "",
            vec![(
                "FieldValueInvalid".into(),
                "spec.expirationSeconds".into(),
                format!("Invalid value: {exp}: may not specify a duration less than 10 minutes"),
            )],
        ));
    }
    let audiences = body
        .pointer("/spec/audiences")
        .filter(|a| a.as_array().is_some_and(|a| !a.is_empty()))
        .cloned()
        .unwrap_or_else(|| json!(["https://kubernetes.default.svc.cluster.local"]));
    let token = format!("testserver.{}.{}", sa.name, uuid::Uuid::new_v4().simple());
    let now = crate::semantics::now_rfc3339();
    // A real server answers with the managed fields of the request's spec, as an Update
    // of the `token` subresource.
    let spec_only = json!({"spec": body.get("spec").cloned().unwrap_or_else(|| json!({}))});
    let owned = crate::semantics::managed_fields::field_set(
        &spec_only,
        crate::semantics::managed_fields::Scope::Main {
            exclude_status: true,
        },
        false,
    );
    let managed = json!([{
        "manager": req.field_manager(),
        "operation": "Update",
        "apiVersion": "authentication.k8s.io/v1",
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": crate::semantics::managed_fields::to_fields_v1(&owned),
        "subresource": "token",
    }]);
    let v = json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {
            "name": sa.name,
            "namespace": sa.namespace,
            "uid": sa.uid(),
            "creationTimestamp": now,
            "managedFields": managed,
        },
        "spec": {
            "audiences": audiences,
            "expirationSeconds": exp,
            "boundObjectRef": body.pointer("/spec/boundObjectRef").cloned().unwrap_or(Value::Null),
        },
        "status": {"token": token, "expirationTimestamp": rfc3339_in(exp)},
    });
    Ok(json_value(201, &v))
}

/// The container a request names, or the pod's only one, with the API server's errors for a
/// container the pod does not have or a choice left open.
pub(super) fn container_of(pod: &StoredObject, asked: Option<&str>) -> Result<String, ApiError> {
    let containers: Vec<String> = pod
        .value
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    match asked.filter(|c| !c.is_empty()) {
        Some(c) => {
            if !containers.is_empty() && !containers.iter().any(|x| x == c) {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {}",
                    pod.name
                )));
            }
            Ok(c.to_string())
        }
        None if containers.len() == 1 => Ok(containers[0].clone()),
        None if containers.is_empty() => Ok(String::new()),
        None => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {}, choose one of: [{}]",
            pod.name,
            containers.join(" ")
        ))),
    }
}

async fn log(state: &Arc<State>, req: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    let pod = load(state, t)?;
    let container = container_of(&pod, req.q("container"))?;
    let follow = req.q_bool("follow");
    let timestamps = req.q_bool("timestamps");
    let tail: Option<usize> = req
        .q("tailLines")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .map(|n| n as usize);
    let since: Option<jiff::Timestamp> = req
        .q("sinceSeconds")
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| {
            jiff::Timestamp::now()
                .checked_sub(jiff::SignedDuration::from_secs(s))
                .ok()
        })
        .or_else(|| req.q("sinceTime").and_then(|s| s.parse().ok()));
    let ns = pod.namespace.clone();
    let name = pod.name.clone();
    let fmt = move |l: &crate::pod_logs::Line| {
        if timestamps {
            format!("{} {}\n", l.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), l.text)
        } else {
            format!("{}\n", l.text)
        }
    };
    let all = state.logs.lines(&ns, &name, &container, 0);
    let mut start = all.len();
    let mut selected: Vec<&crate::pod_logs::Line> = all
        .iter()
        .filter(|l| since.is_none_or(|s| l.time >= s))
        .collect();
    if let Some(n) = tail {
        let skip = selected.len().saturating_sub(n);
        selected.drain(..skip);
    }
    let text: String = selected.into_iter().map(&fmt).collect();
    if !follow {
        let mut r = Response::new(crate::http::body::full(text));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain"),
        );
        return Ok(r);
    }
    let (tx, body) = channel();
    let state = state.clone();
    tokio::spawn(async move {
        let mut changes = state.logs.subscribe(&ns, &name, &container);
        let mut epoch = state.streams_epoch.subscribe();
        epoch.borrow_and_update();
        if tx.send(Bytes::from(text)).await.is_err() {
            return;
        }
        loop {
            changes.borrow_and_update();
            let new = state.logs.lines(&ns, &name, &container, start);
            start += new.len();
            if !new.is_empty() {
                let chunk: String = new.iter().map(&fmt).collect();
                if tx.send(Bytes::from(chunk)).await.is_err() {
                    return;
                }
            }
            // Logs are replaced by set_pod_log: start over when the log shrank.
            let total = state.logs.lines(&ns, &name, &container, 0).len();
            if total < start {
                start = total;
            }
            tokio::select! {
                r = changes.changed() => if r.is_err() { return },
                _ = epoch.changed() => return,
                _ = tx.closed() => return,
                _ = tokio::time::sleep(Duration::from_secs(3600)) => {},
            }
            if state.store.get("/pods", &ns, &name).is_none() {
                return;
            }
        }
    });
    let mut r = Response::new(body);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    Ok(r)
}
