//! Aggregated discovery (`apidiscovery.k8s.io/v2`): every group, version and resource of
//! `/api` or `/apis` in one response, asked for with [`AGGREGATED_ACCEPT`].

use serde::Deserialize;

use super::gvk::GroupVersionKind;
use super::resources::{ApiGroupResources, ApiResource, ApiSubresource, ApiVersionResources};
use crate::meta::serde_helpers::null_as_default;

/// The Accept header asking for aggregated discovery, falling back to the legacy
/// documents on servers without it.
pub const AGGREGATED_ACCEPT: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/// Whether a response's `Content-Type` is an aggregated discovery document.
pub(crate) fn is_aggregated(content_type: &str) -> bool {
    content_type
        .split(';')
        .map(str::trim)
        .any(|p| p == "as=APIGroupDiscoveryList")
}

/// `APIGroupDiscoveryList`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GroupDiscoveryList {
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: Vec<GroupDiscovery>,
}

/// `APIGroupDiscovery`: a group and its versions, most preferred first.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GroupDiscovery {
    #[serde(default)]
    pub metadata: GroupMeta,
    #[serde(default, deserialize_with = "null_as_default")]
    pub versions: Vec<VersionDiscovery>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct GroupMeta {
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
}

/// `APIVersionDiscovery`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct VersionDiscovery {
    #[serde(default, deserialize_with = "null_as_default")]
    pub version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub resources: Vec<ResourceDiscovery>,
    /// `Current` or `Stale` (an aggregated API server did not answer).
    #[serde(default)]
    pub freshness: Option<String>,
}

/// `APIResourceDiscovery`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceDiscovery {
    #[serde(default, deserialize_with = "null_as_default")]
    pub resource: String,
    #[serde(default)]
    pub response_kind: Option<DiscoveryKind>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub scope: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub singular_resource: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub verbs: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub short_names: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub categories: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub subresources: Vec<SubresourceDiscovery>,
}

/// `APISubresourceDiscovery`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubresourceDiscovery {
    #[serde(default, deserialize_with = "null_as_default")]
    pub subresource: String,
    #[serde(default)]
    pub response_kind: Option<DiscoveryKind>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub verbs: Vec<String>,
}

/// A `GroupVersionKind` where empty group and version mean "the resource's own".
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DiscoveryKind {
    #[serde(default, deserialize_with = "null_as_default")]
    pub group: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub kind: String,
}

impl DiscoveryKind {
    /// The full GVK, empty parts taken from the owning resource's group-version. An
    /// empty group with a set version means the core group.
    fn resolve(&self, group: &str, version: &str) -> GroupVersionKind {
        let (g, v) = if self.version.is_empty() {
            (group, version)
        } else {
            (self.group.as_str(), self.version.as_str())
        };
        GroupVersionKind::new(g, v, &self.kind)
    }
}

impl GroupDiscovery {
    /// Converts into the common model; the first version is the preferred one.
    pub(crate) fn into_group(self) -> ApiGroupResources {
        let group = self.metadata.name;
        let versions: Vec<ApiVersionResources> = self
            .versions
            .into_iter()
            .map(|v| {
                let error = match v.freshness.as_deref() {
                    Some("Stale") => Some(
                        "aggregated discovery reports this group-version as stale (its API server did not answer)"
                            .to_string(),
                    ),
                    _ => None,
                };
                let resources = v
                    .resources
                    .into_iter()
                    .map(|r| convert_resource(&group, &v.version, r))
                    .collect();
                ApiVersionResources {
                    version: v.version,
                    resources,
                    error,
                }
            })
            .collect();
        ApiGroupResources {
            preferred_version: versions
                .first()
                .map(|v| v.version.clone())
                .unwrap_or_default(),
            name: group,
            versions,
        }
    }
}

fn convert_resource(group: &str, version: &str, r: ResourceDiscovery) -> ApiResource {
    let kind = r
        .response_kind
        .as_ref()
        .map(|k| k.kind.clone())
        .unwrap_or_default();
    let singular = if r.singular_resource.is_empty() {
        kind.to_ascii_lowercase()
    } else {
        r.singular_resource
    };
    ApiResource {
        group: group.to_string(),
        version: version.to_string(),
        singular,
        plural: r.resource,
        namespaced: r.scope == "Namespaced",
        short_names: r.short_names,
        categories: r.categories,
        verbs: r.verbs,
        subresources: r
            .subresources
            .into_iter()
            .map(|s| ApiSubresource {
                kind: s.response_kind.map(|k| k.resolve(group, version)),
                name: s.subresource,
                verbs: s.verbs,
            })
            .collect(),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_a_group_with_subresources_and_staleness() {
        let list: GroupDiscoveryList = serde_json::from_str(
            r#"{"kind":"APIGroupDiscoveryList","items":[{"metadata":{"name":"apps"},"versions":[
              {"version":"v1","freshness":"Current","resources":[{"resource":"deployments",
                "responseKind":{"group":"","version":"","kind":"Deployment"},"scope":"Namespaced",
                "singularResource":"deployment","verbs":["get","list"],"shortNames":["deploy"],
                "subresources":[{"subresource":"scale","responseKind":{"group":"autoscaling","version":"v1","kind":"Scale"},"verbs":["get"]},
                                {"subresource":"status","responseKind":{"group":"","version":"","kind":"Deployment"},"verbs":["get"]}]}]},
              {"version":"v1beta1","freshness":"Stale","resources":null}]}]}"#,
        )
        .unwrap();
        let group = list.items.into_iter().next().unwrap().into_group();
        assert_eq!(group.name, "apps");
        assert_eq!(group.preferred_version, "v1");
        let deploy = &group.versions[0].resources[0];
        assert_eq!(deploy.kind, "Deployment");
        assert_eq!(deploy.short_names, ["deploy"]);
        assert!(deploy.namespaced);
        assert_eq!(
            deploy.subresource("scale").unwrap().kind,
            Some(GroupVersionKind::new("autoscaling", "v1", "Scale"))
        );
        assert_eq!(
            deploy.subresource("status").unwrap().kind,
            Some(GroupVersionKind::new("apps", "v1", "Deployment"))
        );
        assert!(group.versions[0].error.is_none());
        assert!(group.versions[1].error.is_some());
    }

    #[test]
    fn recognizes_the_content_type() {
        assert!(is_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        ));
        assert!(!is_aggregated("application/json"));
    }
}
