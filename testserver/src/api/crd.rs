//! CustomResourceDefinitions: created through the API, they make their resources
//! servable and discoverable, with a generated `/openapi/v3` document per group-version.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};

use super::crd_openapi::Borrowed;
use super::State;
use crate::catalog::{OpenApiDoc, ResourceDef, ResourceTable, ScalePaths, SubresourceDef};
use crate::semantics::now_rfc3339;
use crate::semantics::object_schema::{apply_defaults, Schema};
use crate::store::Change;

/// A served version of a CRD and its `openAPIV3Schema`.
type DefWithSchema = (ResourceDef, Option<Value>);

const CRD_KEY: &str = "apiextensions.k8s.io/customresourcedefinitions";

fn str_at<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

fn defs_of(crd: &Value) -> Vec<(ResourceDef, Option<Value>)> {
    let group = str_at(crd, "/spec/group").to_string();
    let kind = str_at(crd, "/spec/names/kind").to_string();
    let plural = str_at(crd, "/spec/names/plural").to_string();
    if group.is_empty() || kind.is_empty() || plural.is_empty() {
        return Vec::new();
    }
    let singular = match str_at(crd, "/spec/names/singular") {
        "" => kind.to_lowercase(),
        s => s.to_string(),
    };
    let strings = |p: &str| -> Vec<String> {
        crd.pointer(p)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let short_names = strings("/spec/names/shortNames");
    let categories = strings("/spec/names/categories");
    let namespaced = str_at(crd, "/spec/scope") != "Cluster";
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // In the order a real server's apiextensions handler lists them.
    let verbs: Vec<String> = [
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "create",
        "update",
        "watch",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let sub_verbs = vec!["get".to_string(), "patch".to_string(), "update".to_string()];
    versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(false))
        .map(|v| {
            let version = str_at(v, "/name").to_string();
            let subs = v
                .get("subresources")
                .or_else(|| crd.pointer("/spec/subresources"));
            let mut subresources = Vec::new();
            let mut scale_paths = None;
            if subs.and_then(|s| s.get("status")).is_some() {
                subresources.push(SubresourceDef {
                    name: "status".into(),
                    kind: Some((group.clone(), version.clone(), kind.clone())),
                    verbs: sub_verbs.clone(),
                });
            }
            if let Some(scale) = subs.and_then(|s| s.get("scale")) {
                subresources.push(SubresourceDef {
                    name: "scale".into(),
                    kind: Some(("autoscaling".into(), "v1".into(), "Scale".into())),
                    verbs: sub_verbs.clone(),
                });
                scale_paths = Some(ScalePaths {
                    spec_replicas: str_at(scale, "/specReplicasPath").to_string(),
                    status_replicas: str_at(scale, "/statusReplicasPath").to_string(),
                    label_selector: scale
                        .get("labelSelectorPath")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
            }
            let schema = v.pointer("/schema/openAPIV3Schema").cloned();
            (
                ResourceDef {
                    group: group.clone(),
                    version,
                    kind: kind.clone(),
                    plural: plural.clone(),
                    singular: singular.clone(),
                    namespaced,
                    verbs: verbs.clone(),
                    short_names: short_names.clone(),
                    categories: categories.clone(),
                    subresources,
                    custom: true,
                    scale_paths,
                },
                schema,
            )
        })
        .collect()
}

/// Re-reads every CRD: updates the served table and the OpenAPI documents, marks new CRDs
/// Established, and removes the objects of deleted CRDs.
pub(crate) fn sync(state: &Arc<State>) {
    let Ok(snap) = state.store.snapshot(CRD_KEY, None, None) else {
        return;
    };
    let mut table = Vec::new();
    let mut by_gv: BTreeMap<(String, String), Vec<DefWithSchema>> = BTreeMap::new();
    let mut schemas = BTreeMap::new();
    for crd in &snap.items {
        for (def, schema) in defs_of(&crd.value) {
            if let Some(s) = &schema {
                let key = format!("{}/{}/{}", def.group, def.version, def.plural);
                schemas.insert(key, Arc::new(s.clone()));
            }
            by_gv
                .entry((def.group.clone(), def.version.clone()))
                .or_default()
                .push((def.clone(), schema));
            table.push(def);
        }
        if crd.value.pointer("/status/conditions").is_none() {
            establish(state, &crd.name);
        }
    }
    let before: BTreeSet<(String, String)> = state
        .crds
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|r| (r.group.clone(), r.plural.clone()))
        .collect();
    let after: BTreeSet<(String, String)> = table
        .iter()
        .map(|r| (r.group.clone(), r.plural.clone()))
        .collect();
    *state.crds.write().unwrap_or_else(|p| p.into_inner()) = ResourceTable::new(table);
    let before_schemas = std::mem::replace(
        &mut *state.crd_schemas.write().unwrap_or_else(|p| p.into_inner()),
        schemas.clone(),
    );
    default_stored_objects(state, &snap.items, &before_schemas, &schemas);
    let mut docs = BTreeMap::new();
    for ((g, v), defs) in by_gv {
        let path = format!("apis/{g}/{v}");
        let bytes = Bytes::from(serde_json::to_vec(&document(state, &defs)).unwrap_or_default());
        docs.insert(
            path.clone(),
            Arc::new(OpenApiDoc::new(path, String::new(), bytes)),
        );
    }
    *state.crd_docs.write().unwrap_or_else(|p| p.into_inner()) = docs;
    for (g, p) in before.difference(&after) {
        let key = format!("{g}/{p}");
        if let Ok(s) = state.store.snapshot(&key, None, None) {
            for o in s.items {
                let _ = state
                    .store
                    .mutate::<()>(&key, &o.namespace, &o.name, |_, _| Ok(Change::Delete));
            }
        }
    }
}

/// Applies a changed schema's defaults to the stored objects of its CRD, as a real server
/// shows them on every read (without writing: no new resourceVersion, no event). The
/// storage version's schema decides, since all versions share one copy here.
fn default_stored_objects(
    state: &State,
    crds: &[Arc<crate::store::StoredObject>],
    before: &BTreeMap<String, Arc<Value>>,
    after: &BTreeMap<String, Arc<Value>>,
) {
    for crd in crds {
        let group = str_at(&crd.value, "/spec/group");
        let plural = str_at(&crd.value, "/spec/names/plural");
        let storage = crd
            .value
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .and_then(|vs| vs.iter().find(|v| v.get("storage") == Some(&json!(true))))
            .map(|v| str_at(v, "/name"))
            .unwrap_or_default();
        let key = format!("{group}/{storage}/{plural}");
        let Some(schema) = after.get(&key) else {
            continue;
        };
        if before.get(&key) == Some(schema) {
            continue;
        }
        state
            .store
            .rewrite_in_place(&format!("{group}/{plural}"), |o| {
                let mut v = o.value.clone();
                apply_defaults(&mut v, Schema::structural(schema));
                (v != o.value).then_some(v)
            });
    }
}

fn establish(state: &State, name: &str) {
    let now = now_rfc3339();
    let _ = state.store.mutate::<()>(CRD_KEY, "", name, |cur, _| {
        let Some(cur) = cur else { return Ok(Change::None) };
        let mut v = cur.value.clone();
        let names = v.pointer("/spec/names").cloned().unwrap_or_else(|| json!({}));
        v["status"] = json!({
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now, "reason": "NoConflicts", "message": "no conflicts found"},
                {"type": "Established", "status": "True", "lastTransitionTime": now, "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
            ],
            "acceptedNames": names,
            "storedVersions": v.pointer("/spec/versions").and_then(Value::as_array).map(|a| a.iter().filter(|x| x.get("storage").and_then(Value::as_bool) == Some(true)).filter_map(|x| x.get("name").cloned()).collect::<Vec<_>>()).unwrap_or_default(),
        });
        Ok(Change::Put(v))
    });
}

/// What CRD documents borrow from the spec, read once from its `api/v1` and
/// `apis/autoscaling/v1` documents.
fn borrowed(state: &State) -> &Borrowed {
    state.catalog.crd_borrowed.get_or_init(|| {
        let docs: Vec<Value> = state
            .catalog
            .docs
            .iter()
            .filter(|d| d.path == "api/v1" || d.path == "apis/autoscaling/v1")
            .filter_map(|d| serde_json::from_slice(&d.bytes).ok())
            .collect();
        Borrowed::from_documents(&docs)
    })
}

fn document(state: &State, defs: &[(ResourceDef, Option<Value>)]) -> Value {
    super::crd_openapi::document(borrowed(state), defs)
}
