//! `Quantity`: a fixed-point number with a suffix (`100m`, `1Gi`), kept as the server wrote it.

use std::fmt;

use super::{CompactString, ToCompactString};
use serde_core::{de, Deserialize, Deserializer, Serialize, Serializer};

/// A resource quantity (`resource.Quantity`) in its canonical string form.
///
/// The spec declares it a string, but servers and hand-written manifests also use plain JSON
/// numbers; both are accepted and kept as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(pub CompactString);

impl Quantity {
    /// The quantity as written (`100m`, `1Gi`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Quantity {
    fn from(s: &str) -> Self {
        Self(s.into())
    }
}

impl From<String> for Quantity {
    fn from(s: String) -> Self {
        Self(s.into())
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a quantity as a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Ok(Quantity(v.into()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Quantity, E> {
                Ok(Quantity(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_compact_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_compact_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_compact_string()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers() {
        let q: Vec<Quantity> = serde_json::from_str(r#"["100m", 2, 0.5]"#).unwrap();
        assert_eq!(q, vec!["100m".into(), "2".into(), "0.5".into()]);
        assert_eq!(serde_json::to_string(&q[0]).unwrap(), r#""100m""#);
        assert!(serde_json::from_str::<Quantity>("true").is_err());
    }
}
