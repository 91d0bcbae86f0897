//! Removing what tests left behind on a shared cluster: every cluster-scoped object carrying
//! [`TEST_LABEL`] (test namespaces included, which takes their contents with them).

use kubegen_runtime::meta::{APIGroupList, APIResourceList};
use kubegen_runtime::rest::{Client, Error, Method};
use serde::Deserialize;

use crate::TEST_LABEL;

/// One object the sweep deleted (or found already going).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Swept {
    /// `resource.group` (`namespaces`, `clusterroles.rbac.authorization.k8s.io`).
    pub resource: String,
    /// The object's name.
    pub name: String,
}

/// Deletes every cluster-scoped object labelled [`TEST_LABEL`], in every resource the server
/// lists in discovery that supports `list` and `delete`, and returns what it deleted.
///
/// Deletions do not wait (namespaces finish in the background). Subresources and resources
/// that cannot be listed are passed over.
pub async fn sweep(client: &Client) -> Result<Vec<Swept>, Error> {
    let mut swept = Vec::new();
    for (group, version) in group_versions(client).await? {
        let path = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let resources: APIResourceList = match client.get().abs_path(&path).json().await {
            Ok(r) => r,
            Err(e) if unservable(&e) => {
                tracing::warn!(%path, error = %e, "not swept");
                continue;
            }
            Err(e) => return Err(e),
        };
        for r in resources.resources.iter().filter(|r| {
            !r.namespaced
                && !r.name.contains('/')
                && r.verbs.iter().any(|v| v == "list")
                && r.verbs.iter().any(|v| v == "delete")
        }) {
            let resource = if group.is_empty() {
                r.name.clone()
            } else {
                format!("{}.{group}", r.name)
            };
            for name in labelled(client, &group, &version, &r.name).await? {
                let deleted = client
                    .request(Method::DELETE)
                    .group_version(&group, &version)
                    .resource(&r.name)
                    .name(&name)
                    .json_body(&serde_json::json!({"propagationPolicy": "Background"}))
                    .bytes()
                    .await;
                match deleted {
                    Ok(_) => {}
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e),
                }
                tracing::info!(%resource, %name, "deleted");
                swept.push(Swept {
                    resource: resource.clone(),
                    name,
                });
            }
        }
    }
    Ok(swept)
}

/// The core version(s) and each group's preferred version.
async fn group_versions(client: &Client) -> Result<Vec<(String, String)>, Error> {
    let mut out = vec![(String::new(), "v1".to_string())];
    let groups: APIGroupList = client.get().abs_path("/apis").json().await?;
    for g in groups.groups {
        let version = g
            .preferred_version
            .as_ref()
            .or(g.versions.first())
            .map(|v| v.version.clone());
        if let Some(version) = version {
            out.push((g.name, version));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct NameList {
    #[serde(default)]
    items: Vec<Named>,
}

#[derive(Deserialize)]
struct Named {
    metadata: NameOnly,
}

#[derive(Deserialize)]
struct NameOnly {
    #[serde(default)]
    name: String,
}

/// Names of the resource's objects carrying [`TEST_LABEL`] (any value).
async fn labelled(
    client: &Client,
    group: &str,
    version: &str,
    resource: &str,
) -> Result<Vec<String>, Error> {
    let listed = client
        .get()
        .group_version(group, version)
        .resource(resource)
        .param("labelSelector", TEST_LABEL)
        .json::<NameList>()
        .await;
    match listed {
        Ok(list) => Ok(list
            .items
            .into_iter()
            .map(|i| i.metadata.name)
            .filter(|n| !n.is_empty())
            .collect()),
        // Listed in discovery but not servable here (aggregated API down, forbidden): skip.
        Err(e) if unservable(&e) => {
            tracing::warn!(group, version, resource, error = %e, "not swept");
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

/// An error saying this part of the API cannot be swept here (an aggregated API that is down,
/// a resource this identity may not list), as opposed to the cluster being unreachable.
fn unservable(e: &Error) -> bool {
    e.is_not_found()
        || e.is_forbidden()
        || e.is_method_not_supported()
        || e.is_service_unavailable()
}
