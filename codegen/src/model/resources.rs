//! REST resources learned from the spec's paths: plural, scope, kind, verbs, subresources and
//! each operation with its query parameters.
//!
//! Kubernetes paths follow one grammar: `/api/v1` or `/apis/{group}/{version}`, then
//! optionally `namespaces/{namespace}`, the plural, optionally `{name}` and a subresource.
//! Deprecated `watch/` paths only tell that a resource can be watched.

use std::collections::BTreeMap;

use openapiv3::{Operation, Parameter, PathItem, ReferenceOr};

use super::view::view;
use super::Gvk;
use crate::spec::{Document, Spec};

/// One REST resource (`pods`, `deployments`), with its subresources.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceDef {
    /// The API group (empty for the core group).
    pub group: String,
    /// The version.
    pub version: String,
    /// The kind it serves.
    pub kind: String,
    /// The plural name in URLs.
    pub plural: String,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Verbs in Kubernetes' names: get, list, watch, create, update, patch, delete,
    /// deletecollection; sorted.
    pub verbs: Vec<String>,
    /// Its subresources, by name.
    pub subresources: Vec<SubresourceDef>,
    /// The operations on the resource itself (not its subresources).
    pub operations: Vec<OperationDef>,
}

impl ResourceDef {
    /// Whether the resource supports `verb`.
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// The subresource `name`.
    pub fn subresource(&self, name: &str) -> Option<&SubresourceDef> {
        self.subresources.iter().find(|s| s.name == name)
    }
}

/// A subresource (`status`, `scale`, `log`, `eviction`...).
#[derive(Clone, Debug, PartialEq)]
pub struct SubresourceDef {
    /// The name (`status`, `scale`).
    pub name: String,
    /// Group, version and kind of its request/response body, when it has one.
    pub kind: Option<(String, String, String)>,
    /// The schema its operations answer with (`io.k8s.api.autoscaling.v1.Scale`), when they
    /// name one. More reliable than `kind`: a CRD's published document gives its `scale`
    /// operations the CRD's own group-version-kind.
    pub response: Option<String>,
    /// Verbs it supports, in Kubernetes' names.
    pub verbs: Vec<String>,
    /// Its operations.
    pub operations: Vec<OperationDef>,
}

/// One HTTP operation.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationDef {
    /// `x-kubernetes-action`: get, list, watch, post, put, patch, delete, deletecollection,
    /// connect.
    pub action: String,
    /// HTTP method, upper case.
    pub method: String,
    /// The URL path template (`/api/v1/namespaces/{namespace}/pods/{name}`).
    pub path: String,
    /// The spec's `operationId`.
    pub operation_id: Option<String>,
    /// The operation's description.
    pub description: Option<String>,
    /// True for the cross-namespace form of a namespaced resource's list/watch.
    pub all_namespaces: bool,
    /// Query parameters, sorted by name.
    pub params: Vec<ParamDef>,
}

/// A query parameter of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDef {
    /// The name.
    pub name: String,
    /// `string`, `integer`, `boolean`.
    pub ty: String,
    /// Its description.
    pub description: Option<String>,
    /// Whether the parameter is required.
    pub required: bool,
}

/// The parts of a path after the group-version prefix.
struct ParsedPath {
    group: String,
    version: String,
    namespaced: bool,
    plural: String,
    named: bool,
    subresource: Option<String>,
    watch: bool,
}

fn parse_path(path: &str) -> Option<ParsedPath> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", version, rest @ ..] => (String::new(), (*version).to_owned(), rest),
        ["apis", group, version, rest @ ..] => ((*group).to_owned(), (*version).to_owned(), rest),
        _ => return None,
    };
    let (watch, rest) = match rest {
        ["watch", rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let (namespaced, rest) = match rest {
        ["namespaces", "{namespace}", rest @ ..] if !rest.is_empty() => (true, rest),
        rest => (false, rest),
    };
    let (plural, named, subresource) = match rest {
        [plural] => (*plural, false, None),
        [plural, "{name}"] => (*plural, true, None),
        [plural, "{name}", sub] => (*plural, true, Some((*sub).to_owned())),
        // proxy paths with a trailing `{path}`.
        [plural, "{name}", sub, "{path}"] => (*plural, true, Some((*sub).to_owned())),
        _ => return None,
    };
    if plural.starts_with('{') {
        return None;
    }
    Some(ParsedPath {
        group,
        version,
        namespaced,
        plural: plural.to_owned(),
        named,
        subresource,
        watch,
    })
}

fn gvk_of(op: &Operation) -> Option<Gvk> {
    let v = op.extensions.get("x-kubernetes-group-version-kind")?;
    Some(Gvk {
        group: v.get("group")?.as_str()?.to_owned(),
        version: v.get("version")?.as_str()?.to_owned(),
        kind: v.get("kind")?.as_str()?.to_owned(),
    })
}

fn params(item: &PathItem, op: &Operation) -> Vec<ParamDef> {
    let mut out: BTreeMap<String, ParamDef> = BTreeMap::new();
    for p in item.parameters.iter().chain(op.parameters.iter()) {
        let ReferenceOr::Item(Parameter::Query { parameter_data, .. }) = p else {
            continue;
        };
        let ty = match &parameter_data.format {
            openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => {
                view(s).typ.unwrap_or("string").to_owned()
            }
            _ => "string".to_owned(),
        };
        out.insert(
            parameter_data.name.clone(),
            ParamDef {
                name: parameter_data.name.clone(),
                ty,
                description: parameter_data.description.clone(),
                required: parameter_data.required,
            },
        );
    }
    out.into_values().collect()
}

/// Verb names of Kubernetes discovery for an `x-kubernetes-action`. Connect operations
/// (exec, attach, proxy...) are listed by discovery under their HTTP method's verb.
fn verb<'a>(action: &'a str, method: &str) -> &'a str {
    match action {
        "connect" => match method {
            "GET" | "HEAD" | "OPTIONS" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => "connect",
        },
        "post" => "create",
        "put" => "update",
        "watchlist" => "watch",
        other => other,
    }
}

#[derive(Default)]
struct Acc {
    kind: Option<Gvk>,
    namespaced: bool,
    verbs: Vec<String>,
    operations: Vec<OperationDef>,
    subresources: BTreeMap<String, SubAcc>,
}

#[derive(Default)]
struct SubAcc {
    kind: Option<Gvk>,
    response: Option<String>,
    verbs: Vec<String>,
    operations: Vec<OperationDef>,
}

/// Collects every resource of every document.
pub(super) fn collect(spec: &Spec) -> Vec<ResourceDef> {
    let mut acc: BTreeMap<(String, String, String), Acc> = BTreeMap::new();
    for doc in spec.documents() {
        collect_document(doc, &mut acc);
    }
    acc.into_iter()
        .filter_map(|((group, version, plural), a)| {
            let kind = a.kind?;
            let mut verbs = a.verbs;
            verbs.sort();
            verbs.dedup();
            Some(ResourceDef {
                group,
                version,
                kind: kind.kind,
                plural,
                namespaced: a.namespaced,
                verbs,
                subresources: a
                    .subresources
                    .into_iter()
                    .map(|(name, s)| {
                        let mut verbs = s.verbs;
                        verbs.sort();
                        verbs.dedup();
                        SubresourceDef {
                            name,
                            kind: s.kind.map(|g| (g.group, g.version, g.kind)),
                            response: s.response,
                            verbs,
                            operations: s.operations,
                        }
                    })
                    .collect(),
                operations: a.operations,
            })
        })
        .collect()
}

fn collect_document(doc: &Document, acc: &mut BTreeMap<(String, String, String), Acc>) {
    let has_watch_paths = doc
        .openapi
        .paths
        .paths
        .keys()
        .any(|p| p.contains("/watch/"));
    for (path, item) in &doc.openapi.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let Some(parsed) = parse_path(path) else {
            continue;
        };
        let ops = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
            ("HEAD", &item.head),
            ("OPTIONS", &item.options),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let Some(action) = op
                .extensions
                .get("x-kubernetes-action")
                .and_then(|a| a.as_str())
            else {
                continue;
            };
            let key = (
                parsed.group.clone(),
                parsed.version.clone(),
                parsed.plural.clone(),
            );
            let entry = acc.entry(key).or_default();
            let gvk = gvk_of(op);
            let all_namespaces =
                !parsed.namespaced && !parsed.named && is_cross_namespace(doc, &parsed);
            if parsed.namespaced {
                entry.namespaced = true;
            }
            let operation = OperationDef {
                action: action.to_owned(),
                method: method.to_owned(),
                path: path.clone(),
                operation_id: op.operation_id.clone(),
                description: op.description.clone(),
                all_namespaces,
                params: params(item, op),
            };
            match &parsed.subresource {
                None => {
                    if entry.kind.is_none() {
                        entry.kind = gvk;
                    }
                    entry.verbs.push(verb(action, method).to_owned());
                    // Documents without any of the deprecated `watch/` paths (a CRD's) tell
                    // that a resource can be watched by the list operation's `watch`
                    // parameter. (Built-in documents have the parameter on lists that cannot
                    // be watched, such as componentstatuses.)
                    if action == "list"
                        && !has_watch_paths
                        && operation.params.iter().any(|p| p.name == "watch")
                    {
                        entry.verbs.push("watch".to_owned());
                    }
                    if !parsed.watch {
                        entry.operations.push(operation);
                    }
                }
                Some(sub) => {
                    let s = entry.subresources.entry(sub.clone()).or_default();
                    if s.kind.is_none() {
                        s.kind = gvk;
                    }
                    if s.response.is_none() {
                        s.response = response_schema(op);
                    }
                    s.verbs.push(verb(action, method).to_owned());
                    if !parsed.watch {
                        s.operations.push(operation);
                    }
                }
            }
        }
    }
}

/// The schema a successful answer (200 or 201, JSON) of an operation refers to.
fn response_schema(op: &Operation) -> Option<String> {
    ["200", "201"].iter().find_map(|code| {
        let response = op
            .responses
            .responses
            .get(&openapiv3::StatusCode::Code(code.parse().ok()?))?;
        let ReferenceOr::Item(response) = response else {
            return None;
        };
        let media = response.content.get("application/json")?;
        match media.schema.as_ref()? {
            ReferenceOr::Reference { reference } => {
                crate::spec::ref_target(reference).map(str::to_owned)
            }
            ReferenceOr::Item(_) => None,
        }
    })
}

/// A path without `namespaces/{namespace}` is the all-namespaces form when the same
/// resource also has a namespaced path.
fn is_cross_namespace(doc: &Document, parsed: &ParsedPath) -> bool {
    let prefix = if parsed.group.is_empty() {
        format!("/api/{}", parsed.version)
    } else {
        format!("/apis/{}/{}", parsed.group, parsed.version)
    };
    let namespaced = format!("{prefix}/namespaces/{{namespace}}/{}", parsed.plural);
    doc.openapi.paths.paths.contains_key(&namespaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_paths() {
        let p = parse_path("/api/v1/namespaces/{namespace}/pods/{name}/log").unwrap();
        assert_eq!((p.group.as_str(), p.plural.as_str()), ("", "pods"));
        assert!(p.namespaced && p.named);
        assert_eq!(p.subresource.as_deref(), Some("log"));
        let p = parse_path("/apis/apps/v1/deployments").unwrap();
        assert!(!p.namespaced && !p.named);
        let p = parse_path("/api/v1/namespaces/{name}/status").unwrap();
        assert_eq!(p.plural, "namespaces");
        assert!(!p.namespaced && p.named);
        let p = parse_path("/api/v1/namespaces").unwrap();
        assert_eq!(p.plural, "namespaces");
        let p = parse_path("/api/v1/watch/namespaces/{namespace}/pods").unwrap();
        assert!(p.watch && p.namespaced);
        let p = parse_path("/api/v1/namespaces/{namespace}/pods/{name}/proxy/{path}").unwrap();
        assert_eq!(p.subresource.as_deref(), Some("proxy"));
        assert!(parse_path("/apis/apps/").is_none());
        assert!(parse_path("/version/").is_none());
    }
}
