//! The resource table: which resources the server serves, and how.

use std::collections::BTreeMap;

/// A subresource of a resource (`status`, `scale`, `log`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubresourceDef {
    /// The path segment after the object name, e.g. `status`.
    pub name: String,
    /// The (group, version, kind) of its body, when the spec names one.
    pub kind: Option<(String, String, String)>,
    /// The verbs it supports.
    pub verbs: Vec<String>,
}

/// One servable resource of one group-version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDef {
    /// API group; "" for the core group.
    pub group: String,
    /// API version, e.g. `v1`.
    pub version: String,
    /// Kind of its objects.
    pub kind: String,
    /// Plural resource name used in URLs.
    pub plural: String,
    /// Singular name (discovery only).
    pub singular: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs, k8s names.
    pub verbs: Vec<String>,
    /// Short names (discovery only).
    pub short_names: Vec<String>,
    /// Categories (discovery only).
    pub categories: Vec<String>,
    /// Subresources.
    pub subresources: Vec<SubresourceDef>,
    /// Served through a CustomResourceDefinition.
    pub custom: bool,
    /// For a CRD with a scale subresource: the JSON paths of the replica fields.
    pub scale_paths: Option<ScalePaths>,
}

/// Where a custom resource keeps its replica counts (`.spec.replicas` style paths).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalePaths {
    /// e.g. `.spec.replicas`
    pub spec_replicas: String,
    /// e.g. `.status.replicas`
    pub status_replicas: String,
    /// e.g. `.status.selector`
    pub label_selector: Option<String>,
}

impl ResourceDef {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The kind of its lists.
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// The key its objects are stored under: all versions of a resource share storage.
    pub fn storage_key(&self) -> String {
        format!("{}/{}", self.group, self.plural)
    }

    /// The subresource named `name`, if it has it.
    pub fn subresource(&self, name: &str) -> Option<&SubresourceDef> {
        self.subresources.iter().find(|s| s.name == name)
    }

    /// Whether the resource has a `status` subresource (then status writes are split off).
    pub fn has_status(&self) -> bool {
        self.subresource("status").is_some()
    }

    /// Whether the verb is supported.
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// `configmaps` or `deployments.apps`: how messages name a group-resource.
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `ConfigMap` or `Widget.example.com`: how validation messages name a kind.
    pub fn group_kind(&self) -> String {
        if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }
}

/// All resources of a spec, indexed by group, version and plural.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResourceTable {
    by_gvr: BTreeMap<(String, String, String), ResourceDef>,
}

impl ResourceTable {
    /// A table of the given resources (later duplicates replace earlier ones).
    pub(crate) fn new(resources: impl IntoIterator<Item = ResourceDef>) -> Self {
        let mut by_gvr = BTreeMap::new();
        for r in resources {
            by_gvr.insert((r.group.clone(), r.version.clone(), r.plural.clone()), r);
        }
        Self { by_gvr }
    }

    /// The resource at `group/version/plural`.
    pub(crate) fn get(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceDef> {
        self.by_gvr
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
    }

    /// All resources, ordered by group, version, plural.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &ResourceDef> {
        self.by_gvr.values()
    }

    /// Whether the table is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_gvr.is_empty()
    }
}
