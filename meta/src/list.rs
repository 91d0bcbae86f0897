//! List metadata and the one generic list shape every `*List` kind shares.

use std::fmt;
use std::marker::PhantomData;

use serde_core::de::{MapAccess, Visitor};
use serde_core::ser::SerializeStruct;
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::serde_impl::{object_serde, read, read_or_default, skip_value, Key};

/// Metadata of a list response (`metav1.ListMeta`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListMeta {
    /// Token for the next page when the list was limited; empty on the last page.
    pub continue_: Option<String>,
    /// How many items remain after this page, when the server can tell.
    pub remaining_item_count: Option<i64>,
    /// The version of the collection this list reflects; watch from here.
    pub resource_version: Option<String>,
    /// Deprecated; never set by current servers.
    pub self_link: Option<String>,
    /// Set when the list was served for a shard of the collection.
    pub shard_info: Option<ShardInfo>,
}

/// Which shard of a collection a list holds (`metav1.ShardInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShardInfo {
    /// The shard selector the list was filtered by.
    pub selector: String,
}

/// A list of objects of one kind (`PodList`, `DeploymentList`, ...): all share this shape.
#[derive(Clone, Debug, PartialEq)]
pub struct List<T> {
    /// `v1` (or the group-version of the items).
    pub api_version: Option<String>,
    /// The list's kind (`PodList`).
    pub kind: Option<String>,
    /// The collection's resource version and continue token.
    pub metadata: ListMeta,
    /// The objects.
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

object_serde!(ListMeta {
    continue_: optional "continue",
    remaining_item_count: optional "remainingItemCount",
    resource_version: optional "resourceVersion",
    self_link: optional "selfLink",
    shard_info: optional "shardInfo",
});

object_serde!(ShardInfo {
    selector: required "selector",
});

// `List<T>` is written by hand: `ObjectFields` would need `T` to be both readable and
// writable for either direction.
impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 2 + usize::from(self.api_version.is_some()) + usize::from(self.kind.is_some());
        let mut list = serializer.serialize_struct("List", len)?;
        if let Some(api_version) = &self.api_version {
            list.serialize_field("apiVersion", api_version)?;
        }
        if let Some(kind) = &self.kind {
            list.serialize_field("kind", kind)?;
        }
        list.serialize_field("metadata", &self.metadata)?;
        list.serialize_field("items", &self.items)?;
        list.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<fn() -> T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
                let mut list = List::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.as_str() {
                        "apiVersion" => read(&mut map, &mut list.api_version),
                        "kind" => read(&mut map, &mut list.kind),
                        "metadata" => read_or_default(&mut map, &mut list.metadata),
                        "items" => read_or_default(&mut map, &mut list.items),
                        _ => skip_value(&mut map),
                    }?
                }
                Ok(list)
            }
        }
        deserializer.deserialize_map(ListVisitor(PhantomData))
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
        let list: List<u32> = serde_json::from_str(r#"{"metadata":null,"items":[1,2]}"#).unwrap();
        assert_eq!(list.items, [1, 2]);
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"{"metadata":{},"items":[1,2]}"#
        );
    }
}
