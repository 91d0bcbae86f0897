//! Support for generated one-of structs: objects some of whose keys are mutually exclusive.
//!
//! `Volume` allows exactly one of 30 volume sources. Generated code stores the group as one
//! `Option` of an enum (16 bytes) instead of 30 optional boxes (240 bytes), while the wire
//! format stays the flat object the API server speaks: `{"name": "x", "configMap": {...}}`.
//! The generated `Deserialize` reads keys through [`KeySeed`] (no allocation per key, no
//! buffering as `#[serde(flatten)]` would do) and stores members with [`set`].

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeStruct;

/// An enum of mutually exclusive members, each stored under its own key of the parent object.
pub trait OneOf: Sized {
    /// The members' wire keys, in variant order: [`OneOf::read`] takes an index into it.
    const KEYS: &'static [&'static str];

    /// The wire key of the member this value holds (`configMap`).
    fn key(&self) -> &'static str;

    /// Reads the value of member `KEYS[index]` from `map`; `None` for `null`.
    fn read<'de, A: MapAccess<'de>>(index: usize, map: &mut A) -> Result<Option<Self>, A::Error>;

    /// Writes this member as one field of the parent's struct serializer.
    fn write<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error>;
}

/// What a key of a one-of struct's object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// One of the struct's other fields, by index into [`KeySeed`]'s `fields`.
    Field(usize),
    /// One of the members of the group, by index into [`OneOf::KEYS`].
    Member(usize),
    /// A key the struct does not know: ignored, like everywhere else.
    Other,
}

/// Decodes an object key into a [`Key`] straight from the input text.
#[derive(Clone, Copy, Debug)]
pub struct KeySeed {
    fields: &'static [&'static str],
    members: &'static [&'static str],
}

impl KeySeed {
    /// Keys are looked up in `fields` first, then in `members`.
    pub const fn new(fields: &'static [&'static str], members: &'static [&'static str]) -> Self {
        KeySeed { fields, members }
    }

    fn classify(&self, key: &str) -> Key {
        if let Some(i) = self.fields.iter().position(|k| *k == key) {
            Key::Field(i)
        } else if let Some(i) = self.members.iter().position(|k| *k == key) {
            Key::Member(i)
        } else {
            Key::Other
        }
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(self.classify(key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Key, E> {
        Ok(std::str::from_utf8(key).map_or(Key::Other, |k| self.classify(k)))
    }
}

/// Stores a member read from the wire: `None` (a `null`) changes nothing; a second member
/// is an error naming both keys, since the API allows only one.
pub fn set<T: OneOf, E: de::Error>(slot: &mut Option<T>, value: Option<T>) -> Result<(), E> {
    let Some(value) = value else {
        return Ok(());
    };
    if let Some(current) = slot {
        let (a, b) = (current.key(), value.key());
        return Err(if a == b {
            E::custom(format_args!("duplicate field `{a}`"))
        } else {
            E::custom(format_args!(
                "`{a}` and `{b}` are both set, but only one of them may be"
            ))
        });
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_classified_fields_first() {
        let seed = KeySeed::new(&["name", "both"], &["configMap", "secret", "both"]);
        assert_eq!(seed.classify("name"), Key::Field(0));
        assert_eq!(seed.classify("both"), Key::Field(1));
        assert_eq!(seed.classify("secret"), Key::Member(1));
        assert_eq!(seed.classify("Secret"), Key::Other);
        let from_json: Key = seed
            .deserialize(&mut serde_json::Deserializer::from_str("\"configMap\""))
            .unwrap();
        assert_eq!(from_json, Key::Member(0));
    }
}
