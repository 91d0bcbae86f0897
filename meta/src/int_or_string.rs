//! `IntOrString`: a port or percentage that is either a number or a name (`intstr.IntOrString`).

use std::fmt;

use super::CompactString;
use serde_core::{de, Deserialize, Deserializer, Serialize, Serializer};

/// An integer or a string (`intstr.IntOrString`): `8080` or `"http"`, `1` or `"25%"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// A number (`8080`, `1`).
    Int(i32),
    /// A name or percentage (`"http"`, `"25%"`).
    String(CompactString),
}

impl Default for IntOrString {
    fn default() -> Self {
        Self::Int(0)
    }
}

impl From<i32> for IntOrString {
    fn from(v: i32) -> Self {
        Self::Int(v)
    }
}

impl From<&str> for IntOrString {
    fn from(v: &str) -> Self {
        Self::String(v.into())
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Int(i) => serializer.serialize_i32(*i),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = IntOrString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a 32-bit integer or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::custom(format_args!("integer {v} out of range for int32")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::custom(format_args!("integer {v} out of range for int32")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
                Ok(IntOrString::String(v.into()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IntOrString, E> {
                Ok(IntOrString::String(v.into()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let v: Vec<IntOrString> = serde_json::from_str(r#"[8080, "http", "25%"]"#).unwrap();
        assert_eq!(v[0], IntOrString::Int(8080));
        assert_eq!(v[1], IntOrString::String("http".into()));
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"[8080,"http","25%"]"#);
        assert!(serde_json::from_str::<IntOrString>("4294967296").is_err());
    }
}
