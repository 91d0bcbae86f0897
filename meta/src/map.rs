//! `Map`: the string-keyed map of API objects (labels, annotations, resource quantities).
//!
//! Kubernetes maps are small (a handful of labels). A `BTreeMap` allocates a node for eleven
//! entries (≈ 550 bytes for `String` pairs) however few there are; this map is a sorted vector
//! of exactly its entries, trimmed after decoding, with the lookup API of a map.

use std::fmt;
use std::ops::{Deref, DerefMut, Index};

use super::CompactString;
use litemap::LiteMap;
use serde_core::de::{MapAccess, Visitor};
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::gather::Gather;

/// A map from string keys to `V`, sorted by key (so serialization is deterministic).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Map<V>(LiteMap<CompactString, V>);

impl<V> Map<V> {
    /// An empty map (allocates nothing).
    pub fn new() -> Self {
        Self(LiteMap::new())
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: CompactString, value: V) -> Option<V> {
        self.0.insert(key, value)
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.get(key)
    }

    /// The value for `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.0.get_mut(key)
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.0.remove(key)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Entries in key order, keys as `&str`.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &V)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    /// Values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }
}

impl<V> Default for Map<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Deref for Map<V> {
    type Target = LiteMap<CompactString, V>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<V> DerefMut for Map<V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<V: fmt::Debug> fmt::Debug for Map<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> Index<&str> for Map<V> {
    type Output = V;
    /// Panics when the key is absent, like `BTreeMap`'s indexing.
    fn index(&self, key: &str) -> &V {
        match self.0.get(key) {
            Some(v) => v,
            None => panic!("no entry for key {key:?}"),
        }
    }
}

impl<K: Into<CompactString>, V> FromIterator<(K, V)> for Map<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (k, v) in iter {
            map.insert(k.into(), v);
        }
        map
    }
}

impl<K: Into<CompactString>, V> Extend<(K, V)> for Map<V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k.into(), v);
        }
    }
}

impl<K: Into<CompactString>, V, const N: usize> From<[(K, V); N]> for Map<V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<V> IntoIterator for Map<V> {
    type Item = (CompactString, V);
    type IntoIter = std::vec::IntoIter<(CompactString, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_tuple_vec().into_iter()
    }
}

impl<'a, V> IntoIterator for &'a Map<V> {
    type Item = (&'a str, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (CompactString, V)>,
        fn(&'a (CompactString, V)) -> (&'a str, &'a V),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.as_slice().iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<V: Serialize> Serialize for Map<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Map<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = Map<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map with string keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Map<V>, A::Error> {
                // Gathered on the stack: most maps are a few labels, and this way they cost
                // one allocation of exactly their size.
                let mut gathered = Gather::new();
                // Keys like `app.kubernetes.io/name` are shared statics, not per-object copies.
                while let Some((key, value)) = access.next_entry::<CompactString, V>()? {
                    gathered.push((key, value));
                }
                let mut entries: Vec<(CompactString, V)> = gathered.take_vec();
                // Last occurrence of a duplicate key wins, as with JSON objects elsewhere.
                entries.reverse();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                entries.dedup_by(|later, earlier| later.0 == earlier.0);
                entries.shrink_to_fit();
                Ok(Map(LiteMap::from_sorted_store_unchecked(entries)))
            }
        }
        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_dedup_and_round_trip() {
        let m: Map<String> = serde_json::from_str(r#"{"b":"2","a":"1","b":"3"}"#).unwrap();
        assert_eq!(m.get("b").map(String::as_str), Some("3"));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"a":"1","b":"3"}"#);
        assert_eq!(m["a"], "1");
        assert!(serde_json::from_str::<Map<String>>("[1]").is_err());
        let built: Map<u8> = [("x", 1), ("a", 2)].into();
        assert_eq!(built.iter().next(), Some(("a", &2)));
    }
}
