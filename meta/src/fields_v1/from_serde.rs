//! Encoding from any serde deserializer, member by member (the general path).

use std::cell::Cell;
use std::fmt;

use serde_core::de::value::SeqAccessDeserializer;
use serde_core::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_core::Deserializer;

use super::keys::{push_key, push_varint, DOT_LEAF};
use super::*;
use crate::json_text;
#[cfg(feature = "json")]
use crate::raw_text::{TokenOrKey, RAW_VALUE_TOKEN};

/// Decodes the keys and values of a JSON object into `out` (entries, then [`END`]).
struct ObjectVisitor<'a> {
    out: &'a mut Vec<u8>,
}

impl ObjectVisitor<'_> {
    /// Encodes the entries of `map`; returns the kind of the object (empty, object, or
    /// object with an implied leading `".": {}`).
    /// `first` is a first key already read from `map`.
    fn entries<'de, A: MapAccess<'de>>(
        self,
        mut map: A,
        mut first: Option<&str>,
    ) -> Result<u8, A::Error> {
        let out = self.out;
        let mut count = 0usize;
        let mut kind = KIND_OBJECT;
        loop {
            let header_at = out.len();
            out.push(0);
            if let Some(key) = first.take() {
                out[header_at] = push_key(out, key.as_bytes()) << 2;
            } else if map.next_key_seed(KeySeed { out, header_at })?.is_none() {
                out.truncate(header_at);
                break;
            }
            map.next_value_seed(ValueSeed { out, header_at })?;
            if count == 0 && out.len() == header_at + 1 && out[header_at] == DOT_LEAF {
                out.truncate(header_at);
                kind = KIND_DOT_OBJECT;
            }
            count += 1;
        }
        if count == 0 {
            return Ok(KIND_EMPTY);
        }
        out.push(END);
        Ok(kind)
    }
}

/// Writes a key's code into the header byte at `header_at` and its bytes after it.
struct KeySeed<'a> {
    out: &'a mut Vec<u8>,
    header_at: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field-set key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<(), E> {
        let code = push_key(self.out, key.as_bytes());
        self.out[self.header_at] = code << 2;
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.visit_str(if v { "true" } else { "false" })
    }
}

/// Decodes a member's value; completes the header byte at `header_at`.
struct ValueSeed<'a> {
    out: &'a mut Vec<u8>,
    header_at: usize,
}

impl ValueSeed<'_> {
    /// Stores a value that is not an object as JSON text, marking the entry [`EXOTIC`].
    fn exotic<'de, D: Deserializer<'de>>(self, value: D) -> Result<(), D::Error> {
        let text = json_text::to_text(value)?;
        self.out.insert(self.header_at, EXOTIC);
        push_varint(self.out, text.len());
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field-set value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let kind = ObjectVisitor { out: self.out }.entries(map, None)?;
        self.out[self.header_at] |= kind;
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.exotic(SeqAccessDeserializer::new(seq))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.exotic(v.into_deserializer())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.exotic(v.into_deserializer())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.exotic(v.into_deserializer())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.exotic(v.into_deserializer())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.exotic(v.into_deserializer())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.exotic(().into_deserializer())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.exotic(().into_deserializer())
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Decodes a field set from any deserializer: from serde_json's raw text when it offers it,
/// member by member otherwise.
///
/// Without the `json` feature, nothing here can parse text the fast parser leaves alone, so
/// the raw text is not asked for.
pub(super) fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<FieldsV1, D::Error> {
    #[cfg(feature = "json")]
    return deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, RawOrAny);
    #[cfg(not(feature = "json"))]
    deserializer.deserialize_any(RootVisitor)
}

/// Accepts serde_json's raw-text handover (a one-entry map keyed by the token) or, from
/// other deserializers, the newtype's content.
#[cfg(feature = "json")]
struct RawOrAny;

#[cfg(feature = "json")]
impl<'de> Visitor<'de> for RawOrAny {
    type Value = FieldsV1;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a managed-fields set (a JSON object)")
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<FieldsV1, D::Error> {
        d.deserialize_any(RootVisitor)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldsV1, A::Error> {
        match map.next_key_seed(TokenOrKey)? {
            Some(None) => map.next_value_seed(RawText),
            // Not the handover: a deserializer that shows the newtype as its content.
            Some(Some(first)) => with_scratch(|buf| {
                buf.push(FORMAT_TREE);
                let kind = ObjectVisitor { out: buf }.entries(map, Some(&first))?;
                finish_root(buf, kind);
                Ok(FieldsV1::from_encoded(buf))
            }),
            None => Ok(FieldsV1::default()),
        }
    }
}

/// The raw JSON text of the field set: encoded by the fast parser, or (for shapes it leaves
/// alone) by the general path over the same text.
#[cfg(feature = "json")]
struct RawText;

#[cfg(feature = "json")]
impl<'de> DeserializeSeed<'de> for RawText {
    type Value = FieldsV1;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FieldsV1, D::Error> {
        d.deserialize_str(self)
    }
}

#[cfg(feature = "json")]
impl<'de> Visitor<'de> for RawText {
    type Value = FieldsV1;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the JSON text of a managed-fields set")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<FieldsV1, E> {
        let fast = with_scratch(|buf| {
            buf.push(FORMAT_TREE);
            let kind = from_text::encode(text, buf)?;
            finish_root(buf, kind);
            Some(FieldsV1::from_encoded(buf))
        });
        match fast {
            Some(fields) => Ok(fields),
            None => serde_json::Deserializer::from_str(text)
                .deserialize_any(RootVisitor)
                .map_err(E::custom),
        }
    }
}

impl FieldsV1 {
    /// A field set from its JSON text (as protobuf carries it), encoded as the JSON
    /// decoding would: by the fast parser, or by the general path over the same text.
    #[cfg(feature = "protobuf")]
    pub(crate) fn from_json_text(text: &str) -> Result<FieldsV1, serde_json::Error> {
        RawText.visit_str(text)
    }
}

/// Encodes any value from `deserializer` as the general path does (for tests of the fast one).
#[cfg(test)]
pub(super) fn encode_any<'de, D: Deserializer<'de>>(
    deserializer: D,
    out: &mut Vec<u8>,
) -> Result<(), D::Error> {
    let fields = deserializer.deserialize_any(RootVisitor)?;
    out.extend_from_slice(&fields.0);
    Ok(())
}

/// The top-level value: an object (the format) or, leniently, anything else.
struct RootVisitor;

thread_local! {
    /// Scratch space reused across decodes, so each field set costs one exact allocation.
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut buf = SCRATCH.with(Cell::take);
    buf.clear();
    let result = f(&mut buf);
    if buf.capacity() <= 64 * 1024 {
        SCRATCH.with(|s| s.set(buf));
    }
    result
}

impl<'de> Visitor<'de> for RootVisitor {
    type Value = FieldsV1;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a managed-fields set (a JSON object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FieldsV1, A::Error> {
        with_scratch(|buf| {
            buf.push(FORMAT_TREE);
            let kind = ObjectVisitor { out: buf }.entries(map, None)?;
            finish_root(buf, kind);
            Ok(FieldsV1::from_encoded(buf))
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<FieldsV1, A::Error> {
        FieldsV1::json(SeqAccessDeserializer::new(seq))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FieldsV1, E> {
        FieldsV1::json(v.into_deserializer())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FieldsV1, E> {
        FieldsV1::json(v.into_deserializer())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FieldsV1, E> {
        FieldsV1::json(v.into_deserializer())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FieldsV1, E> {
        FieldsV1::json(v.into_deserializer())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldsV1, E> {
        FieldsV1::json(v.into_deserializer())
    }
    fn visit_unit<E: de::Error>(self) -> Result<FieldsV1, E> {
        FieldsV1::json(().into_deserializer())
    }
}

impl FieldsV1 {
    /// A top-level value that is not an object, kept as JSON text.
    fn json<'de, D: Deserializer<'de>>(value: D) -> Result<Self, D::Error> {
        let text = json_text::to_text(value)?;
        let mut bytes = Vec::with_capacity(text.len() + 1);
        bytes.push(FORMAT_JSON);
        bytes.extend_from_slice(text.as_bytes());
        Ok(Self(bytes.into()))
    }
}
