//! Discovery documents (`/api`, `/apis`, `/apis/{group}/{version}`, `/version`).

use serde::{Deserialize, Serialize};

use super::serde_helpers::null_as_default;

/// An API group and its versions (`metav1.APIGroup`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_version: Option<GroupVersionForDiscovery>,
    #[serde(
        default,
        rename = "serverAddressByClientCIDRs",
        skip_serializing_if = "Option::is_none"
    )]
    pub server_address_by_client_cidrs: Option<Vec<ServerAddressByClientCIDR>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub versions: Vec<GroupVersionForDiscovery>,
}

/// All API groups (`/apis`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIGroupList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub groups: Vec<APIGroup>,
}

/// One resource served by a group-version (`metav1.APIResource`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIResource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub kind: String,
    /// Plural name, with `/subresource` for subresources (`pods/log`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub namespaced: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_names: Option<Vec<String>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub singular_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_version_hash: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub verbs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The resources of one group-version (`metav1.APIResourceList`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIResourceList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub group_version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub resources: Vec<APIResource>,
}

/// The versions of the legacy core group (`/api`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIVersions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(
        default,
        rename = "serverAddressByClientCIDRs",
        deserialize_with = "null_as_default"
    )]
    pub server_address_by_client_cidrs: Vec<ServerAddressByClientCIDR>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub versions: Vec<String>,
}

/// A group-version as listed in discovery (`metav1.GroupVersionForDiscovery`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupVersionForDiscovery {
    #[serde(default, deserialize_with = "null_as_default")]
    pub group_version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub version: String,
}

/// Which server address a client in a CIDR should use (`metav1.ServerAddressByClientCIDR`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerAddressByClientCIDR {
    #[serde(default, rename = "clientCIDR", deserialize_with = "null_as_default")]
    pub client_cidr: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub server_address: String,
}

/// The server's version (`/version`, `version.Info`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    #[serde(default, deserialize_with = "null_as_default")]
    pub build_date: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub compiler: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulation_major: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulation_minor: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub git_commit: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub git_tree_state: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub git_version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub go_version: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub major: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_compatibility_major: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_compatibility_minor: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub minor: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub platform: String,
}
