//! Legacy discovery: an `APIResourceList` per group-version, where subresources are listed
//! as resources named `parent/sub`. Turns one list into the common model.

use super::gvk::GroupVersionKind;
use super::resources::{ApiResource, ApiSubresource};
use crate::meta::APIResourceList;

/// The resources of one group-version document, subresources attached to their parents.
pub(crate) fn convert_resource_list(
    group: &str,
    version: &str,
    list: APIResourceList,
) -> Vec<ApiResource> {
    let (subs, mains): (Vec<_>, Vec<_>) = list
        .resources
        .into_iter()
        .partition(|r| r.name.contains('/'));
    let mut resources: Vec<ApiResource> = mains
        .into_iter()
        .map(|r| ApiResource {
            group: group.to_string(),
            version: version.to_string(),
            singular: if r.singular_name.is_empty() {
                r.kind.to_ascii_lowercase()
            } else {
                r.singular_name
            },
            kind: r.kind,
            plural: r.name,
            short_names: r.short_names.unwrap_or_default(),
            categories: r.categories.unwrap_or_default(),
            namespaced: r.namespaced,
            verbs: r.verbs,
            subresources: Vec::new(),
        })
        .collect();
    for sub in subs {
        let Some((parent, name)) = sub.name.split_once('/') else {
            continue;
        };
        let Some(owner) = resources.iter_mut().find(|r| r.plural == parent) else {
            tracing::debug!(subresource = %sub.name, group, version, "subresource without its resource; skipped");
            continue;
        };
        let kind = GroupVersionKind::new(
            sub.group.unwrap_or_else(|| group.to_string()),
            sub.version.unwrap_or_else(|| version.to_string()),
            sub.kind,
        );
        owner.subresources.push(ApiSubresource {
            name: name.to_string(),
            kind: Some(kind),
            verbs: sub.verbs,
        });
    }
    resources
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attaches_subresources() {
        let list: APIResourceList = serde_json::from_str(
            r#"{"groupVersion":"apps/v1","resources":[
              {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["get"],"shortNames":["deploy"]},
              {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch"]},
              {"name":"deployments/status","singularName":"","namespaced":true,"kind":"Deployment","verbs":["get"]},
              {"name":"orphans/status","singularName":"","namespaced":true,"kind":"Orphan","verbs":["get"]}]}"#,
        )
        .unwrap();
        let resources = convert_resource_list("apps", "v1", list);
        assert_eq!(resources.len(), 1);
        let d = &resources[0];
        assert_eq!(
            (d.plural.as_str(), d.singular.as_str()),
            ("deployments", "deployment")
        );
        assert_eq!(d.subresources.len(), 2);
        assert_eq!(
            d.subresource("scale").unwrap().kind,
            Some(GroupVersionKind::new("autoscaling", "v1", "Scale"))
        );
        assert_eq!(
            d.subresource("status").unwrap().kind,
            Some(GroupVersionKind::new("apps", "v1", "Deployment"))
        );
    }
}
