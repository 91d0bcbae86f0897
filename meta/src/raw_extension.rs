//! `RawExtension`: an embedded object of any kind, kept as the JSON text it came as.

use std::fmt;

use serde_core::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde_core::de::{self, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::json_text::{self, JsonTextError, SerializeText, WriteText};
use super::raw_text::{TokenOrKey, RAW_VALUE_TOKEN};

/// Any embedded object (`runtime.RawExtension`), as JSON text — what client-go keeps too
/// (`Raw []byte`). Decoding from serde_json takes the text as read, without building a tree
/// of it (a `ControllerRevision` embeds a whole pod template); other formats are re-encoded
/// as compact JSON. Equality compares the text.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RawExtension(Box<str>);

impl RawExtension {
    /// Wraps JSON text, checking that it is exactly one JSON value.
    pub fn from_json(text: impl Into<Box<str>>) -> Result<Self, JsonTextError> {
        let text = text.into();
        json_text::validate(&text)?;
        Ok(Self(text))
    }

    /// True for an extension that holds nothing (not even `null`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON text (`null` for an empty extension).
    pub fn json(&self) -> &str {
        if self.0.is_empty() {
            "null"
        } else {
            &self.0
        }
    }

    /// Encodes `value` as JSON.
    #[cfg(feature = "json")]
    pub fn from_object<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(|text| Self(text.into()))
    }

    /// Decodes the text as a `T` (an object of a known kind, or a `serde_json::Value`).
    #[cfg(feature = "json")]
    pub fn to_object<T: serde_core::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.json())
    }
}

#[cfg(feature = "json")]
impl From<serde_json::Value> for RawExtension {
    fn from(value: serde_json::Value) -> Self {
        Self(value.to_string().into())
    }
}

impl fmt::Debug for RawExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawExtension").field(&self.json()).finish()
    }
}

impl Serialize for RawExtension {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SerializeText(self.json()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawExtension {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_newtype_struct(RAW_VALUE_TOKEN, TextVisitor)
            .map(|text| Self(text.into()))
    }
}

/// Takes serde_json's raw text when it hands it over (a one-entry map from its token to
/// the text), and re-encodes whatever any other deserializer shows.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        json_text::to_text(d)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        let first = match map.next_key_seed(TokenOrKey)? {
            Some(None) => return map.next_value::<String>(),
            Some(Some(first)) => first,
            None => return Ok("{}".to_owned()),
        };
        // The deserializer showed an object's members straight away: write the first one,
        // then the rest.
        let mut text = String::from("{");
        text.push_str(&json_text::to_text(first.as_str().into_deserializer())?);
        text.push(':');
        map.next_value_seed(WriteText(&mut text))?;
        let rest = json_text::to_text(MapAccessDeserializer::new(map))?;
        // `rest` is `{...}` of the remaining members.
        if rest.len() > 2 {
            text.push(',');
            text.push_str(&rest[1..]);
        } else {
            text.push('}');
        }
        Ok(text)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<String, A::Error> {
        json_text::to_text(SeqAccessDeserializer::new(seq))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        json_text::to_text(v.into_deserializer())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(if v { "true" } else { "false" }.to_owned())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        json_text::to_text(v.into_deserializer())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        json_text::to_text(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_serde_json_text_as_read() {
        let json = r#"{"kind":"Pod","spec":{"containers":[{"name":"a","image":"nginx"}]},"n":1.5}"#;
        let raw: RawExtension = serde_json::from_str(json).unwrap();
        assert_eq!(raw.json(), json);
        assert_eq!(serde_json::to_string(&raw).unwrap(), json);
        // Inside another value, from a reader (no borrowing) and from a `Value`.
        let wrapped = format!(r#"[{json},null,"s"]"#);
        let all: Vec<RawExtension> = serde_json::from_reader(wrapped.as_bytes()).unwrap();
        assert_eq!(all[0].json(), json);
        assert_eq!(all[1].json(), "null");
        assert_eq!(all[2].json(), r#""s""#);
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let from_value: RawExtension = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(from_value.to_object::<serde_json::Value>().unwrap(), value);
    }

    #[test]
    fn other_formats_are_re_encoded_as_json() {
        let yaml = "kind: Pod\nspec:\n  replicas: 3\n  names: [a, \"b\\\"\"]\n  ratio: 0.5\n";
        let raw: RawExtension = serde_saphyr::from_str(yaml).unwrap();
        assert_eq!(
            raw.json(),
            r#"{"kind":"Pod","spec":{"replicas":3,"names":["a","b\""],"ratio":0.5}}"#
        );
        // And written back into another format as the value, not as text.
        let back = serde_saphyr::to_string(&raw).unwrap();
        let again: serde_json::Value = serde_saphyr::from_str(&back).unwrap();
        let original: serde_json::Value = serde_saphyr::from_str(yaml).unwrap();
        assert_eq!(again, original);
    }

    #[test]
    fn a_map_shown_straight_away_is_written_whole() {
        use serde_core::de::value::{Error, MapDeserializer};
        // `MapDeserializer` answers a newtype request with the map's entries themselves.
        let entries = vec![("b", 1), ("a\"", 2), ("c", 3)];
        let raw = RawExtension::deserialize(MapDeserializer::<_, Error>::new(entries.into_iter()))
            .unwrap();
        assert_eq!(raw.json(), r#"{"b":1,"a\"":2,"c":3}"#);
        let one = vec![("only", true)];
        let raw =
            RawExtension::deserialize(MapDeserializer::<_, Error>::new(one.into_iter())).unwrap();
        assert_eq!(raw.json(), r#"{"only":true}"#);
        let none: Vec<(&str, u8)> = Vec::new();
        let raw =
            RawExtension::deserialize(MapDeserializer::<_, Error>::new(none.into_iter())).unwrap();
        assert_eq!(raw.json(), "{}");
    }

    #[test]
    fn built_from_text_or_values() {
        assert_eq!(RawExtension::default().json(), "null");
        assert_eq!(
            serde_json::to_string(&RawExtension::default()).unwrap(),
            "null"
        );
        let raw = RawExtension::from_json(r#" {"a": [1, 2]} "#).unwrap();
        assert_eq!(serde_json::to_string(&raw).unwrap(), r#"{"a":[1,2]}"#);
        let err = RawExtension::from_json(r#"{"a": }"#).unwrap_err();
        assert!(err.to_string().contains("byte 6"), "{err}");
        let raw = RawExtension::from(serde_json::json!({"b": true}));
        assert_eq!(raw.json(), r#"{"b":true}"#);
        let raw = RawExtension::from_object(&[1, 2]).unwrap();
        assert_eq!(raw.to_object::<Vec<u8>>().unwrap(), [1, 2]);
    }
}
