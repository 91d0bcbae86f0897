//! `RestMapper`: from what a user types (`deploy`, `Deployment`, `apps/v1/Deployment`,
//! `deployments.apps`) or an object's group-version-kind to the resource to call, built from
//! discovery and refreshed once when a name is not found (a CRD installed since).

use std::sync::Arc;

use super::client::DiscoveryClient;
use super::error::DiscoveryError;
use super::gvk::GroupVersionKind;
use super::resources::{ApiResource, ServerResources};

/// Maps names and kinds to resources using a [`DiscoveryClient`]'s snapshot.
#[derive(Clone, Debug)]
pub struct RestMapper {
    discovery: DiscoveryClient,
}

/// A parsed resource argument.
#[derive(Debug, PartialEq, Eq)]
struct Query<'a> {
    name: &'a str,
    group: Option<&'a str>,
    version: Option<&'a str>,
}

impl RestMapper {
    /// A mapper over `discovery`'s answers.
    pub fn new(discovery: DiscoveryClient) -> Self {
        Self { discovery }
    }

    /// The discovery client this mapper reads.
    pub fn discovery(&self) -> &DiscoveryClient {
        &self.discovery
    }

    /// Resolves what a user typed, as kubectl does: a plural, singular or short name or a kind
    /// (any case), optionally qualified as `name.group`, `name.version.group` or
    /// `group/version/name` (`v1/name` for core). Preferred versions win; among groups the
    /// server's order decides (core first).
    pub async fn resolve(&self, input: &str) -> Result<ApiResource, DiscoveryError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(DiscoveryError::InvalidName {
                input: input.into(),
                reason: "it is empty".into(),
            });
        }
        self.with_refresh(input, |resources| find(resources, input))
            .await
    }

    /// The resource serving kind `gvk` (its exact version).
    pub async fn resource_for_kind(
        &self,
        gvk: &GroupVersionKind,
    ) -> Result<ApiResource, DiscoveryError> {
        self.with_refresh(&gvk.to_string(), |resources| {
            Ok(resources
                .group(&gvk.group)
                .and_then(|g| g.version(&gvk.version))
                .and_then(|v| v.resources.iter().find(|r| r.kind == gvk.kind))
                .cloned())
        })
        .await
    }

    /// The resource serving `group`'s `kind` in the preferred version that has it.
    pub async fn resource_for_group_kind(
        &self,
        group: &str,
        kind: &str,
    ) -> Result<ApiResource, DiscoveryError> {
        self.with_refresh(&format!("{kind}.{group}"), |resources| {
            Ok(resources.group(group).and_then(|g| {
                g.versions
                    .iter()
                    .flat_map(|v| v.resources.iter())
                    .find(|r| r.kind == kind)
                    .cloned()
            }))
        })
        .await
    }

    /// Runs `lookup` on the current snapshot; on a miss refreshes discovery once and tries
    /// again.
    async fn with_refresh(
        &self,
        input: &str,
        lookup: impl Fn(&ServerResources) -> Result<Option<ApiResource>, DiscoveryError>,
    ) -> Result<ApiResource, DiscoveryError> {
        let resources: Arc<ServerResources> = self.discovery.server_resources().await?;
        if let Some(found) = lookup(&resources)? {
            return Ok(found);
        }
        tracing::debug!(input, "no resource matches; refreshing discovery");
        let resources = self.discovery.refresh().await?;
        lookup(&resources)?.ok_or_else(|| DiscoveryError::NotFound {
            input: input.to_string(),
        })
    }
}

fn parse(input: &str) -> Result<Vec<Query<'_>>, DiscoveryError> {
    let invalid = |reason: &str| DiscoveryError::InvalidName {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    if input.contains('/') {
        let parts: Vec<&str> = input.split('/').collect();
        return match parts.as_slice() {
            [v, name] if !v.is_empty() && !name.is_empty() => Ok(vec![Query {
                name,
                group: Some(""),
                version: Some(v),
            }]),
            [g, v, name] if !g.is_empty() && !v.is_empty() && !name.is_empty() => Ok(vec![Query {
                name,
                group: Some(g),
                version: Some(v),
            }]),
            _ => Err(invalid(
                "expected NAME, NAME.GROUP, VERSION/NAME or GROUP/VERSION/NAME",
            )),
        };
    }
    let Some((name, rest)) = input.split_once('.') else {
        return Ok(vec![Query {
            name: input,
            group: None,
            version: None,
        }]);
    };
    if name.is_empty() || rest.is_empty() {
        return Err(invalid("empty name or group"));
    }
    let mut queries = Vec::new();
    // `deployments.v1.apps`: the part after the first dot may be a version.
    if let Some((version, group)) = rest.split_once('.') {
        if looks_like_version(version) {
            queries.push(Query {
                name,
                group: Some(group),
                version: Some(version),
            });
        }
    }
    queries.push(Query {
        name,
        group: Some(rest),
        version: None,
    });
    Ok(queries)
}

fn looks_like_version(s: &str) -> bool {
    s.strip_prefix('v')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
}

fn matches(resource: &ApiResource, name: &str) -> bool {
    resource.plural.eq_ignore_ascii_case(name)
        || resource.singular.eq_ignore_ascii_case(name)
        || resource.kind.eq_ignore_ascii_case(name)
        || resource
            .short_names
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name))
}

fn find(resources: &ServerResources, input: &str) -> Result<Option<ApiResource>, DiscoveryError> {
    for query in parse(input)? {
        for group in &resources.groups {
            if query.group.is_some_and(|g| g != group.name) {
                continue;
            }
            // Preferred version first (versions are stored in that order).
            let found = group
                .versions
                .iter()
                .filter(|v| query.version.is_none_or(|q| q == v.version))
                .flat_map(|v| v.resources.iter())
                .find(|r| matches(r, query.name));
            if let Some(found) = found {
                return Ok(Some(found.clone()));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::{ApiGroupResources, ApiVersionResources, DiscoverySource};

    fn res(group: &str, version: &str, kind: &str, plural: &str, short: &[&str]) -> ApiResource {
        ApiResource {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_ascii_lowercase(),
            short_names: short.iter().map(|s| s.to_string()).collect(),
            namespaced: true,
            ..ApiResource::default()
        }
    }

    fn snapshot() -> ServerResources {
        let group = |name: &str, versions: Vec<(&str, Vec<ApiResource>)>| ApiGroupResources {
            name: name.into(),
            preferred_version: versions[0].0.into(),
            versions: versions
                .into_iter()
                .map(|(v, resources)| ApiVersionResources {
                    version: v.into(),
                    resources,
                    error: None,
                })
                .collect(),
        };
        ServerResources {
            groups: vec![
                group(
                    "",
                    vec![("v1", vec![res("", "v1", "Event", "events", &["ev"])])],
                ),
                group(
                    "apps",
                    vec![
                        (
                            "v1",
                            vec![res("apps", "v1", "Deployment", "deployments", &["deploy"])],
                        ),
                        (
                            "v1beta1",
                            vec![res("apps", "v1beta1", "Deployment", "deployments", &[])],
                        ),
                    ],
                ),
                group(
                    "events.k8s.io",
                    vec![(
                        "v1",
                        vec![res("events.k8s.io", "v1", "Event", "events", &["ev"])],
                    )],
                ),
            ],
            source: DiscoverySource::Aggregated,
        }
    }

    fn gvr(input: &str) -> String {
        find(&snapshot(), input)
            .unwrap()
            .map(|r| r.gvr().to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn resolves_kubectl_forms() {
        let d = "apps/v1, Resource=deployments";
        for input in [
            "deploy",
            "deployment",
            "deployments",
            "Deployment",
            "DEPLOY",
            "apps/v1/Deployment",
            "apps/v1/deployments",
            "deployments.apps",
            "deployments.v1.apps",
            "Deployment.apps",
        ] {
            assert_eq!(gvr(input), d, "{input}");
        }
        assert_eq!(
            gvr("apps/v1beta1/deployments"),
            "apps/v1beta1, Resource=deployments"
        );
        assert_eq!(
            gvr("deployments.v1beta1.apps"),
            "apps/v1beta1, Resource=deployments"
        );
        assert_eq!(gvr("events"), "v1, Resource=events");
        assert_eq!(gvr("v1/Event"), "v1, Resource=events");
        assert_eq!(gvr("ev.events.k8s.io"), "events.k8s.io/v1, Resource=events");
        assert_eq!(gvr("widgets"), "none");
        assert_eq!(gvr("apps/v2/deployments"), "none");
    }

    #[test]
    fn rejects_malformed_names() {
        for input in ["a/b/c/d", "/deploy", ".apps", "deploy."] {
            assert!(
                matches!(
                    find(&snapshot(), input),
                    Err(DiscoveryError::InvalidName { .. })
                ),
                "{input}"
            );
        }
    }
}
