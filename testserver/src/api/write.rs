//! The shared steps of every write: body checks, server-owned metadata, generation,
//! field ownership, finalizers, and what follows a commit (CRDs, namespace cleanup).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{crd, State};
use crate::catalog::ResourceDef;
use crate::http::{ApiError, Req};
use crate::semantics::managed_fields::{self, Scope, Writer};
use crate::semantics::{now_rfc3339, validation};
use crate::store::{Change, StoredObject};

/// Parses a request body as JSON (or YAML for `application/yaml`) into an object.
pub(crate) fn parse_body(req: &Req, res: &ResourceDef) -> Result<Value, ApiError> {
    let ct = req.content_type();
    if !ct.is_empty() && !ct.contains("json") && !ct.contains("yaml") {
        return Err(ApiError::unsupported_body_type());
    }
    let parsed: Result<Value, String> = if ct.contains("yaml") {
        kubegen::yaml::from_slice::<Value>(&req.body).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice::<Value>(&req.body).map_err(|e| json_error_text(&e))
    };
    let body_text = String::from_utf8_lossy(&req.body);
    match parsed {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type {}): couldn't get version/kind; json parse error: json: cannot unmarshal into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }} ({body_text})",
            res.kind
        ))),
        Err(e) => Err(ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type {}): couldn't get version/kind; json parse error: {e} ({body_text})",
            res.kind
        ))),
    }
}

fn json_error_text(e: &serde_json::Error) -> String {
    if e.is_eof() {
        "unexpected end of JSON input".into()
    } else {
        e.to_string()
    }
}

/// Checks `kind`/`apiVersion` of a body against the resource it is sent to.
pub(crate) fn check_type(
    body: &Value,
    res: &ResourceDef,
    expect_kind: &str,
    expect_group: &str,
) -> Result<(), ApiError> {
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Object 'Kind' is missing in '{}'",
            serde_json::to_string(body).unwrap_or_default()
        )));
    }
    let (group, version) = match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    if kind != expect_kind || group != expect_group {
        let internal_group = if expect_group.is_empty() {
            "core".to_string()
        } else {
            expect_group
                .split('.')
                .next()
                .unwrap_or(expect_group)
                .to_string()
        };
        return Err(ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {expect_kind}: converting ({version}.{kind}) to ({internal_group}.{expect_kind}): unknown conversion"
        )));
    }
    let _ = res;
    Ok(())
}

/// Whether objects of this resource carry `metadata.generation`.
pub(crate) fn tracks_generation(res: &ResourceDef) -> bool {
    res.custom || res.has_status()
}

fn meta_mut(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    let Value::Object(root) = v else {
        unreachable!("replaced by an object above")
    };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    let Value::Object(m) = meta else {
        unreachable!("replaced by an object above")
    };
    m
}

/// Name and namespace checks shared by create and update; fills in the namespace.
pub(crate) fn check_identity(
    body: &mut Value,
    res: &ResourceDef,
    ns: Option<&str>,
) -> Result<(), ApiError> {
    let meta = meta_mut(body);
    if res.namespaced {
        let ns = ns.unwrap_or_default();
        match meta.get("namespace").and_then(Value::as_str) {
            Some(n) if !n.is_empty() && n != ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ))
            }
            _ => {
                meta.insert("namespace".into(), Value::String(ns.to_string()));
            }
        }
    } else {
        meta.remove("namespace");
    }
    Ok(())
}

/// Random suffix for `generateName`, from the API server's alphabet.
fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let id = uuid::Uuid::new_v4();
    id.as_bytes()[..5]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// Turns a create body into the object to store: name (or generateName), uid,
/// creationTimestamp, generation, managed fields; status dropped where it is a subresource.
pub(crate) fn prepare_create(
    req: &Req,
    res: &ResourceDef,
    mut obj: Value,
    track: bool,
) -> Result<Value, ApiError> {
    if res.group == "apiextensions.k8s.io" && res.plural == "customresourcedefinitions" {
        if let Some(cause) = validation::missing_api_approval(&obj) {
            let name = obj.pointer("/metadata/name").and_then(Value::as_str);
            return Err(ApiError::invalid(res, name.unwrap_or(""), vec![cause]));
        }
    }
    let meta = meta_mut(&mut obj);
    let mut name = meta
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() {
        if let Some(g) = meta
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|g| !g.is_empty())
        {
            name = format!("{g}{}", random_suffix());
            meta.insert("name".into(), Value::String(name.clone()));
        } else {
            return Err(ApiError::invalid(
                res,
                "",
                vec![(
                    "FieldValueRequired".into(),
                    "metadata.name".into(),
                    "Required value: name or generateName is required".into(),
                )],
            ));
        }
    }
    if let Err(m) = validation::validate_name(&res.plural, &name) {
        return Err(ApiError::invalid(
            res,
            &name,
            vec![("FieldValueInvalid".into(), "metadata.name".into(), m)],
        ));
    }
    let now = now_rfc3339();
    meta.insert(
        "uid".into(),
        Value::String(uuid::Uuid::new_v4().to_string()),
    );
    meta.insert("creationTimestamp".into(), Value::String(now.clone()));
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    meta.remove("selfLink");
    if tracks_generation(res) {
        meta.insert("generation".into(), Value::from(1));
    } else {
        meta.remove("generation");
    }
    if res.has_status() && res.plural != "namespaces" {
        if let Some(m) = obj.as_object_mut() {
            m.remove("status");
        }
    }
    if res.plural == "namespaces" && res.group.is_empty() {
        obj["status"] = serde_json::json!({"phase": "Active"});
    }
    if is_secret(res) {
        merge_string_data(&mut obj);
        if obj.get("type").is_none() {
            obj["type"] = Value::from("Opaque");
        }
    }
    if track {
        let api_version = res.api_version();
        let w = Writer {
            manager: &req.field_manager(),
            subresource: None,
            api_version: &api_version,
            now: &now,
            scope: Scope::Main {
                exclude_status: res.has_status(),
            },
        };
        let base = managed_fields::read_entries(&obj);
        managed_fields::track_update(base, None, &mut obj, &w);
    }
    Ok(obj)
}

fn is_secret(res: &ResourceDef) -> bool {
    res.group.is_empty() && res.plural == "secrets"
}

/// A Secret's `stringData` written into `data` (base64), as a real server converts it on
/// every write (it is never stored).
fn merge_string_data(obj: &mut Value) {
    use base64::Engine;
    let Some(Value::Object(strings)) = obj.as_object_mut().and_then(|o| o.remove("stringData"))
    else {
        return;
    };
    if !obj.get("data").is_some_and(Value::is_object) {
        obj["data"] = Value::Object(Map::new());
    }
    for (k, v) in strings {
        let text = v.as_str().unwrap_or_default();
        let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
        obj["data"][k] = Value::String(encoded);
    }
}

/// Everything but metadata and status: a change here bumps `generation`.
fn spec_part(v: &Value) -> Value {
    let mut m = v.as_object().cloned().unwrap_or_default();
    for k in ["metadata", "status", "kind", "apiVersion"] {
        m.remove(k);
    }
    Value::Object(m)
}

/// Turns an update of `old` into the object to store: server-owned metadata kept,
/// status kept (main resource) or only status taken (status subresource), generation
/// bumped on spec changes, field ownership recorded. Returns `Delete` when the last
/// finalizer of an object being deleted was removed.
pub(crate) fn finish_update(
    req: &Req,
    res: &ResourceDef,
    old: &StoredObject,
    mut new: Value,
    sub: Option<&str>,
    track: bool,
) -> Change {
    let old_v = &old.value;
    if sub.is_none() && is_secret(res) {
        merge_string_data(&mut new);
    }
    if sub == Some("status") {
        let mut merged = old_v.clone();
        match new.get("status") {
            Some(s) => merged["status"] = s.clone(),
            None => {
                if let Some(m) = merged.as_object_mut() {
                    m.remove("status");
                }
            }
        }
        // Status writes may still carry metadata changes the real server ignores; keep old.
        new = merged;
    } else if res.has_status() {
        match old_v.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.remove("status");
                }
            }
        }
    }
    let incoming_mf = new.pointer("/metadata/managedFields").cloned();
    {
        let meta = meta_mut(&mut new);
        for k in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "namespace",
            "name",
            "generation",
        ] {
            match old_v.get("metadata").and_then(|m| m.get(k)) {
                Some(v) => {
                    meta.insert(k.into(), v.clone());
                }
                None => {
                    meta.remove(k);
                }
            }
        }
    }
    // A binding sets `spec.nodeName` without counting as a spec change.
    if tracks_generation(res) && sub != Some("binding") && spec_part(old_v) != spec_part(&new) {
        let g = old_v
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        meta_mut(&mut new).insert("generation".into(), Value::from(g + 1));
    }
    // A binding records no field manager (a real server's binding registry writes the pod
    // directly).
    if track && sub != Some("binding") {
        let base = match incoming_mf {
            Some(mf) if Some(&mf) != old_v.pointer("/metadata/managedFields") => {
                let mut tmp = serde_json::json!({"metadata": {"managedFields": mf}});
                managed_fields::read_entries(&std::mem::take(&mut tmp))
            }
            _ => managed_fields::read_entries(old_v),
        };
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
            manager: &req.field_manager(),
            subresource: sub,
            api_version: &api_version,
            now: &now,
            scope,
        };
        managed_fields::track_update(base, Some(old_v), &mut new, &w);
    }
    if finalizers_done(&new) {
        return Change::DeleteFinal(new);
    }
    if content(old_v) == content(&new) {
        keep_times(old_v, &mut new);
        if same_owners(old_v, &new) {
            // As the real server: a write that changes nothing is not stored (same
            // resourceVersion, no event).
            return Change::None;
        }
    }
    Change::Put(new)
}

/// The object without what the server writes on every change (`resourceVersion`,
/// `managedFields`) or serves per request (`kind`, `apiVersion`).
fn content(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("kind");
        m.remove("apiVersion");
        if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
            meta.remove("managedFields");
        }
    }
    v
}

/// `managedFields` entries without their `time`, in a stable order.
fn owners(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| without_time(e).to_string())
        .collect();
    out.sort();
    out
}

fn without_time(e: &Value) -> Value {
    let mut e = e.clone();
    if let Some(m) = e.as_object_mut() {
        m.remove("time");
    }
    e
}

fn same_owners(old: &Value, new: &Value) -> bool {
    owners(old) == owners(new)
}

/// For a write that leaves the object as it was: an entry the write did not change keeps
/// its old `time`, and a new or changed one gets none (the real server stamps a time only
/// when the object changed).
fn keep_times(old: &Value, new: &mut Value) {
    let old_entries: Vec<&Value> = old
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let Some(entries) = new
        .pointer_mut("/metadata/managedFields")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for e in entries.iter_mut() {
        let bare = without_time(e);
        let old_time = old_entries
            .iter()
            .find(|o| without_time(o) == bare)
            .and_then(|o| o.get("time").cloned());
        if let Some(m) = e.as_object_mut() {
            match old_time {
                Some(t) => {
                    m.insert("time".into(), t);
                }
                None => {
                    m.remove("time");
                }
            }
        }
    }
}

/// An object being deleted whose finalizers are all gone.
pub(crate) fn finalizers_done(v: &Value) -> bool {
    let meta = v.get("metadata");
    let deleting = meta
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|d| !d.is_null());
    let no_finalizers = meta
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    deleting && no_finalizers
}

/// The resourceVersion a client sent in a body, if any.
pub(crate) fn body_rv(v: &Value) -> Option<String> {
    v.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Follow-ups of a commit: CRDs become servable, deleted namespaces take their objects along.
pub(crate) fn after_commit(
    state: &Arc<State>,
    res: &ResourceDef,
    obj: Option<&Arc<StoredObject>>,
    deleted: bool,
) {
    if res.group == "apiextensions.k8s.io" && res.plural == "customresourcedefinitions" {
        crd::sync(state);
    }
    if deleted && res.group.is_empty() && res.plural == "namespaces" {
        if let Some(o) = obj {
            delete_namespace_contents(state, &o.name);
        }
    }
}

fn delete_namespace_contents(state: &State, ns: &str) {
    for key in state.store.keys() {
        let Ok(snap) = state.store.snapshot(&key, Some(ns), None) else {
            continue;
        };
        for o in snap.items {
            let _ = state
                .store
                .mutate::<()>(&key, &o.namespace, &o.name, |_, _| Ok(Change::Delete));
        }
    }
}
