//! Small serde helpers for derived impls (the discovery documents) and for `serde_impl`'s
//! list reading: `null` read as the default, lists read to exactly their length.

use std::fmt;
use std::marker::PhantomData;

use serde_core::de::{SeqAccess, Visitor};
use serde_core::{Deserialize, Deserializer};

use super::gather::Gather;

/// Deserializes `null` (or an absent field, with `#[serde(default)]`) as `T::default()`.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Deserializes an optional list into a vector of exactly its length.
///
/// serde grows vectors by doubling (a one-element list of containers holds room for four), and
/// decoded objects live long in caches: the slack would be wasted for their whole life. Short
/// lists are gathered on the stack first, so they cost one allocation of the right size.
pub fn shrunk<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<ExactVec<T>>::deserialize(deserializer).map(|v| v.map(ExactVec::into_vec))
}

/// A list deserialized into a vector of exactly its length.
pub(crate) struct ExactVec<T>(Vec<T>);

impl<T> ExactVec<T> {
    pub(crate) fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ExactVec<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = ExactVec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ExactVec<T>, A::Error> {
                let mut items = Gather::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(ExactVec(items.take_vec()))
            }
        }
        deserializer.deserialize_seq(V(PhantomData))
    }
}

/// True when a value equals its type's default: such a field was never set by the user.
pub fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    // The derive macro (`meta` itself uses `serde_core`, which has none).
    use serde::Deserialize;

    #[derive(Deserialize, Default, Debug, PartialEq)]
    struct S {
        #[serde(default, deserialize_with = "null_as_default")]
        items: Vec<u32>,
    }

    #[test]
    fn null_and_absent_become_default() {
        let s: S = serde_json::from_str(r#"{"items":null}"#).unwrap();
        assert!(s.items.is_empty());
        let s: S = serde_json::from_str(r#"{}"#).unwrap();
        assert!(s.items.is_empty());
        let s: S = serde_json::from_str(r#"{"items":[1]}"#).unwrap();
        assert_eq!(s.items, vec![1]);
        assert!(is_default(&0u8));
        assert!(!is_default(&"x".to_string()));
    }

    #[test]
    fn shrunk_lists_have_no_slack() {
        #[derive(Deserialize)]
        struct L {
            #[serde(default, deserialize_with = "shrunk")]
            items: Option<Vec<String>>,
        }
        for n in [0, 1, 4, 5, 9, 40] {
            let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let json = serde_json::json!({ "items": items }).to_string();
            let l: L = serde_json::from_str(&json).unwrap();
            let got = l.items.unwrap();
            assert_eq!(got, items);
            assert_eq!(got.capacity(), n);
        }
        let l: L = serde_json::from_str(r#"{"items":null}"#).unwrap();
        assert_eq!(l.items, None);
        let l: L = serde_json::from_str("{}").unwrap();
        assert_eq!(l.items, None);
        assert!(serde_json::from_str::<L>(r#"{"items":"x"}"#).is_err());
        let l: L = serde_json::from_value(serde_json::json!({"items": ["a"]})).unwrap();
        assert_eq!(l.items.unwrap(), ["a"]);
    }
}
