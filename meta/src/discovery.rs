//! Discovery documents (`/api`, `/apis`, `/apis/{group}/{version}`, `/version`).

use super::serde_impl::object_serde;

/// An API group and its versions (`metav1.APIGroup`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIGroup {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: String,
    pub preferred_version: Option<GroupVersionForDiscovery>,
    pub server_address_by_client_cidrs: Option<Vec<ServerAddressByClientCIDR>>,
    pub versions: Vec<GroupVersionForDiscovery>,
}

/// All API groups (`/apis`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIGroupList {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub groups: Vec<APIGroup>,
}

/// One resource served by a group-version (`metav1.APIResource`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIResource {
    pub categories: Option<Vec<String>>,
    pub group: Option<String>,
    pub kind: String,
    /// Plural name, with `/subresource` for subresources (`pods/log`).
    pub name: String,
    pub namespaced: bool,
    pub short_names: Option<Vec<String>>,
    pub singular_name: String,
    pub storage_version_hash: Option<String>,
    pub verbs: Vec<String>,
    pub version: Option<String>,
}

/// The resources of one group-version (`metav1.APIResourceList`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIResourceList {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub group_version: String,
    pub resources: Vec<APIResource>,
}

/// The versions of the legacy core group (`/api`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIVersions {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub server_address_by_client_cidrs: Vec<ServerAddressByClientCIDR>,
    pub versions: Vec<String>,
}

/// A group-version as listed in discovery (`metav1.GroupVersionForDiscovery`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupVersionForDiscovery {
    pub group_version: String,
    pub version: String,
}

/// Which server address a client in a CIDR should use (`metav1.ServerAddressByClientCIDR`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerAddressByClientCIDR {
    pub client_cidr: String,
    pub server_address: String,
}

/// The server's version (`/version`, `version.Info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Info {
    pub build_date: String,
    pub compiler: String,
    pub emulation_major: Option<String>,
    pub emulation_minor: Option<String>,
    pub git_commit: String,
    pub git_tree_state: String,
    pub git_version: String,
    pub go_version: String,
    pub major: String,
    pub min_compatibility_major: Option<String>,
    pub min_compatibility_minor: Option<String>,
    pub minor: String,
    pub platform: String,
}

object_serde!(APIGroup {
    api_version: optional "apiVersion",
    kind: optional "kind",
    name: required "name",
    preferred_version: optional "preferredVersion",
    server_address_by_client_cidrs: optional "serverAddressByClientCIDRs",
    versions: required "versions",
});

object_serde!(APIGroupList {
    api_version: optional "apiVersion",
    kind: optional "kind",
    groups: required "groups",
});

object_serde!(APIResource {
    categories: optional "categories",
    group: optional "group",
    kind: required "kind",
    name: required "name",
    namespaced: required "namespaced",
    short_names: optional "shortNames",
    singular_name: required "singularName",
    storage_version_hash: optional "storageVersionHash",
    verbs: required "verbs",
    version: optional "version",
});

object_serde!(APIResourceList {
    api_version: optional "apiVersion",
    kind: optional "kind",
    group_version: required "groupVersion",
    resources: required "resources",
});

object_serde!(APIVersions {
    api_version: optional "apiVersion",
    kind: optional "kind",
    server_address_by_client_cidrs: required "serverAddressByClientCIDRs",
    versions: required "versions",
});

object_serde!(GroupVersionForDiscovery {
    group_version: required "groupVersion",
    version: required "version",
});

object_serde!(ServerAddressByClientCIDR {
    client_cidr: required "clientCIDR",
    server_address: required "serverAddress",
});

object_serde!(Info {
    build_date: required "buildDate",
    compiler: required "compiler",
    emulation_major: optional "emulationMajor",
    emulation_minor: optional "emulationMinor",
    git_commit: required "gitCommit",
    git_tree_state: required "gitTreeState",
    git_version: required "gitVersion",
    go_version: required "goVersion",
    major: required "major",
    min_compatibility_major: optional "minCompatibilityMajor",
    min_compatibility_minor: optional "minCompatibilityMinor",
    minor: required "minor",
    platform: required "platform",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_documents_read_nulls_and_write_required_fields() {
        let list: APIResourceList = serde_json::from_str(
            r#"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","namespaced":true,"kind":"Pod","verbs":null,"shortNames":["po"]}]}"#,
        )
        .unwrap();
        let pods = &list.resources[0];
        assert!(pods.namespaced && pods.verbs.is_empty());
        assert_eq!(
            serde_json::to_string(pods).unwrap(),
            r#"{"kind":"Pod","name":"pods","namespaced":true,"shortNames":["po"],"singularName":"","verbs":[]}"#
        );
        let versions: APIVersions =
            serde_json::from_str(r#"{"versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"10.0.0.1:6443"}]}"#)
                .unwrap();
        assert_eq!(
            versions.server_address_by_client_cidrs[0].client_cidr,
            "0.0.0.0/0"
        );
    }
}
