//! Small serde helpers used by generated code.
//!
//! Required fields are plain (non-`Option`) Rust fields, but the API server sometimes sends
//! `null` for them and server-side apply needs unset fields left out, so generated code
//! deserializes `null` as the default and skips fields that still hold it.

use serde::{Deserialize, Deserializer};

/// Deserializes `null` (or an absent field, with `#[serde(default)]`) as `T::default()`.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Deserializes an optional list and trims its capacity to its length.
///
/// serde grows vectors by doubling (a one-element list of containers holds room for four), and
/// decoded objects live long in caches: the slack is wasted for their whole life.
pub fn shrunk<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut v = Option::<Vec<T>>::deserialize(deserializer)?;
    if let Some(v) = &mut v {
        v.shrink_to_fit();
    }
    Ok(v)
}

/// True when a value equals its type's default: such a field was never set by the user.
pub fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
