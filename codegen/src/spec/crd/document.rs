//! The OpenAPI v3 document a kube-apiserver publishes for the CRDs of one group-version,
//! built from their manifests (compare `crd-widget-openapi-v3.json` of the v1.36 fixtures).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::{Crd, CrdVersion};
use crate::spec::RawDocument;

const OBJECT_META: &str = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META: &str = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
const DELETE_OPTIONS: &str =
    "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
const PATCH: &str = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
const STATUS: &str = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status";
const SCALE: &str = "#/components/schemas/io.k8s.api.autoscaling.v1.Scale";

const API_VERSION_DOC: &str = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const KIND_DOC: &str = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
const METADATA_DOC: &str = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DOC: &str = "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

/// The component name the API server gives a CRD kind: the group reversed, the version,
/// the kind (`widgets.example.com` v1 → `com.example.v1.Widget`).
pub fn schema_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.rsplit('.').collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

/// One document per group-version of the CRDs, ordered by server path.
pub fn documents(crds: &[Crd]) -> Vec<RawDocument> {
    let mut by_gv: BTreeMap<(String, String), Vec<(&Crd, &CrdVersion)>> = BTreeMap::new();
    for crd in crds {
        for v in &crd.versions {
            by_gv
                .entry((crd.group.clone(), v.name.clone()))
                .or_default()
                .push((crd, v));
        }
    }
    by_gv
        .into_iter()
        .map(|((group, version), members)| document(&group, &version, &members))
        .collect()
}

fn document(group: &str, version: &str, members: &[(&Crd, &CrdVersion)]) -> RawDocument {
    let mut schemas = Map::new();
    let mut paths = Map::new();
    let mut origins = BTreeMap::new();
    for (crd, v) in members {
        let kind = &crd.names.kind;
        let name = schema_name(group, version, kind);
        let list_name = schema_name(group, version, &crd.names.list_kind());
        schemas.insert(name.clone(), kind_schema(group, version, kind, v));
        schemas.insert(list_name.clone(), list_schema(group, version, crd, &name));
        // Messages about a schema name the manifest and the CRD in it.
        let origin = PathBuf::from(format!("{} (CRD {})", crd.label.display(), crd.name));
        origins.insert(name.clone(), (origin.clone(), v.schema_pointer(&crd.base)));
        origins.insert(
            list_name.clone(),
            (origin, crd.base.push("spec").push("names")),
        );
        add_paths(&mut paths, group, version, crd, v, &name, &list_name);
    }
    let value = json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    });
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    RawDocument {
        path: format!("apis/{group}/{version}"),
        file: members
            .first()
            .map(|(crd, _)| crd.label.clone())
            .unwrap_or_default(),
        bytes,
        value,
        origins,
    }
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "kind": kind, "version": version})
}

/// The version's schema with `apiVersion`, `kind` and `metadata` as the server publishes them.
fn kind_schema(group: &str, version: &str, kind: &str, v: &CrdVersion) -> Value {
    let mut root = v.schema.as_object().cloned().unwrap_or_default();
    root.entry("type").or_insert_with(|| json!("object"));
    let props = root
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(props) = props {
        props.insert(
            "apiVersion".into(),
            json!({"description": API_VERSION_DOC, "type": "string"}),
        );
        props.insert(
            "kind".into(),
            json!({"description": KIND_DOC, "type": "string"}),
        );
        props.insert(
            "metadata".into(),
            json!({"description": METADATA_DOC, "allOf": [{"$ref": OBJECT_META}]}),
        );
    }
    root.insert(
        "x-kubernetes-group-version-kind".into(),
        json!([gvk(group, version, kind)]),
    );
    Value::Object(root)
}

fn list_schema(group: &str, version: &str, crd: &Crd, item: &str) -> Value {
    json!({
        "description": format!("{} is a list of {}", crd.names.list_kind(), crd.names.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"description": API_VERSION_DOC, "type": "string"},
            "items": {
                "description": format!("List of {}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md", crd.names.plural),
                "type": "array",
                "items": {"$ref": format!("#/components/schemas/{item}")},
            },
            "kind": {"description": KIND_DOC, "type": "string"},
            "metadata": {"description": LIST_METADATA_DOC, "allOf": [{"$ref": LIST_META}]},
        },
        "x-kubernetes-group-version-kind": [gvk(group, version, &crd.names.list_kind())],
    })
}

/// `example.com` → `ExampleCom`, as in the server's operation ids.
fn camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn query(name: &str, typ: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description,
           "schema": {"type": typ, "uniqueItems": true}})
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "description": description, "required": true,
           "schema": {"type": "string", "uniqueItems": true}})
}

fn list_params() -> Vec<Value> {
    vec![
        query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
        query("continue", "string", "The continue option should be set when retrieving more results from the server."),
        query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."),
        query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."),
        query("limit", "integer", "limit is a maximum number of responses to return for a list call."),
        query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        query("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        query("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`."),
        query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
        query("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."),
    ]
}

fn write_params(patch: bool) -> Vec<Value> {
    let mut out = vec![
        query("dryRun", "string", "When present, indicates that modifications should not be persisted."),
        query("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes."),
        query("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields."),
    ];
    if patch {
        out.push(query(
            "force",
            "boolean",
            "Force is going to \"force\" Apply requests.",
        ));
    }
    out
}

fn body(schema_ref: &str, patch: bool) -> Value {
    let schema = json!({"$ref": schema_ref});
    if patch {
        json!({"content": {
            "application/apply-patch+yaml": {"schema": schema},
            "application/json-patch+json": {"schema": schema},
            "application/merge-patch+json": {"schema": schema},
        }, "required": true})
    } else {
        json!({"content": {"application/json": {"schema": schema}}, "required": true})
    }
}

fn ok(schema_ref: &str) -> Value {
    json!({"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": schema_ref}}}},
           "401": {"description": "Unauthorized"}})
}

struct Op<'a> {
    action: &'a str,
    id: String,
    description: String,
    params: Vec<Value>,
    body: Option<Value>,
    response: &'a str,
}

fn operation(op: Op<'_>, gvk: &Value) -> Value {
    let mut out = json!({
        "description": op.description,
        "operationId": op.id,
        "responses": ok(op.response),
        "x-kubernetes-action": op.action,
        "x-kubernetes-group-version-kind": gvk,
    });
    if !op.params.is_empty() {
        out["parameters"] = Value::Array(op.params);
    }
    if let Some(body) = op.body {
        out["requestBody"] = body;
    }
    out
}

fn add_paths(
    paths: &mut Map<String, Value>,
    group: &str,
    version: &str,
    crd: &Crd,
    v: &CrdVersion,
    kind_schema: &str,
    list_schema: &str,
) {
    let kind = &crd.names.kind;
    let plural = &crd.names.plural;
    let gvk = gvk(group, version, kind);
    let prefix = format!("/apis/{group}/{version}");
    let kind_ref = format!("#/components/schemas/{kind_schema}");
    let list_ref = format!("#/components/schemas/{list_schema}");
    let id_gv = format!("{}{}", camel(group), camel(version));
    let ns = if crd.namespaced { "Namespaced" } else { "" };
    let id_kind = camel(kind);
    let scope_prefix = if crd.namespaced {
        format!("{prefix}/namespaces/{{namespace}}")
    } else {
        prefix.clone()
    };
    let scope_params = |named: bool| {
        let mut params = Vec::new();
        if named {
            params.push(path_param("name", &format!("name of the {kind}")));
        }
        if crd.namespaced {
            params.push(path_param(
                "namespace",
                "object name and auth scope, such as for teams and projects",
            ));
        }
        params.push(query(
            "pretty",
            "string",
            "If 'true', then the output is pretty printed.",
        ));
        Value::Array(params)
    };

    let mut collection = Map::new();
    collection.insert(
        "get".into(),
        operation(
            Op {
                action: "list",
                id: format!("list{id_gv}{ns}{id_kind}"),
                description: format!("list objects of kind {kind}"),
                params: list_params(),
                body: None,
                response: &list_ref,
            },
            &gvk,
        ),
    );
    collection.insert(
        "post".into(),
        operation(
            Op {
                action: "post",
                id: format!("create{id_gv}{ns}{id_kind}"),
                description: format!("create a {kind}"),
                params: write_params(false),
                body: Some(body(&kind_ref, false)),
                response: &kind_ref,
            },
            &gvk,
        ),
    );
    collection.insert(
        "delete".into(),
        operation(
            Op {
                action: "deletecollection",
                id: format!("delete{id_gv}Collection{ns}{id_kind}"),
                description: format!("delete collection of {kind}"),
                params: list_params(),
                body: Some(body(DELETE_OPTIONS, false)),
                response: STATUS,
            },
            &gvk,
        ),
    );
    collection.insert("parameters".into(), scope_params(false));
    paths.insert(
        format!("{scope_prefix}/{plural}"),
        Value::Object(collection),
    );

    let mut item = Map::new();
    item.insert(
        "get".into(),
        operation(
            Op {
                action: "get",
                id: format!("read{id_gv}{ns}{id_kind}"),
                description: format!("read the specified {kind}"),
                params: vec![query(
                    "resourceVersion",
                    "string",
                    "resourceVersion sets a constraint on what resource versions a request may be served from.",
                )],
                body: None,
                response: &kind_ref,
            },
            &gvk,
        ),
    );
    item.insert(
        "put".into(),
        operation(
            Op {
                action: "put",
                id: format!("replace{id_gv}{ns}{id_kind}"),
                description: format!("replace the specified {kind}"),
                params: write_params(false),
                body: Some(body(&kind_ref, false)),
                response: &kind_ref,
            },
            &gvk,
        ),
    );
    item.insert(
        "delete".into(),
        operation(
            Op {
                action: "delete",
                id: format!("delete{id_gv}{ns}{id_kind}"),
                description: format!("delete a {kind}"),
                params: vec![
                    query(
                        "dryRun",
                        "string",
                        "When present, indicates that modifications should not be persisted.",
                    ),
                    query(
                        "gracePeriodSeconds",
                        "integer",
                        "The duration in seconds before the object should be deleted.",
                    ),
                    query(
                        "propagationPolicy",
                        "string",
                        "Whether and how garbage collection will be performed.",
                    ),
                ],
                body: Some(body(DELETE_OPTIONS, false)),
                response: STATUS,
            },
            &gvk,
        ),
    );
    item.insert(
        "patch".into(),
        operation(
            Op {
                action: "patch",
                id: format!("patch{id_gv}{ns}{id_kind}"),
                description: format!("partially update the specified {kind}"),
                params: write_params(true),
                body: Some(body(PATCH, true)),
                response: &kind_ref,
            },
            &gvk,
        ),
    );
    item.insert("parameters".into(), scope_params(true));
    paths.insert(
        format!("{scope_prefix}/{plural}/{{name}}"),
        Value::Object(item),
    );

    let subresources = [
        ("status", v.status, "Status", kind_ref.as_str()),
        ("scale", v.scale, "Scale", SCALE),
    ];
    for (sub, present, id_sub, schema_ref) in subresources {
        if !present {
            continue;
        }
        let mut ops = Map::new();
        ops.insert(
            "get".into(),
            operation(
                Op {
                    action: "get",
                    id: format!("read{id_gv}{ns}{id_kind}{id_sub}"),
                    description: format!("read {sub} of the specified {kind}"),
                    params: vec![query(
                        "resourceVersion",
                        "string",
                        "resourceVersion sets a constraint on what resource versions a request may be served from.",
                    )],
                    body: None,
                    response: schema_ref,
                },
                &gvk,
            ),
        );
        ops.insert(
            "put".into(),
            operation(
                Op {
                    action: "put",
                    id: format!("replace{id_gv}{ns}{id_kind}{id_sub}"),
                    description: format!("replace {sub} of the specified {kind}"),
                    params: write_params(false),
                    body: Some(body(schema_ref, false)),
                    response: schema_ref,
                },
                &gvk,
            ),
        );
        ops.insert(
            "patch".into(),
            operation(
                Op {
                    action: "patch",
                    id: format!("patch{id_gv}{ns}{id_kind}{id_sub}"),
                    description: format!("partially update {sub} of the specified {kind}"),
                    params: write_params(true),
                    body: Some(body(PATCH, true)),
                    response: schema_ref,
                },
                &gvk,
            ),
        );
        ops.insert("parameters".into(), scope_params(true));
        paths.insert(
            format!("{scope_prefix}/{plural}/{{name}}/{sub}"),
            Value::Object(ops),
        );
    }

    if crd.namespaced {
        let mut all = Map::new();
        all.insert(
            "get".into(),
            operation(
                Op {
                    action: "list",
                    id: format!("list{id_gv}{id_kind}ForAllNamespaces"),
                    description: format!("list objects of kind {kind}"),
                    params: list_params(),
                    body: None,
                    response: &list_ref,
                },
                &gvk,
            ),
        );
        all.insert(
            "parameters".into(),
            Value::Array(vec![query(
                "pretty",
                "string",
                "If 'true', then the output is pretty printed.",
            )]),
        );
        paths.insert(format!("{prefix}/{plural}"), Value::Object(all));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_server() {
        assert_eq!(
            schema_name("example.com", "v1", "Widget"),
            "com.example.v1.Widget"
        );
        assert_eq!(
            schema_name("acid.zalan.do", "v1", "postgresql"),
            "do.zalan.acid.v1.postgresql"
        );
        assert_eq!(camel("cert-manager.io"), "CertManagerIo");
    }
}
