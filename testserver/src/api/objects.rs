//! get, create, update (PUT), patch (all four types) and delete of single objects.

use std::sync::Arc;

use hyper::Response;
use serde_json::{json, Value};

use super::fields;
use super::output::{check_metadata_form, object_response};
use super::write::{
    after_commit, body_rv, check_identity, check_type, finish_update, parse_body, prepare_create,
};
use super::{success_status, State, Target};
use crate::catalog::ResourceDef;
use crate::http::{ApiError, Body, Req};
use crate::semantics::managed_fields::{self, Scope, Writer};
use crate::semantics::patch::{self, PatchError};
use crate::semantics::schema::{self, Node};
use crate::semantics::{now_rfc3339, validation};
use crate::store::{Change, StoredObject};

fn name_of(t: &Target) -> &str {
    t.name.as_deref().unwrap_or_default()
}

fn ns_of(t: &Target) -> &str {
    t.ns.as_deref().unwrap_or_default()
}

/// Loads an object or answers 404.
pub(crate) fn load(state: &State, t: &Target) -> Result<Arc<StoredObject>, ApiError> {
    state
        .store
        .get(&t.res.storage_key(), ns_of(t), name_of(t))
        .ok_or_else(|| ApiError::not_found(&t.res, name_of(t)))
}

/// GET of one object.
pub(crate) fn get(state: &State, req: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    let o = load(state, t)?;
    check_metadata_form(req, &t.res, false)?;
    Ok(object_response(req, &t.res, &o, 200))
}

fn namespace_exists(state: &State, t: &Target) -> Result<(), ApiError> {
    if !t.res.namespaced {
        return Ok(());
    }
    let ns = ns_of(t);
    if state.store.get("/namespaces", "", ns).is_none() {
        return Err(ApiError::not_found_gr("", "namespaces", ns));
    }
    Ok(())
}

fn dry_run(req: &Req) -> bool {
    req.q("dryRun").is_some_and(|d| d == "All")
}

/// Refuses a ConfigMap or Secret with invalid keys (422, as a real server's validation).
fn check_config_keys(res: &ResourceDef, obj: &Value) -> Result<(), ApiError> {
    if !res.group.is_empty() || !matches!(res.plural.as_str(), "configmaps" | "secrets") {
        return Ok(());
    }
    let bad = validation::invalid_config_keys(obj);
    if bad.is_empty() {
        return Ok(());
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let causes = bad
        .into_iter()
        .map(|(field, message)| ("FieldValueInvalid".to_string(), field, message))
        .collect();
    Err(ApiError::invalid(res, name, causes))
}

/// Drops the empty maps and lists of optional fields of a built-in object, as a real
/// server's decoding does (custom resources keep them: they are not Go types).
fn drop_empty_fields(state: &State, res: &ResourceDef, obj: &mut Value) {
    if res.custom {
        return;
    }
    if let Some(schemas) = schema::for_resource(&state.catalog, res) {
        if let Some(node) = schemas.of_kind(&res.group, &res.version, &res.kind) {
            schema::drop_empty(obj, node);
        }
    }
}

/// POST to a collection.
pub(crate) fn create(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
) -> Result<Response<Body>, ApiError> {
    let res = &t.res;
    let mut body = parse_body(req, res)?;
    check_type(&body, res, &res.kind, &res.group)?;
    if res.verbs == ["create"] {
        // Review-style resources (TokenReview, SubjectAccessReview, ...) are answered, not stored.
        return Ok(crate::http::body::json_value(201, &body));
    }
    check_identity(&mut body, res, t.ns.as_deref())?;
    fields::check(state, req, res, &mut body)?;
    drop_empty_fields(state, res, &mut body);
    let obj = prepare_create(req, res, body, true)?;
    check_config_keys(res, &obj)?;
    namespace_exists(state, t)?;
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let ns = ns_of(t).to_string();
    if dry_run(req) {
        if state.store.get(&res.storage_key(), &ns, &name).is_some() {
            return Err(ApiError::already_exists(res, &name));
        }
        let o = StoredObject::new(obj, 0);
        let mut v = o.to_value(&res.kind, &res.api_version());
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        return Ok(crate::http::body::json_value(201, &v));
    }
    let stored = state
        .store
        .mutate(&res.storage_key(), &ns, &name, |cur, _| {
            if cur.is_some() {
                return Err(ApiError::already_exists(res, &name));
            }
            Ok(Change::Put(obj))
        })?
        .ok_or_else(|| ApiError::internal("object vanished during create"))?;
    after_commit(state, res, Some(&stored), false);
    Ok(object_response(req, res, &stored, 201))
}

/// PUT of one object.
pub(crate) fn update(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
) -> Result<Response<Body>, ApiError> {
    let res = &t.res;
    let mut body = parse_body(req, res)?;
    check_type(&body, res, &res.kind, &res.group)?;
    check_identity(&mut body, res, t.ns.as_deref())?;
    let name = name_of(t);
    let body_name = body
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    write_update(state, req, t, None, move |_cur| Ok(body))
}

/// Runs a read-modify-write on one object: `f` maps the current object (with kind and
/// apiVersion) to the desired one; resourceVersion preconditions and the shared update
/// steps are applied. Answers 404 when the object is missing.
pub(crate) fn write_update(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
    sub: Option<&str>,
    f: impl FnOnce(&Value) -> Result<Value, ApiError>,
) -> Result<Response<Body>, ApiError> {
    let res = &t.res;
    let name = name_of(t).to_string();
    let mut deleted = false;
    let dry = dry_run(req);
    let mut preview = None;
    let stored = state
        .store
        .mutate(&res.storage_key(), ns_of(t), &name, |cur, _| {
            let cur = cur.ok_or_else(|| ApiError::not_found(res, &name))?;
            let typed = cur.to_value(&res.kind, &res.api_version());
            let mut new = f(&typed)?;
            if !new.is_object() {
                return Err(ApiError::unprocessable());
            }
            fields::check(state, req, res, &mut new)?;
            drop_empty_fields(state, res, &mut new);
            check_config_keys(res, &new)?;
            if let Some(rv) = body_rv(&new) {
                if rv != cur.rv.to_string() {
                    return Err(ApiError::stale(res, &name));
                }
            }
            let change = finish_update(req, res, cur, new, sub, true);
            if dry {
                if let Change::Put(v) = change {
                    preview = Some(StoredObject::new(v, cur.rv));
                }
                return Ok(Change::None);
            }
            deleted = matches!(change, Change::Delete | Change::DeleteFinal(_));
            Ok(change)
        })?;
    if let Some(p) = preview {
        return Ok(object_response(req, res, &p, 200));
    }
    let stored = stored.ok_or_else(|| ApiError::not_found(res, &name))?;
    after_commit(state, res, Some(&stored), deleted);
    Ok(object_response(req, res, &stored, 200))
}

/// Applies a non-apply patch body of `content_type` to `target`.
pub(crate) fn apply_patch(
    content_type: &str,
    target: &Value,
    body: &[u8],
    schema: Option<Node<'_>>,
) -> Result<Value, ApiError> {
    if !matches!(
        content_type,
        "application/merge-patch+json"
            | "application/json-patch+json"
            | "application/strategic-merge-patch+json"
    ) {
        return Err(ApiError::unsupported_patch_type());
    }
    let patch: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    let mut v = target.clone();
    let r = match content_type {
        "application/merge-patch+json" => {
            patch::merge_patch(&mut v, &patch);
            Ok(())
        }
        "application/json-patch+json" => patch::json_patch(&mut v, &patch),
        "application/strategic-merge-patch+json" => {
            patch::strategic_merge_patch(&mut v, &patch, schema)
        }
        _ => return Err(ApiError::unsupported_patch_type()),
    };
    match r {
        Ok(()) => Ok(v),
        Err(PatchError::Malformed(m)) => Err(ApiError::bad_request(m)),
        Err(PatchError::Unprocessable(_)) => Err(ApiError::unprocessable()),
    }
}

/// PATCH of one object (or of its status subresource when `sub` is `status`).
pub(crate) fn patch(state: &Arc<State>, req: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    patch_sub(state, req, t, None)
}

/// PATCH of an object or its status.
pub(crate) fn patch_sub(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
    sub: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let ct = req.content_type();
    if ct == "application/apply-patch+yaml" || ct == "application/apply-patch+cbor" {
        return server_side_apply(state, req, t, sub);
    }
    let body = req.body.clone();
    let schemas = schema::for_resource(&state.catalog, &t.res);
    let (group, version, kind) = (
        t.res.group.clone(),
        t.res.version.clone(),
        t.res.kind.clone(),
    );
    write_update(state, req, t, sub, move |cur| {
        let node = schemas
            .as_deref()
            .and_then(|s| s.of_kind(&group, &version, &kind));
        let mut out = apply_patch(&ct, cur, &body, node)?;
        // A patch that does not set resourceVersion is unconditional.
        if body_rv(&out).as_deref() == body_rv(cur).as_deref() {
            if let Some(m) = out.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
            }
        }
        Ok(out)
    })
}

fn server_side_apply(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
    sub: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let res = &t.res;
    let manager = req.q("fieldManager").unwrap_or("").to_string();
    if manager.is_empty() {
        return Err(ApiError::invalid_options(
            "PatchOptions",
            "FieldValueRequired",
            "fieldManager",
            "Required value: is required for apply patch",
        ));
    }
    let force = req.q_bool("force");
    let mut config: Value = kubegen::yaml::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    if !config.is_object() {
        return Err(ApiError::bad_request(
            "error decoding YAML: the applied configuration must be an object",
        ));
    }
    if config
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        // What a real server's apply says when the configuration names no type.
        let api_version = config
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        return Err(ApiError::bad_request(format!(
            "invalid object type: {group}/{version}, Kind="
        )));
    }
    check_type(&config, res, &res.kind, &res.group)?;
    check_identity(&mut config, res, t.ns.as_deref())?;
    fields::drop_unknown(state, res, &mut config);
    let name = name_of(t).to_string();
    let cfg_name = config
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !cfg_name.is_empty() && cfg_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({cfg_name}) does not match the name on the URL ({name})"
        )));
    }
    if let Some(m) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("name".into(), Value::String(name.clone()));
    }
    let now = now_rfc3339();
    let api_version = res.api_version();
    let scope = if sub == Some("status") {
        Scope::Status
    } else {
        Scope::Main {
            exclude_status: res.has_status(),
        }
    };
    let w = Writer {
        manager: &manager,
        subresource: sub,
        api_version: &api_version,
        now: &now,
        scope,
    };
    let conflict = |c: managed_fields::Conflicts| {
        let mut e = ApiError::new(409, "Conflict", c.message());
        e.status.details = Some(kubegen_runtime::meta::StatusDetails {
            causes: Some(
                c.0.iter()
                    .map(|(m, f)| kubegen_runtime::meta::StatusCause {
                        reason: Some("FieldManagerConflict".into()),
                        message: Some(format!("conflict with \"{m}\"")),
                        field: Some(f.clone()),
                    })
                    .collect(),
            ),
            ..Default::default()
        });
        e
    };
    let existing = state.store.get(&res.storage_key(), ns_of(t), &name);
    if existing.is_none() {
        if sub.is_some() {
            return Err(ApiError::not_found(res, &name));
        }
        namespace_exists(state, t)?;
        let mut obj = managed_fields::apply(None, &config, &w, force).map_err(conflict)?;
        fields::default(state, res, &mut obj);
        let obj = prepare_create(req, res, obj, false)?;
        let mut created = None;
        let stored = state
            .store
            .mutate(&res.storage_key(), ns_of(t), &name, |cur, _| {
                if cur.is_some() {
                    return Err(ApiError::stale(res, &name));
                }
                created = Some(());
                Ok(Change::Put(obj))
            })?;
        let stored = stored.ok_or_else(|| ApiError::internal("object vanished during apply"))?;
        after_commit(state, res, Some(&stored), false);
        return Ok(object_response(req, res, &stored, 201));
    }
    write_update_raw(state, req, t, sub, |cur| {
        let live = cur.to_value(&res.kind, &res.api_version());
        let mut new = managed_fields::apply(Some(&live), &config, &w, force).map_err(conflict)?;
        fields::default(state, res, &mut new);
        Ok(new)
    })
}

/// Like [`write_update`] but without recomputing field ownership (apply did it).
fn write_update_raw(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
    sub: Option<&str>,
    f: impl FnOnce(&StoredObject) -> Result<Value, ApiError>,
) -> Result<Response<Body>, ApiError> {
    let res = &t.res;
    let name = name_of(t).to_string();
    let mut deleted = false;
    let stored = state
        .store
        .mutate(&res.storage_key(), ns_of(t), &name, |cur, _| {
            let cur = cur.ok_or_else(|| ApiError::not_found(res, &name))?;
            let new = f(cur)?;
            if let Some(rv) = body_rv(&new) {
                if rv != cur.rv.to_string() {
                    return Err(ApiError::stale(res, &name));
                }
            }
            let change = finish_update(req, res, cur, new, sub, false);
            deleted = matches!(change, Change::Delete | Change::DeleteFinal(_));
            Ok(change)
        })?;
    let stored = stored.ok_or_else(|| ApiError::not_found(res, &name))?;
    after_commit(state, res, Some(&stored), deleted);
    Ok(object_response(req, res, &stored, 200))
}

/// Delete options from the body and the query.
#[derive(Default)]
pub(crate) struct DeleteOpts {
    /// `preconditions.uid`
    pub uid: Option<String>,
    /// `preconditions.resourceVersion`
    pub rv: Option<String>,
    /// `dryRun: [All]`
    pub dry_run: bool,
}

/// Reads DeleteOptions; a malformed body is a 400.
pub(crate) fn delete_opts(req: &Req) -> Result<DeleteOpts, ApiError> {
    let mut o = DeleteOpts {
        dry_run: dry_run(req),
        ..Default::default()
    };
    if !req.body.is_empty() {
        let v: Value = serde_json::from_slice(&req.body)
            .map_err(|e| ApiError::bad_request(format!("couldn't decode DeleteOptions: {e}")))?;
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        o.uid = s("/preconditions/uid");
        o.rv = s("/preconditions/resourceVersion");
        if v.get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x == "All"))
        {
            o.dry_run = true;
        }
    }
    Ok(o)
}

/// What a delete did.
pub(crate) enum Deleted {
    /// Removed; the final state.
    Gone(Arc<StoredObject>),
    /// Kept with a deletionTimestamp until its finalizers are removed.
    Terminating(Arc<StoredObject>),
}

/// Deletes one object: finalizers keep it terminating; preconditions are checked.
pub(crate) fn delete_one(
    state: &Arc<State>,
    res: &ResourceDef,
    ns: &str,
    name: &str,
    opts: &DeleteOpts,
) -> Result<Deleted, ApiError> {
    let mut terminating = false;
    let mut dry_obj = None;
    let out = state.store.mutate(&res.storage_key(), ns, name, |cur, _| {
        let cur = cur.ok_or_else(|| ApiError::not_found(res, name))?;
        if let Some(uid) = &opts.uid {
            if uid != cur.uid() {
                return Err(ApiError::conflict(res, name, format!(
                    "Operation cannot be fulfilled on {} \"{name}\": the UID in the precondition ({uid}) does not match the UID in record ({}). The object might have been deleted and then recreated",
                    res.kind, cur.uid()
                )));
            }
        }
        if let Some(rv) = &opts.rv {
            if *rv != cur.rv.to_string() {
                return Err(ApiError::conflict(res, name, format!(
                    "Operation cannot be fulfilled on {} \"{name}\": the ResourceVersion in the precondition ({rv}) does not match the ResourceVersion in record ({}). The object might have been modified",
                    res.kind, cur.rv
                )));
            }
        }
        let has_finalizers = cur
            .value
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if opts.dry_run {
            dry_obj = Some((cur.clone(), has_finalizers));
            return Ok(Change::None);
        }
        if has_finalizers {
            terminating = true;
            if cur.value.pointer("/metadata/deletionTimestamp").is_some() {
                return Ok(Change::None);
            }
            let mut v = cur.value.clone();
            if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                m.insert("deletionTimestamp".into(), Value::String(now_rfc3339()));
                m.insert("deletionGracePeriodSeconds".into(), json!(0));
            }
            return Ok(Change::Put(v));
        }
        Ok(Change::Delete)
    })?;
    if let Some((o, kept)) = dry_obj {
        // Answered as the real deletion would be: kept by finalizers, or gone.
        return Ok(if kept {
            Deleted::Terminating(o)
        } else {
            Deleted::Gone(o)
        });
    }
    let out = out.ok_or_else(|| ApiError::not_found(res, name))?;
    after_commit(state, res, Some(&out), !terminating);
    Ok(if terminating {
        Deleted::Terminating(out)
    } else {
        Deleted::Gone(out)
    })
}

/// DELETE of one object.
pub(crate) fn delete(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
) -> Result<Response<Body>, ApiError> {
    let opts = delete_opts(req)?;
    let res = &t.res;
    match delete_one(state, res, ns_of(t), name_of(t), &opts)? {
        Deleted::Terminating(o) => Ok(object_response(req, res, &o, 200)),
        Deleted::Gone(o) => {
            // Pods answer with the object (graceful deletion); everything else, custom
            // resources included, with a Success Status.
            if res.group.is_empty() && res.plural == "pods" {
                return Ok(object_response(req, res, &o, 200));
            }
            let mut d = json!({"name": o.name, "kind": res.plural, "uid": o.uid()});
            if !res.group.is_empty() {
                d["group"] = json!(res.group);
            }
            Ok(success_status(200, Some(d)))
        }
    }
}
