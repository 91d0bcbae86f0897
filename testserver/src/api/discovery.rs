//! Discovery: `/version`, `/api`, `/apis`, group and group-version documents, and
//! aggregated discovery (`apidiscovery.k8s.io/v2`) chosen by the `Accept` header.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::Engine;
use hyper::Response;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::State;
use crate::catalog::ResourceDef;
use crate::http::body::json_value;
use crate::http::{ApiError, Body, Output, Req};

/// `/version`.
pub(crate) fn version() -> Response<Body> {
    json_value(
        200,
        &json!({
            "major": "1",
            "minor": "36",
            "emulationMajor": "1",
            "emulationMinor": "36",
            "minCompatibilityMajor": "1",
            "minCompatibilityMinor": "35",
            "gitVersion": "v1.36.3-kubegen-testserver",
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "none",
            "compiler": "rustc",
            "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
        }),
    )
}

/// Kubernetes version priority: GA before beta before alpha, higher numbers first.
pub(crate) fn version_priority(a: &str, b: &str) -> Ordering {
    fn key(v: &str) -> (u8, u32, u32) {
        let Some(rest) = v.strip_prefix('v') else {
            return (0, 0, 0);
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: u32 = digits.parse().unwrap_or(0);
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return (3, major, 0);
        }
        let (level, n) = if let Some(n) = tail.strip_prefix("beta") {
            (2, n)
        } else if let Some(n) = tail.strip_prefix("alpha") {
            (1, n)
        } else {
            (0, "")
        };
        (level, major, n.parse().unwrap_or(0))
    }
    key(b).cmp(&key(a)).then_with(|| a.cmp(b))
}

fn groups(state: &State) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in state.all_resources() {
        let vs = m.entry(r.group.clone()).or_default();
        if !vs.contains(&r.version) {
            vs.push(r.version.clone());
        }
    }
    for vs in m.values_mut() {
        vs.sort_by(|a, b| version_priority(a, b));
    }
    m
}

/// `/api`.
pub(crate) fn api_versions(state: &State, req: &Req) -> Response<Body> {
    if req.output() == Output::AggregatedDiscovery {
        return aggregated(state, true);
    }
    json_value(
        200,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
        }),
    )
}

fn group_json(name: &str, versions: &[String]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    json!({
        "name": name,
        "versions": vs,
        "preferredVersion": vs.first().cloned().unwrap_or(Value::Null),
    })
}

/// `/apis`.
pub(crate) fn api_groups(state: &State, req: &Req) -> Response<Body> {
    if req.output() == Output::AggregatedDiscovery {
        return aggregated(state, false);
    }
    let groups: Vec<Value> = groups(state)
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, vs)| group_json(g, vs))
        .collect();
    json_value(
        200,
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
    )
}

/// `/apis/{group}`.
pub(crate) fn group(state: &State, g: &str) -> Result<Response<Body>, ApiError> {
    let all = groups(state);
    let Some(vs) = all.get(g).filter(|_| !g.is_empty()) else {
        // No handler is registered for an unknown group: a real server's mux answers.
        let mut r = Response::new(crate::http::body::full("404 page not found\n"));
        *r.status_mut() = hyper::StatusCode::NOT_FOUND;
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r.headers_mut().insert(
            "x-content-type-options",
            hyper::header::HeaderValue::from_static("nosniff"),
        );
        return Ok(r);
    };
    let mut v = group_json(g, vs);
    v["kind"] = json!("APIGroup");
    v["apiVersion"] = json!("v1");
    Ok(json_value(200, &v))
}

/// The storage version hash the real server publishes: base64 of the first 8 bytes of
/// SHA-256 of `group/version/kind`.
fn storage_version_hash(r: &ResourceDef) -> String {
    let d = Sha256::digest(format!("{}/{}/{}", r.group, r.version, r.kind).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(&d[..8])
}

fn resources_of<'a>(all: &'a [ResourceDef], g: &str, v: &str) -> Vec<&'a ResourceDef> {
    all.iter()
        .filter(|r| r.group == g && r.version == v)
        .collect()
}

/// `/api/v1` and `/apis/{group}/{version}`.
pub(crate) fn resource_list(state: &State, g: &str, v: &str) -> Result<Response<Body>, ApiError> {
    let all = state.all_resources();
    let rs = resources_of(&all, g, v);
    if rs.is_empty() {
        return Err(ApiError::unknown_resource());
    }
    let mut out = Vec::new();
    for r in rs {
        let mut e = json!({
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": r.verbs,
        });
        if !r.short_names.is_empty() {
            e["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            e["categories"] = json!(r.categories);
        }
        if r.supports("create") && r.supports("get") {
            e["storageVersionHash"] = json!(storage_version_hash(r));
        }
        out.push(e);
        for s in &r.subresources {
            let mut e = json!({
                "name": format!("{}/{}", r.plural, s.name),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": s.kind.as_ref().map(|k| k.2.clone()).unwrap_or_else(|| r.kind.clone()),
                "verbs": s.verbs,
            });
            if let Some((sg, sv, _)) = &s.kind {
                if *sg != r.group || *sv != r.version {
                    e["group"] = json!(sg);
                    e["version"] = json!(sv);
                }
            }
            out.push(e);
        }
    }
    let gv = if g.is_empty() {
        v.to_string()
    } else {
        format!("{g}/{v}")
    };
    Ok(json_value(
        200,
        // The legacy core list has no apiVersion (a real server's quirk clients see).
        &if g.is_empty() {
            json!({"kind": "APIResourceList", "groupVersion": gv, "resources": out})
        } else {
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out})
        },
    ))
}

fn aggregated(state: &State, core: bool) -> Response<Body> {
    let all = state.all_resources();
    let mut items = Vec::new();
    for (g, vs) in groups(state) {
        if core != g.is_empty() {
            continue;
        }
        let versions: Vec<Value> = vs
            .iter()
            .map(|v| {
                let resources: Vec<Value> = resources_of(&all, &g, v)
                    .into_iter()
                    .map(|r| {
                        let mut e = json!({
                            "resource": r.plural,
                            "responseKind": {"group": "", "version": "", "kind": r.kind},
                            "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
                            "singularResource": r.singular,
                            "verbs": r.verbs,
                        });
                        if !r.short_names.is_empty() {
                            e["shortNames"] = json!(r.short_names);
                        }
                        if !r.categories.is_empty() {
                            e["categories"] = json!(r.categories);
                        }
                        if !r.subresources.is_empty() {
                            e["subresources"] = r
                                .subresources
                                .iter()
                                .map(|s| {
                                    let kind = match &s.kind {
                                        Some((sg, sv, k)) if *sg != r.group || *sv != r.version => {
                                            json!({"group": sg, "version": sv, "kind": k})
                                        }
                                        Some((_, _, k)) => json!({"group": "", "version": "", "kind": k}),
                                        None => json!({"group": "", "version": "", "kind": r.kind}),
                                    };
                                    json!({"subresource": s.name, "responseKind": kind, "verbs": s.verbs})
                                })
                                .collect();
                        }
                        e
                    })
                    .collect();
                json!({"version": v, "resources": resources, "freshness": "Current"})
            })
            .collect();
        let meta = if g.is_empty() {
            json!({})
        } else {
            json!({"name": g})
        };
        items.push(json!({"metadata": meta, "versions": versions}));
    }
    let mut r = json_value(
        200,
        &json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}),
    );
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        ),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority() {
        let mut v = vec!["v1alpha1", "v1beta1", "v2", "v1", "v1beta2"];
        v.sort_by(|a, b| version_priority(a, b));
        assert_eq!(v, vec!["v2", "v1", "v1beta2", "v1beta1", "v1alpha1"]);
    }
}
