//! serde_json's raw-text handover, for values that want the JSON text they came from.
//!
//! Asked for a newtype struct named [`RAW_VALUE_TOKEN`] (what `serde_json::value::RawValue`
//! deserializes through), serde_json answers with a one-entry map: the token as key, the text
//! as value (borrowed from the input when it can). Any other deserializer treats the name as
//! an ordinary newtype and shows the content instead.

use std::fmt;

use serde_core::de::{self, DeserializeSeed, Visitor};
#[cfg(feature = "pooling")]
use serde_core::de::{Deserialize, MapAccess};
use serde_core::Deserializer;

/// The newtype name under which serde_json hands a value over as its raw text.
pub(crate) const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// The first key of the handover map: `None` for the token (the text follows as the value),
/// else the key itself — the deserializer showed the content, not the text.
pub(crate) struct TokenOrKey;

impl<'de> DeserializeSeed<'de> for TokenOrKey {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for TokenOrKey {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key (or serde_json's raw-value token)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok((v != RAW_VALUE_TOKEN).then(|| v.to_owned()))
    }
}

#[cfg(feature = "pooling")]
/// Hands the JSON text of the next value to `take`: serde_json's raw text, borrowed from the
/// input when it can be. A deserializer that shows the content of a newtype instead (another
/// format) hands over that content re-encoded as JSON.
///
/// Not generic over what `take` builds from the text, so a program compiles this once per
/// deserializer rather than once per type read from text.
pub(crate) fn with_text<'de, D: Deserializer<'de>>(
    deserializer: D,
    take: &mut dyn FnMut(&str) -> Result<(), serde_json::Error>,
) -> Result<(), D::Error> {
    deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, TextVisitor(take))
}

#[cfg(feature = "pooling")]
struct TextVisitor<'a>(&'a mut dyn FnMut(&str) -> Result<(), serde_json::Error>);

#[cfg(feature = "pooling")]
impl<'de> Visitor<'de> for TextVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    /// Another format shows the content: re-encoded, it reads like serde_json's text.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        (self.0)(&value.to_string()).map_err(de::Error::custom)
    }

    /// serde_json's handover: a one-entry map from its token to the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        match map.next_key_seed(TokenOrKey)? {
            Some(None) => map.next_value_seed(TextSeed(self.0)),
            _ => Err(de::Error::custom(
                "a sharing scope reads serde_json input only (no raw text handed over)",
            )),
        }
    }
}

#[cfg(feature = "pooling")]
struct TextSeed<'a>(&'a mut dyn FnMut(&str) -> Result<(), serde_json::Error>);

#[cfg(feature = "pooling")]
impl<'de> DeserializeSeed<'de> for TextSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

#[cfg(feature = "pooling")]
impl Visitor<'_> for TextSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the JSON text of a value")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        (self.0)(text).map_err(E::custom)
    }
}
