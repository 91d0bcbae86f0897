//! Typed clients: which resource gets which client, named what, with which subresources.
//!
//! A client is emitted for every resource whose kind is a generated type that implements
//! `Resource` for exactly this resource (a kind served under two plurals gets a client for the
//! one its `Resource::PLURAL` names). Subresource bodies are resolved to generated types here,
//! so the emitter only prints.

use std::collections::{BTreeMap, BTreeSet};

use super::{naming, Gvk, ModuleId, ResourceDef, SubresourceDef, TypeDef, TypeId};

/// One typed client: a resource of a group-version.
#[derive(Clone, Debug)]
pub struct ClientDef {
    /// The resource.
    pub resource: ResourceDef,
    /// The resource's kind.
    pub kind: TypeId,
    /// The module of the kind, where the client lives.
    pub module: ModuleId,
    /// Client type name (`PodClient`).
    pub rust_name: String,
    /// Accessor on the group-version client (`pods`).
    pub accessor: String,
    /// The subresources with methods on the client.
    pub subresources: Vec<SubClientDef>,
}

/// A subresource and its body type, when it has a generated one.
#[derive(Clone, Debug)]
pub struct SubClientDef {
    /// The subresource.
    pub def: SubresourceDef,
    /// Its generated body type.
    pub body: Option<TypeId>,
    /// Method-name stem (`status`, `scale`, `ephemeral_containers`).
    pub stem: String,
}

pub(super) fn collect(
    resources: &[ResourceDef],
    types: &BTreeMap<TypeId, TypeDef>,
    externals: &BTreeMap<String, String>,
    taken: &mut BTreeMap<ModuleId, BTreeSet<String>>,
) -> Vec<ClientDef> {
    let mut by_gvk: BTreeMap<Gvk, &TypeDef> = BTreeMap::new();
    for def in types.values() {
        if let Some(gvk) = &def.gvk {
            by_gvk.insert(gvk.clone(), def);
        }
    }
    let mut clients = Vec::new();
    for r in resources {
        let gvk = Gvk {
            group: r.group.clone(),
            version: r.version.clone(),
            kind: r.kind.clone(),
        };
        let Some(kind) = by_gvk.get(&gvk) else {
            continue;
        };
        if kind.resource.as_ref().map(|(plural, _)| plural) != Some(&r.plural) {
            tracing::debug!(plural = %r.plural, kind = %r.kind, "kind served under another plural; no typed client");
            continue;
        }
        let subresources = r
            .subresources
            .iter()
            .map(|s| {
                // The schema the operations answer with, when it is a type we have
                // (generated, or another crate's: see `Model::externals`), else by kind.
                let answered = s
                    .response
                    .as_ref()
                    .filter(|name| types.contains_key(*name) || externals.contains_key(*name))
                    .cloned();
                let body = answered.or_else(|| {
                    s.kind.as_ref().and_then(|(group, version, kind)| {
                        by_gvk
                            .get(&Gvk {
                                group: group.clone(),
                                version: version.clone(),
                                kind: kind.clone(),
                            })
                            .map(|t| t.id.clone())
                    })
                });
                SubClientDef {
                    def: s.clone(),
                    body,
                    stem: naming::field_name(&subresource_words(&s.name)),
                }
            })
            .collect();
        let module = kind.module.clone();
        let wanted = format!("{}Client", kind.rust_name);
        let names = taken.entry(module.clone()).or_default();
        let mut rust_name = wanted.clone();
        let mut n = 2;
        while !names.insert(rust_name.clone()) {
            rust_name = format!("{wanted}{n}");
            n += 1;
        }
        clients.push(ClientDef {
            resource: r.clone(),
            kind: kind.id.clone(),
            module,
            rust_name,
            accessor: accessor_name(&kind.rust_name, &r.plural),
            subresources,
        });
    }
    clients
}

/// Subresource names are lower-case run-together words; a few are known compounds.
fn subresource_words(name: &str) -> String {
    match name {
        "ephemeralcontainers" => "ephemeralContainers".into(),
        "portforward" => "portForward".into(),
        other => other.into(),
    }
}

/// The accessor for a resource: its plural, split into words like its kind (`configmaps` of
/// `ConfigMap` → `config_maps`, `networkpolicies` → `network_policies`), as client-go's
/// `ConfigMaps()`. Falls back to the plural as is when it does not start like the kind.
fn accessor_name(kind: &str, plural: &str) -> String {
    let words: Vec<String> = naming::field_name(kind)
        .split('_')
        .map(str::to_owned)
        .collect();
    let mut rest = plural;
    let mut out: Vec<&str> = Vec::new();
    for word in &words[..words.len().saturating_sub(1)] {
        match rest.strip_prefix(word.as_str()) {
            Some(r) if !r.is_empty() => {
                out.push(word);
                rest = r;
            }
            _ => return naming::field_name(plural),
        }
    }
    out.push(rest);
    naming::field_name(&out.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_follow_the_kind_words() {
        assert_eq!(accessor_name("ConfigMap", "configmaps"), "config_maps");
        assert_eq!(
            accessor_name("NetworkPolicy", "networkpolicies"),
            "network_policies"
        );
        assert_eq!(accessor_name("Pod", "pods"), "pods");
        assert_eq!(accessor_name("Endpoints", "endpoints"), "endpoints");
        assert_eq!(accessor_name("APIService", "apiservices"), "api_services");
        assert_eq!(
            accessor_name("CustomResourceDefinition", "customresourcedefinitions"),
            "custom_resource_definitions"
        );
        assert_eq!(accessor_name("Widget", "gizmos"), "gizmos");
        assert_eq!(accessor_name("CSIDriver", "csidrivers"), "csi_drivers");
    }
}
