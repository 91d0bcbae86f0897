//! Builds the resource table from the `paths` of OpenAPI v3 documents.
//!
//! Every operation of the Kubernetes spec carries `x-kubernetes-action` and
//! `x-kubernetes-group-version-kind`; the URL template says the plural, the scope and
//! the subresource. This is the only file that knows how the table is derived, so it
//! can be swapped for an adapter over `kubegen::model` without touching the server.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::names::builtin_names;
use super::resources::{ResourceDef, ResourceTable, SubresourceDef};

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    paths: BTreeMap<String, PathItem>,
}

#[derive(Deserialize)]
struct PathItem {
    get: Option<Op>,
    put: Option<Op>,
    post: Option<Op>,
    delete: Option<Op>,
    patch: Option<Op>,
}

#[derive(Deserialize)]
struct Op {
    #[serde(rename = "x-kubernetes-action")]
    action: Option<String>,
    #[serde(rename = "x-kubernetes-group-version-kind")]
    gvk: Option<Gvk>,
}

#[derive(Deserialize, Clone)]
struct Gvk {
    group: String,
    version: String,
    kind: String,
}

/// A subresource's body kind (group, version, kind) and verbs, as collected so far.
type SubPartial = (Option<(String, String, String)>, Vec<String>);

#[derive(Default)]
struct Partial {
    kind: Option<String>,
    namespaced: bool,
    verbs: Vec<String>,
    subresources: BTreeMap<String, SubPartial>,
}

/// Reads the `paths` of one document and adds what it finds to `acc`.
fn scan(
    bytes: &[u8],
    acc: &mut BTreeMap<(String, String, String), Partial>,
) -> Result<(), serde_json::Error> {
    let doc: Doc = serde_json::from_slice(bytes)?;
    for (path, item) in &doc.paths {
        let ops = [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("delete", &item.delete),
            ("patch", &item.patch),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let (Some(action), Some(gvk)) = (&op.action, &op.gvk) else {
                continue;
            };
            let Some((group, version, rest)) = split_prefix(path) else {
                continue;
            };
            let mut segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
            let mut watch_path = false;
            if segs.first() == Some(&"watch") {
                watch_path = true;
                segs.remove(0);
            }
            let mut namespaced = false;
            if segs.len() > 2 && segs[0] == "namespaces" && segs[1] == "{namespace}" {
                namespaced = true;
                segs.drain(0..2);
            }
            let Some(plural) = segs.first() else { continue };
            let verb = match (action.as_str(), watch_path) {
                (_, true) | ("watch", _) | ("watchlist", _) => "watch",
                ("get", _) => "get",
                ("list", _) => "list",
                ("post", _) => "create",
                ("put", _) => "update",
                ("patch", _) => "patch",
                ("delete", _) => "delete",
                ("deletecollection", _) => "deletecollection",
                ("connect", _) => "connect",
                _ => continue,
            };
            let entry = acc
                .entry((group.to_string(), version.to_string(), plural.to_string()))
                .or_default();
            match segs.len() {
                1 | 2 => {
                    if segs.len() == 2 && segs[1] != "{name}" {
                        continue;
                    }
                    entry.namespaced |= namespaced;
                    if verb != "connect" {
                        if entry.kind.is_none() || verb == "get" || verb == "create" {
                            entry.kind = Some(gvk.kind.clone());
                        }
                        if !entry.verbs.iter().any(|v| v == verb) {
                            entry.verbs.push(verb.to_string());
                        }
                    }
                }
                3 if segs[1] == "{name}" => {
                    entry.namespaced |= namespaced;
                    let sub = entry.subresources.entry(segs[2].to_string()).or_default();
                    let verb = match (verb, method) {
                        ("connect", "get") => "get",
                        ("connect", "post") => "create",
                        ("connect", "put") => "update",
                        ("connect", "patch") => "patch",
                        ("connect", _) => "delete",
                        (v, _) => v,
                    };
                    if sub.0.is_none() && verb != "delete" {
                        sub.0 = Some((gvk.group.clone(), gvk.version.clone(), gvk.kind.clone()));
                    }
                    if !sub.1.iter().any(|v| v == verb) {
                        sub.1.push(verb.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// `(group, version, rest)` of `/api/v1/...` or `/apis/{group}/{version}/...`.
fn split_prefix(path: &str) -> Option<(&str, &str, &str)> {
    if let Some(rest) = path.strip_prefix("/api/v1") {
        return Some(("", "v1", rest));
    }
    let rest = path.strip_prefix("/apis/")?;
    let mut it = rest.splitn(3, '/');
    let group = it.next()?;
    let version = it.next()?;
    Some((group, version, it.next().unwrap_or("")))
}

/// Builds the table from the raw bytes of every document of a spec directory.
pub fn table_from_documents<'a>(
    docs: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<ResourceTable, (String, serde_json::Error)> {
    let mut acc = BTreeMap::new();
    for (name, bytes) in docs {
        scan(bytes, &mut acc).map_err(|e| (name.to_string(), e))?;
    }
    let mut out = Vec::new();
    for ((group, version, plural), p) in acc {
        let Some(kind) = p.kind else { continue };
        if p.verbs.is_empty() {
            continue;
        }
        let (singular, short_names, categories) = builtin_names(&group, &plural, &kind);
        let mut verbs = p.verbs;
        verbs.sort();
        out.push(ResourceDef {
            group,
            version,
            kind,
            plural,
            singular,
            namespaced: p.namespaced,
            verbs,
            short_names,
            categories,
            subresources: p
                .subresources
                .into_iter()
                .map(|(name, (kind, mut verbs))| {
                    verbs.sort();
                    SubresourceDef { name, kind, verbs }
                })
                .collect(),
            custom: false,
            scale_paths: None,
        });
    }
    Ok(ResourceTable::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"paths":{
      "/apis/apps/v1/namespaces/{namespace}/deployments": {
        "get": {"x-kubernetes-action":"list","x-kubernetes-group-version-kind":{"group":"apps","version":"v1","kind":"Deployment"}},
        "post": {"x-kubernetes-action":"post","x-kubernetes-group-version-kind":{"group":"apps","version":"v1","kind":"Deployment"}}},
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale": {
        "get": {"x-kubernetes-action":"get","x-kubernetes-group-version-kind":{"group":"autoscaling","version":"v1","kind":"Scale"}},
        "parameters": []},
      "/apis/apps/v1/watch/namespaces/{namespace}/deployments": {
        "get": {"x-kubernetes-action":"watchlist","x-kubernetes-group-version-kind":{"group":"apps","version":"v1","kind":"Deployment"}}},
      "/api/v1/namespaces/{name}": {
        "get": {"x-kubernetes-action":"get","x-kubernetes-group-version-kind":{"group":"","version":"v1","kind":"Namespace"}}}
    }}"#;

    #[test]
    fn derives_scope_verbs_and_subresources() {
        let t = table_from_documents([("x", DOC.as_bytes())]).unwrap();
        let d = t.get("apps", "v1", "deployments").unwrap();
        assert!(d.namespaced);
        assert_eq!(d.verbs, vec!["create", "list", "watch"]);
        let scale = d.subresource("scale").unwrap();
        assert_eq!(scale.kind.as_ref().unwrap().2, "Scale");
        assert_eq!(d.short_names, vec!["deploy"]);
        let ns = t.get("", "v1", "namespaces").unwrap();
        assert!(!ns.namespaced);
    }
}
