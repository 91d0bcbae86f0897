//! Encoding stored objects for a client: full objects (pre-serialized bytes spliced with
//! kind/apiVersion), `PartialObjectMetadata(List)` and `Table`.

use bytes::{BufMut, Bytes, BytesMut};
use hyper::Response;
use kubegen_runtime::meta::Time;
use serde_json::{json, Value};

use crate::catalog::ResourceDef;
use crate::http::body::json;
use crate::http::{ApiError, Body, Output, Req};
use crate::store::{type_prefix, StoredObject};

/// The object with `kind`/`apiVersion` of the resource's version.
pub(crate) fn typed_bytes(res: &ResourceDef, o: &StoredObject) -> Bytes {
    let mut out = BytesMut::with_capacity(o.body.len() + 64);
    o.write_with_type(&type_prefix(&res.kind, &res.api_version()), &mut out);
    out.freeze()
}

fn metadata_object(o: &StoredObject) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": o.value.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// The Go type the real server names in errors: the internal type of a built-in
/// (`*core.ConfigMap`, `*apps.DeploymentList`), unstructured for custom resources.
pub(crate) fn go_type(res: &ResourceDef, list: bool) -> String {
    let suffix = if list { "List" } else { "" };
    if res.custom {
        return format!("*unstructured.Unstructured{suffix}");
    }
    let package = match res.group.split('.').next() {
        Some("") | None => "core",
        Some(first) => first,
    };
    format!("*{package}.{}{suffix}", res.kind)
}

/// Checks the `PartialObjectMetadata` form against what is read: one object takes the
/// object form, a list the list form (the real server answers `406` otherwise).
pub(crate) fn check_metadata_form(
    req: &Req,
    res: &ResourceDef,
    list: bool,
) -> Result<(), ApiError> {
    match (req.output(), list) {
        (Output::MetadataList, false) => Err(ApiError::metadata_form_not_acceptable(
            true,
            &go_type(res, false),
        )),
        (Output::Metadata, true) => Err(ApiError::metadata_form_not_acceptable(
            false,
            &go_type(res, true),
        )),
        _ => Ok(()),
    }
}

/// One object as the client asked for it.
pub(crate) fn object_response(
    req: &Req,
    res: &ResourceDef,
    o: &StoredObject,
    code: u16,
) -> Response<Body> {
    match req.output() {
        Output::Metadata | Output::MetadataList => json(
            code,
            serde_json::to_vec(&metadata_object(o)).unwrap_or_default(),
        ),
        Output::Table => json(code, table(res, std::slice::from_ref(&o), None, None)),
        _ => json(code, typed_bytes(res, o)),
    }
}

/// Bytes of one object inside a watch event.
pub(crate) fn event_object(out: &mut BytesMut, output: Output, prefix: &[u8], o: &StoredObject) {
    match output {
        Output::Metadata => {
            out.put_slice(&serde_json::to_vec(&metadata_object(o)).unwrap_or_default());
        }
        _ => o.write_with_type(prefix, out),
    }
}

fn list_meta(rv: u64, cont: Option<&str>, remaining: Option<u64>) -> Value {
    let mut m = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = cont {
        m["continue"] = json!(c);
    }
    if let Some(r) = remaining {
        m["remainingItemCount"] = json!(r);
    }
    m
}

/// A list of objects as the client asked for it.
pub(crate) fn list_response<T: AsRef<StoredObject>>(
    req: &Req,
    res: &ResourceDef,
    rv: u64,
    cont: Option<&str>,
    remaining: Option<u64>,
    items: &[T],
) -> Response<Body> {
    match req.output() {
        Output::Table => json(200, table(res, items, Some(rv), cont)),
        Output::Metadata | Output::MetadataList => {
            let v = json!({
                "kind": "PartialObjectMetadataList",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": list_meta(rv, cont, remaining),
                "items": items.iter().map(|o| metadata_object(o.as_ref())).collect::<Vec<_>>(),
            });
            json(200, serde_json::to_vec(&v).unwrap_or_default())
        }
        _ => json(200, full_list(res, rv, cont, remaining, items)),
    }
}

/// The bytes of a full list: item bytes copied, not re-encoded.
pub(crate) fn full_list<T: AsRef<StoredObject>>(
    res: &ResourceDef,
    rv: u64,
    cont: Option<&str>,
    remaining: Option<u64>,
    items: &[T],
) -> Bytes {
    let size: usize = items.iter().map(|o| o.as_ref().body.len() + 64).sum();
    let mut out = BytesMut::with_capacity(size + 256);
    out.put_slice(&type_prefix(&res.list_kind(), &res.api_version()));
    out.put_slice(b",\"metadata\":");
    let mut meta = list_meta(rv, cont, remaining);
    if res.custom && meta.get("continue").is_none() {
        // Unstructured lists (custom resources) always carry `continue`, empty at the end.
        meta["continue"] = json!("");
    }
    out.put_slice(&serde_json::to_vec(&meta).unwrap_or_default());
    out.put_slice(b",\"items\":[");
    // Built-in lists carry items without kind/apiVersion, like the real server; custom
    // resources (unstructured there) keep them.
    let prefix = type_prefix(&res.kind, &res.api_version());
    for (i, o) in items.iter().enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        if res.custom {
            o.as_ref().write_with_type(&prefix, &mut out);
        } else {
            out.put_slice(&o.as_ref().body);
        }
    }
    out.put_slice(b"]}");
    out.freeze()
}

fn age(created: &str) -> String {
    let Ok(t) = created.parse::<Time>() else {
        return "<unknown>".into();
    };
    let secs = Time::now().as_unix_seconds() - t.as_unix_seconds();
    match secs {
        s if s < 120 => format!("{}s", s.max(0)),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// A `Table` with the generic columns (Name, Age): we have no per-kind printers.
fn table<T: AsRef<StoredObject>>(
    _res: &ResourceDef,
    items: &[T],
    rv: Option<u64>,
    cont: Option<&str>,
) -> Vec<u8> {
    let mut meta = json!({});
    if let Some(rv) = rv {
        meta = list_meta(rv, cont, None);
    }
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let o = o.as_ref();
            let created = o
                .value
                .pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str)
                .unwrap_or_default();
            json!({"cells": [o.name, age(created)], "object": metadata_object(o)})
        })
        .collect();
    let v = json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", "priority": 0},
            {"name": "Age", "type": "string", "format": "", "description": "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.", "priority": 0}
        ],
        "rows": rows,
    });
    serde_json::to_vec(&v).unwrap_or_default()
}
