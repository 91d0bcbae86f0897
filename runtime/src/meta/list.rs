//! List metadata and the one generic list shape every `*List` kind shares.

use serde::{Deserialize, Serialize};

use super::serde_helpers::null_as_default;

/// Metadata of a list response (`metav1.ListMeta`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    /// Token for the next page when the list was limited; empty on the last page.
    #[serde(default, rename = "continue", skip_serializing_if = "Option::is_none")]
    pub continue_: Option<String>,
    /// How many items remain after this page, when the server can tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_item_count: Option<i64>,
    /// The version of the collection this list reflects; watch from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// Deprecated; never set by current servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    /// Set when the list was served for a shard of the collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_info: Option<ShardInfo>,
}

/// Which shard of a collection a list holds (`metav1.ShardInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShardInfo {
    /// The shard selector the list was filtered by.
    #[serde(default, deserialize_with = "null_as_default")]
    pub selector: String,
}

/// A list of objects of one kind (`PodList`, `DeploymentList`, ...): all share this shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
pub struct List<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: ListMeta,
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub items: Vec<T>,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self {
            api_version: None,
            kind: None,
            metadata: ListMeta::default(),
            items: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_items_is_empty() {
        let list: List<u32> =
            serde_json::from_str(r#"{"kind":"XList","metadata":{"continue":"c"},"items":null}"#)
                .unwrap();
        assert!(list.items.is_empty());
        assert_eq!(list.metadata.continue_.as_deref(), Some("c"));
    }
}
