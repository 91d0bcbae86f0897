//! serde_json's raw-text handover, for values that want the JSON text they came from.
//!
//! Asked for a newtype struct named [`RAW_VALUE_TOKEN`] (what `serde_json::value::RawValue`
//! deserializes through), serde_json answers with a one-entry map: the token as key, the text
//! as value (borrowed from the input when it can). Any other deserializer treats the name as
//! an ordinary newtype and shows the content instead.

use std::fmt;

use serde_core::de::{self, DeserializeSeed, Visitor};
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
