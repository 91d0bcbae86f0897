//! Discovery documents (`/api`, `/apis`, `/apis/{group}/{version}`, `/version`).

use super::serde_impl::object_serde;

/// An API group and its versions (`metav1.APIGroup`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIGroup {
    /// `v1` (the `apiVersion` of the document).
    pub api_version: Option<String>,
    /// `APIGroup`.
    pub kind: Option<String>,
    /// The group's name (`apps`).
    pub name: String,
    /// The version the server prefers clients to use.
    pub preferred_version: Option<GroupVersionForDiscovery>,
    /// Server addresses by client CIDR, for clients that must reach the server through one.
    pub server_address_by_client_cidrs: Option<Vec<ServerAddressByClientCIDR>>,
    /// The versions the group serves.
    pub versions: Vec<GroupVersionForDiscovery>,
}

/// All API groups (`/apis`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIGroupList {
    /// `v1` (the `apiVersion` of the document).
    pub api_version: Option<String>,
    /// `APIGroupList`.
    pub kind: Option<String>,
    /// The groups the server serves.
    pub groups: Vec<APIGroup>,
}

/// One resource served by a group-version (`metav1.APIResource`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIResource {
    /// Groups of resources the resource is in (`all`).
    pub categories: Option<Vec<String>>,
    /// Group of the resource when it differs from its list's (subresources such as `scale`).
    pub group: Option<String>,
    /// The resource's kind (`Pod`).
    pub kind: String,
    /// Plural name, with `/subresource` for subresources (`pods/log`).
    pub name: String,
    /// Whether objects of the resource live in a namespace.
    pub namespaced: bool,
    /// Abbreviations kubectl accepts (`po`).
    pub short_names: Option<Vec<String>>,
    /// The singular name (`pod`).
    pub singular_name: String,
    /// Hash of the version objects are stored in; it changes when that version does.
    pub storage_version_hash: Option<String>,
    /// The verbs the resource supports (`get`, `list`, `watch`...).
    pub verbs: Vec<String>,
    /// Version of the resource when it differs from its list's.
    pub version: Option<String>,
}

/// The resources of one group-version (`metav1.APIResourceList`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIResourceList {
    /// `v1` (the `apiVersion` of the document).
    pub api_version: Option<String>,
    /// `APIResourceList`.
    pub kind: Option<String>,
    /// The group-version listed (`apps/v1`, `v1`).
    pub group_version: String,
    /// The resources it serves.
    pub resources: Vec<APIResource>,
}

/// The versions of the legacy core group (`/api`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct APIVersions {
    /// `v1` (the `apiVersion` of the document).
    pub api_version: Option<String>,
    /// `APIVersions`.
    pub kind: Option<String>,
    /// Server addresses by client CIDR, for clients that must reach the server through one.
    pub server_address_by_client_cidrs: Vec<ServerAddressByClientCIDR>,
    /// The versions of the core group (`v1`).
    pub versions: Vec<String>,
}

/// A group-version as listed in discovery (`metav1.GroupVersionForDiscovery`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupVersionForDiscovery {
    /// `group/version` (`apps/v1`; `v1` for the core group).
    pub group_version: String,
    /// The version alone (`v1`).
    pub version: String,
}

/// Which server address a client in a CIDR should use (`metav1.ServerAddressByClientCIDR`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerAddressByClientCIDR {
    /// The CIDR clients must be in to use this address.
    pub client_cidr: String,
    /// The address (`host:port`) to use.
    pub server_address: String,
}

/// The server's version (`/version`, `version.Info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Info {
    /// When the server binary was built.
    pub build_date: String,
    /// The Go compiler that built it (`gc`).
    pub compiler: String,
    /// Major version the server emulates, when it emulates an older one.
    pub emulation_major: Option<String>,
    /// Minor version the server emulates, when it emulates an older one.
    pub emulation_minor: Option<String>,
    /// The commit the server was built from.
    pub git_commit: String,
    /// `clean` or `dirty`: the source tree's state at build time.
    pub git_tree_state: String,
    /// The full version (`v1.36.2`).
    pub git_version: String,
    /// The Go version that built it.
    pub go_version: String,
    /// Major version (`1`).
    pub major: String,
    /// Oldest major version the server stays compatible with.
    pub min_compatibility_major: Option<String>,
    /// Oldest minor version the server stays compatible with.
    pub min_compatibility_minor: Option<String>,
    /// Minor version (`36`, possibly with a `+`).
    pub minor: String,
    /// Operating system and architecture (`linux/amd64`).
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
