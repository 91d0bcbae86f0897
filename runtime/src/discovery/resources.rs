//! What discovery learned: every group, its versions (preferred first) and each version's
//! resources, in one snapshot that both discovery modes produce and the disk cache stores.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::gvk::{GroupVersion, GroupVersionKind, GroupVersionResource};
use crate::meta::Scope;

/// One resource of one group-version, with everything a generic client needs to reach it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiResource {
    /// The group (empty for the core group).
    pub group: String,
    /// The version.
    pub version: String,
    /// Kind of the objects (`Deployment`).
    pub kind: String,
    /// Plural name used in URLs (`deployments`).
    pub plural: String,
    /// Singular name (`deployment`); discovery may leave it empty, then the lower-cased kind.
    pub singular: String,
    /// Abbreviations (`deploy`).
    #[serde(default)]
    pub short_names: Vec<String>,
    /// Groupings like `all` (`kubectl get all`).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Verbs the server supports (`get`, `list`, `watch`, ...).
    #[serde(default)]
    pub verbs: Vec<String>,
    /// Subresources (`status`, `scale`, ...).
    #[serde(default)]
    pub subresources: Vec<ApiSubresource>,
}

impl ApiResource {
    /// Whether objects live in a namespace.
    pub fn scope(&self) -> Scope {
        if self.namespaced {
            Scope::Namespaced
        } else {
            Scope::Cluster
        }
    }

    /// The group, version and resource.
    pub fn gvr(&self) -> GroupVersionResource {
        GroupVersionResource::new(&self.group, &self.version, &self.plural)
    }

    /// The group, version and kind.
    pub fn gvk(&self) -> GroupVersionKind {
        GroupVersionKind::new(&self.group, &self.version, &self.kind)
    }

    /// `group/version` or `version`.
    pub fn api_version(&self) -> String {
        GroupVersion::new(&self.group, &self.version).api_version()
    }

    /// Whether the server supports `verb` on this resource.
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// The subresource called `name`, if served.
    pub fn subresource(&self, name: &str) -> Option<&ApiSubresource> {
        self.subresources.iter().find(|s| s.name == name)
    }

    /// The description of a generated type `K` (no short names, verbs or subresources:
    /// those only discovery knows).
    pub fn of<K: crate::meta::Resource>() -> Self {
        Self {
            group: K::GROUP.into(),
            version: K::VERSION.into(),
            kind: K::KIND.into(),
            plural: K::PLURAL.into(),
            singular: K::KIND.to_ascii_lowercase(),
            namespaced: K::SCOPE == Scope::Namespaced,
            ..Self::default()
        }
    }
}

/// A subresource of a resource (`deployments/scale`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSubresource {
    /// The name after the slash (`status`, `scale`).
    pub name: String,
    /// The kind it reads and writes, when discovery says (`autoscaling/v1, Kind=Scale`).
    #[serde(default)]
    pub kind: Option<GroupVersionKind>,
    /// The verbs it supports (`get`, `list`, `watch`...).
    #[serde(default)]
    pub verbs: Vec<String>,
}

/// One version of a group and its resources.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiVersionResources {
    /// The version.
    pub version: String,
    /// The resources it serves.
    pub resources: Vec<ApiResource>,
    /// Why this version's resources are missing or may be out of date (a failed
    /// group-version request, or aggregated discovery's `freshness: Stale`); `None` when
    /// they are current.
    #[serde(default)]
    pub error: Option<String>,
}

/// One API group with its versions, preferred version first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiGroupResources {
    /// Group name, empty for the core group.
    pub name: String,
    /// The server's preferred version (what `kubectl get` uses).
    pub preferred_version: String,
    /// Versions in the server's order of preference.
    pub versions: Vec<ApiVersionResources>,
}

impl ApiGroupResources {
    /// The resources of `version`, if the group serves it.
    pub fn version(&self, version: &str) -> Option<&ApiVersionResources> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The preferred version's resources.
    pub fn preferred(&self) -> Option<&ApiVersionResources> {
        self.version(&self.preferred_version)
            .or_else(|| self.versions.first())
    }
}

/// How discovery was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiscoverySource {
    /// `apidiscovery.k8s.io/v2`: one request for `/api`, one for `/apis`.
    Aggregated,
    /// `/api`, `/apis`, then one request per group-version.
    Legacy,
}

/// Everything the server serves: groups in the server's order (core first), each with its
/// versions and resources. One group-version failing does not fail the rest: see
/// [`ServerResources::failures`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerResources {
    /// Every group-version's resources.
    pub groups: Vec<ApiGroupResources>,
    /// Which discovery answered (aggregated or legacy, fresh or cached).
    pub source: DiscoverySource,
}

impl ServerResources {
    /// The group called `name` (`""` for core).
    pub fn group(&self, name: &str) -> Option<&ApiGroupResources> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// Every resource of every version, groups in server order, preferred versions first.
    pub fn all_resources(&self) -> impl Iterator<Item = &ApiResource> {
        self.groups
            .iter()
            .flat_map(|g| g.versions.iter())
            .flat_map(|v| v.resources.iter())
    }

    /// The resources of each group's preferred version (what `kubectl api-resources` shows).
    pub fn preferred_resources(&self) -> impl Iterator<Item = &ApiResource> {
        self.groups
            .iter()
            .filter_map(|g| g.preferred())
            .flat_map(|v| v.resources.iter())
    }

    /// The resource `gvr`, if served.
    pub fn resource(&self, gvr: &GroupVersionResource) -> Option<&ApiResource> {
        self.group(&gvr.group)?
            .version(&gvr.version)?
            .resources
            .iter()
            .find(|r| r.plural == gvr.resource)
    }

    /// Group-versions whose discovery failed or is stale, with the reason: the partial
    /// failures callers may report while using the rest.
    pub fn failures(&self) -> BTreeMap<GroupVersion, String> {
        self.groups
            .iter()
            .flat_map(|g| {
                g.versions.iter().filter_map(move |v| {
                    v.error
                        .as_ref()
                        .map(|e| (GroupVersion::new(&g.name, &v.version), e.clone()))
                })
            })
            .collect()
    }
}
