//! The `/openapi/v3/apis/{group}/{version}` document of CRD group-versions, shaped like the
//! one kube-apiserver publishes (`crd-widget-openapi-v3.json` of the v1.36 fixtures): the
//! same paths, operations, operation ids, parameters, request bodies and response schemas,
//! and the referenced built-in schemas (`ObjectMeta`, `Status`, `Scale`, ...) embedded, so a
//! generator reading it meets what it meets on a real cluster.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::catalog::ResourceDef;

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1";
const SCALE: &str = "io.k8s.api.autoscaling.v1.Scale";

/// The built-in schemas and parameter objects CRD documents borrow from the spec.
#[derive(Debug, Default)]
pub(crate) struct Borrowed {
    /// Schemas by component name (apimachinery `meta/v1` and `autoscaling/v1`).
    pub schemas: Map<String, Value>,
    /// Query parameter objects by name, as the built-in documents describe them.
    pub parameters: Map<String, Value>,
}

impl Borrowed {
    /// Collects what CRD documents need from the spec's `api/v1` and `apis/autoscaling/v1`
    /// documents.
    pub(crate) fn from_documents(docs: &[Value]) -> Self {
        let mut out = Borrowed::default();
        for doc in docs {
            if let Some(schemas) = doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
            {
                for (k, s) in schemas {
                    if k.starts_with(META) || k.starts_with("io.k8s.api.autoscaling.v1.Scale") {
                        out.schemas.entry(k.clone()).or_insert_with(|| s.clone());
                    }
                }
            }
            let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for item in paths.values().filter_map(Value::as_object) {
                let ops = item
                    .iter()
                    .filter(|(k, _)| k.as_str() != "parameters")
                    .map(|(_, op)| op);
                let lists = item
                    .get("parameters")
                    .into_iter()
                    .chain(ops.filter_map(|op| op.get("parameters")));
                for p in lists.filter_map(Value::as_array).flatten() {
                    if p.get("in").and_then(Value::as_str) == Some("query") {
                        if let Some(name) = p.get("name").and_then(Value::as_str) {
                            out.parameters
                                .entry(name.to_owned())
                                .or_insert_with(|| p.clone());
                        }
                    }
                }
            }
        }
        out
    }

    fn query(&self, name: &str) -> Value {
        self.parameters.get(name).cloned().unwrap_or_else(|| {
            let ty = match name {
                "limit" | "timeoutSeconds" | "gracePeriodSeconds" => "integer",
                "allowWatchBookmarks"
                | "watch"
                | "sendInitialEvents"
                | "force"
                | "orphanDependents"
                | "ignoreStoreReadErrorWithClusterBreakingPotential" => "boolean",
                _ => "string",
            };
            json!({"name": name, "in": "query", "schema": {"type": ty, "uniqueItems": true}})
        })
    }

    fn queries(&self, names: &[&str]) -> Value {
        Value::Array(names.iter().map(|n| self.query(n)).collect())
    }
}

const LIST_PARAMS: &[&str] = &[
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "shardSelector",
    "timeoutSeconds",
    "watch",
];
const WRITE_PARAMS: &[&str] = &["dryRun", "fieldManager", "fieldValidation"];
const PATCH_PARAMS: &[&str] = &["dryRun", "fieldManager", "fieldValidation", "force"];
const DELETE_PARAMS: &[&str] = &[
    "dryRun",
    "gracePeriodSeconds",
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "orphanDependents",
    "propagationPolicy",
];

/// `example.com` → `ExampleCom`.
fn camel(s: &str) -> String {
    s.split(['.', '-'])
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect()
}

/// `example.com` → `com.example`, the prefix of a CRD's schema names.
fn reversed(g: &str) -> String {
    g.split('.').rev().collect::<Vec<_>>().join(".")
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn content(name: &str, types: &[&str]) -> Value {
    let mut m = Map::new();
    for t in types {
        m.insert((*t).to_owned(), json!({"schema": schema_ref(name)}));
    }
    Value::Object(m)
}

fn responses(name: &str, codes: &[&str]) -> Value {
    let mut m = Map::new();
    for code in codes {
        let description = match *code {
            "201" => "Created",
            "202" => "Accepted",
            _ => "OK",
        };
        m.insert(
            (*code).to_owned(),
            json!({"description": description, "content": content(name, &["application/json", "application/yaml"])}),
        );
    }
    m.insert("401".into(), json!({"description": "Unauthorized"}));
    Value::Object(m)
}

fn body(name: &str, required: bool) -> Value {
    let mut b = json!({"content": content(name, &["application/json", "application/yaml"])});
    if required {
        b["required"] = json!(true);
    }
    b
}

fn patch_body() -> Value {
    json!({
        "content": content(&format!("{META}.Patch"), &["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]),
        "required": true,
    })
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "description": description, "required": true,
           "schema": {"type": "string", "uniqueItems": true}})
}

/// The operations of one resource and its subresources.
fn resource_paths(def: &ResourceDef, b: &Borrowed, paths: &mut Map<String, Value>) {
    let (g, v, k) = (&def.group, &def.version, &def.kind);
    let tag = {
        let c = camel(g);
        let mut chars = c.chars();
        let lower: String = match chars.next() {
            Some(f) => f.to_lowercase().chain(chars).collect(),
            None => String::new(),
        };
        format!("{lower}_{v}")
    };
    let gv = format!("{}{}", camel(g), camel(v));
    let scoped = if def.namespaced { "Namespaced" } else { "" };
    let kind_schema = format!("{}.{v}.{k}", reversed(g));
    let list_schema = format!("{kind_schema}List");
    let gvk = json!({"group": g, "version": v, "kind": k});
    let op = |action: &str, id: String, description: String, params: Value| {
        json!({
            "tags": [tag],
            "description": description,
            "operationId": id,
            "parameters": params,
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": gvk,
        })
    };
    let base = format!("/apis/{g}/{v}");
    let coll = if def.namespaced {
        format!("{base}/namespaces/{{namespace}}/{}", def.plural)
    } else {
        format!("{base}/{}", def.plural)
    };
    let item = format!("{coll}/{{name}}");
    let ns_param = path_param(
        "namespace",
        "object name and auth scope, such as for teams and projects",
    );
    let name_param = path_param("name", &format!("name of the {k}"));
    let mut coll_params = Vec::new();
    if def.namespaced {
        coll_params.push(ns_param.clone());
    }
    coll_params.push(b.query("pretty"));
    let mut item_params = vec![name_param];
    if def.namespaced {
        item_params.push(ns_param);
    }
    item_params.push(b.query("pretty"));

    let mut list = op(
        "list",
        format!("list{gv}{scoped}{k}"),
        format!("list objects of kind {k}"),
        b.queries(LIST_PARAMS),
    );
    list["responses"] = responses(&list_schema, &["200"]);
    let mut create = op(
        "post",
        format!("create{gv}{scoped}{k}"),
        format!("create a {k}"),
        b.queries(WRITE_PARAMS),
    );
    create["requestBody"] = body(&kind_schema, true);
    create["responses"] = responses(&kind_schema, &["200", "201", "202"]);
    let mut delete_coll = op(
        "deletecollection",
        format!("delete{gv}Collection{scoped}{k}"),
        format!("delete collection of {k}"),
        b.queries(LIST_PARAMS),
    );
    delete_coll["responses"] = responses(&format!("{META}.Status"), &["200"]);
    paths.insert(
        coll.clone(),
        json!({"get": list, "post": create, "delete": delete_coll, "parameters": coll_params}),
    );

    let mut read = op(
        "get",
        format!("read{gv}{scoped}{k}"),
        format!("read the specified {k}"),
        b.queries(&["resourceVersion"]),
    );
    read["responses"] = responses(&kind_schema, &["200"]);
    let mut replace = op(
        "put",
        format!("replace{gv}{scoped}{k}"),
        format!("replace the specified {k}"),
        b.queries(WRITE_PARAMS),
    );
    replace["requestBody"] = body(&kind_schema, true);
    replace["responses"] = responses(&kind_schema, &["200", "201"]);
    let mut delete = op(
        "delete",
        format!("delete{gv}{scoped}{k}"),
        format!("delete a {k}"),
        b.queries(DELETE_PARAMS),
    );
    delete["requestBody"] = body(&format!("{META}.DeleteOptions"), false);
    delete["responses"] = responses(&format!("{META}.Status"), &["200", "202"]);
    let mut patch = op(
        "patch",
        format!("patch{gv}{scoped}{k}"),
        format!("partially update the specified {k}"),
        b.queries(PATCH_PARAMS),
    );
    patch["requestBody"] = patch_body();
    patch["responses"] = responses(&kind_schema, &["200"]);
    paths.insert(
        item.clone(),
        json!({"get": read, "put": replace, "delete": delete, "patch": patch, "parameters": item_params}),
    );

    for s in &def.subresources {
        let body_schema = if s.name == "scale" {
            SCALE.to_owned()
        } else {
            kind_schema.clone()
        };
        let sub = camel(&s.name);
        let mut read = op(
            "get",
            format!("read{gv}{scoped}{k}{sub}"),
            format!("read {} of the specified {k}", s.name),
            b.queries(&["resourceVersion"]),
        );
        read["responses"] = responses(&body_schema, &["200"]);
        let mut replace = op(
            "put",
            format!("replace{gv}{scoped}{k}{sub}"),
            format!("replace {} of the specified {k}", s.name),
            b.queries(WRITE_PARAMS),
        );
        replace["requestBody"] = body(&body_schema, true);
        replace["responses"] = responses(&body_schema, &["200", "201"]);
        let mut patch = op(
            "patch",
            format!("patch{gv}{scoped}{k}{sub}"),
            format!("partially update {} of the specified {k}", s.name),
            b.queries(PATCH_PARAMS),
        );
        patch["requestBody"] = patch_body();
        patch["responses"] = responses(&body_schema, &["200"]);
        paths.insert(
            format!("{item}/{}", s.name),
            json!({"get": read, "put": replace, "patch": patch, "parameters": item_params}),
        );
    }

    if def.namespaced {
        let mut all = op(
            "list",
            format!("list{gv}{k}ForAllNamespaces"),
            format!("list objects of kind {k}"),
            json!([]),
        );
        all["responses"] = responses(&list_schema, &["200"]);
        let mut params: Vec<Value> = LIST_PARAMS.iter().map(|n| b.query(n)).collect();
        params.push(b.query("pretty"));
        params.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        paths.insert(
            format!("{base}/{}", def.plural),
            json!({"get": all, "parameters": params}),
        );
    }
}

/// The kind's schema: the CRD's `openAPIV3Schema` with `apiVersion`, `kind` and `metadata`
/// as the server adds them, and its list.
fn kind_schemas(def: &ResourceDef, schema: Option<&Value>, schemas: &mut Map<String, Value>) {
    let (g, v, k) = (&def.group, &def.version, &def.kind);
    let name = format!("{}.{v}.{k}", reversed(g));
    let mut s = schema
        .cloned()
        .unwrap_or_else(|| json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
    if let Some(m) = s.as_object_mut() {
        let props = m.entry("properties").or_insert_with(|| json!({}));
        if let Some(p) = props.as_object_mut() {
            p.insert("apiVersion".into(), json!({"description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources", "type": "string"}));
            p.insert("kind".into(), json!({"description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds", "type": "string"}));
            p.insert("metadata".into(), json!({"description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", "allOf": [schema_ref(&format!("{META}.ObjectMeta"))]}));
        }
        m.insert(
            "x-kubernetes-group-version-kind".into(),
            json!([{"group": g, "kind": k, "version": v}]),
        );
    }
    schemas.insert(name.clone(), s);
    schemas.insert(
        format!("{name}List"),
        json!({
            "description": format!("{k}List is a list of {k}"),
            "type": "object",
            "required": ["items"],
            "properties": {
                "apiVersion": {"type": "string"},
                "items": {"description": format!("List of {}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md", def.plural), "type": "array", "items": schema_ref(&name)},
                "kind": {"type": "string"},
                "metadata": {"description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds", "allOf": [schema_ref(&format!("{META}.ListMeta"))]},
            },
            "x-kubernetes-group-version-kind": [{"group": g, "kind": format!("{k}List"), "version": v}],
        }),
    );
}

/// Every `#/components/schemas/...` a value refers to.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    out.insert(name.to_owned());
                }
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// The document of one group-version's CRD resources.
pub(crate) fn document(borrowed: &Borrowed, defs: &[(ResourceDef, Option<Value>)]) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for (def, schema) in defs {
        resource_paths(def, borrowed, &mut paths);
        kind_schemas(def, schema.as_ref(), &mut schemas);
    }
    // Embed the built-in schemas referenced, transitively, as the server does.
    let mut wanted = BTreeSet::new();
    refs(&Value::Object(paths.clone()), &mut wanted);
    refs(&Value::Object(schemas.clone()), &mut wanted);
    let mut queue: Vec<String> = wanted.into_iter().collect();
    while let Some(name) = queue.pop() {
        if schemas.contains_key(&name) {
            continue;
        }
        if let Some(s) = borrowed.schemas.get(&name) {
            let mut more = BTreeSet::new();
            refs(s, &mut more);
            schemas.insert(name, s.clone());
            queue.extend(more);
        }
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}
