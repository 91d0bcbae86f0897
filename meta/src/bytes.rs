//! `ByteString`: bytes that travel base64-encoded (`format: byte`).

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_core::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Binary data, base64 in JSON (Secret data, CA bundles). `null` reads as empty.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ByteString(pub Vec<u8>);

impl fmt::Debug for ByteString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // May hold secrets: show only the size.
        write!(f, "ByteString({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for ByteString {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl Serialize for ByteString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for ByteString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = ByteString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("base64-encoded bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteString, E> {
                STANDARD
                    .decode(v)
                    .map(ByteString)
                    .map_err(|e| E::custom(format_args!("invalid base64: {e}")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ByteString, E> {
                Ok(ByteString::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<ByteString, E> {
                Ok(ByteString::default())
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_null() {
        let b: ByteString = serde_json::from_str(r#""aGVsbG8=""#).unwrap();
        assert_eq!(b.0, b"hello");
        assert_eq!(serde_json::to_string(&b).unwrap(), r#""aGVsbG8=""#);
        let b: ByteString = serde_json::from_str("null").unwrap();
        assert!(b.0.is_empty());
        assert!(serde_json::from_str::<ByteString>(r#""!!""#).is_err());
        assert_eq!(format!("{b:?}"), "ByteString(0 bytes)");
    }
}
