//! Group/version/kind and group/version/resource names: how discovery, the RESTMapper and
//! the dynamic client name a kind or a resource when no Rust type stands for it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `group/version` (`apps/v1`; just `v1` for the core group).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupVersion {
    /// API group, empty for the core group.
    pub group: String,
    /// The version (`v1`).
    pub version: String,
}

impl GroupVersion {
    /// `group/version`.
    pub fn new(group: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
        }
    }

    /// Parses an `apiVersion` (`apps/v1`, `v1`); `None` when it has more than one `/` or an
    /// empty part.
    pub fn parse(api_version: &str) -> Option<Self> {
        match api_version.split_once('/') {
            None if !api_version.is_empty() => Some(Self::new("", api_version)),
            Some((g, v)) if !g.is_empty() && !v.is_empty() && !v.contains('/') => {
                Some(Self::new(g, v))
            }
            _ => None,
        }
    }

    /// The `apiVersion` string: `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for GroupVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.api_version())
    }
}

/// A kind in a group-version (`apps/v1, Kind=Deployment`): what an object's
/// `apiVersion` + `kind` say.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupVersionKind {
    /// The group (empty for the core group).
    pub group: String,
    /// The version.
    pub version: String,
    /// The kind (`Deployment`).
    pub kind: String,
}

impl GroupVersionKind {
    /// The group, version and kind.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        kind: impl Into<String>,
    ) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    /// From an object's `apiVersion` and `kind`; `None` when the `apiVersion` is malformed.
    pub fn from_api_version(api_version: &str, kind: &str) -> Option<Self> {
        let gv = GroupVersion::parse(api_version)?;
        Some(Self::new(gv.group, gv.version, kind))
    }

    /// The generated type `K`'s group-version-kind.
    pub fn of<K: crate::meta::Kind>() -> Self {
        Self::new(K::GROUP, K::VERSION, K::KIND)
    }

    /// The group and version alone.
    pub fn group_version(&self) -> GroupVersion {
        GroupVersion::new(self.group.clone(), self.version.clone())
    }

    /// `group/version` or `version`.
    pub fn api_version(&self) -> String {
        self.group_version().api_version()
    }
}

impl fmt::Display for GroupVersionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, Kind={}", self.api_version(), self.kind)
    }
}

/// A resource in a group-version (`apps/v1, Resource=deployments`): what a URL names.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupVersionResource {
    /// The group (empty for the core group).
    pub group: String,
    /// The version.
    pub version: String,
    /// The plural resource name (`deployments`).
    pub resource: String,
}

impl GroupVersionResource {
    /// The group, version and resource.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            resource: resource.into(),
        }
    }

    /// The generated type `K`'s group-version-resource.
    pub fn of<K: crate::meta::Resource>() -> Self {
        Self::new(K::GROUP, K::VERSION, K::PLURAL)
    }

    /// The group and version alone.
    pub fn group_version(&self) -> GroupVersion {
        GroupVersion::new(self.group.clone(), self.version.clone())
    }
}

impl fmt::Display for GroupVersionResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, Resource={}",
            self.group_version().api_version(),
            self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_api_versions() {
        assert_eq!(GroupVersion::parse("v1"), Some(GroupVersion::new("", "v1")));
        assert_eq!(
            GroupVersion::parse("apps/v1"),
            Some(GroupVersion::new("apps", "v1"))
        );
        assert_eq!(GroupVersion::parse(""), None);
        assert_eq!(GroupVersion::parse("a/b/c"), None);
        assert_eq!(GroupVersion::parse("/v1"), None);
        assert_eq!(GroupVersion::new("", "v1").api_version(), "v1");
        assert_eq!(
            GroupVersionKind::from_api_version("apps/v1", "Deployment")
                .unwrap()
                .to_string(),
            "apps/v1, Kind=Deployment"
        );
    }
}
