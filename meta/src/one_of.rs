//! Support for generated one-of structs: objects some of whose keys are mutually exclusive.
//!
//! `Volume` allows exactly one of 30 volume sources. Generated code stores the group as one
//! `Option` of an enum (16 bytes) instead of 30 optional boxes (240 bytes), while the wire
//! format stays the flat object the API server speaks: `{"name": "x", "configMap": {...}}`.
//! The struct is read and written like any other ([`serde_impl`](super::serde_impl)); keys
//! that are none of its own fields go to [`read_member`], and [`write_member`] writes the
//! member that is set under its key.

use serde_core::de::{self, MapAccess};

use super::serde_impl::{skip_value, FieldWriter};

/// An enum of mutually exclusive members, each stored under its own key of the parent object.
pub trait OneOf: Sized {
    /// The wire key of the member this value holds (`configMap`).
    fn key(&self) -> &'static str;

    /// Reads the value of `key` from `map` when `key` names a member; leaves the value
    /// unread and answers [`Read::Other`] when it does not.
    fn read<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Read<Self>, A::Error>;

    /// Writes this member as one field of the parent object.
    fn write<W: FieldWriter>(&self, object: &mut W);
}

/// What [`OneOf::read`] found under a key.
#[derive(Debug, PartialEq)]
pub enum Read<T> {
    /// The key names a member: its value, `None` for `null`.
    Member(Option<T>),
    /// The key names no member; its value is still to be read.
    Other,
}

/// Reads the value of a key that is none of a one-of struct's own fields: a member is stored
/// in `slot` (see [`set`]), any other key is skipped like everywhere else.
pub fn read_member<'de, T: OneOf, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    key: &str,
    map: &mut A,
) -> Result<(), A::Error> {
    match T::read(key, map)? {
        Read::Member(value) => set(slot, value),
        Read::Other => skip_value(map),
    }
}

/// Writes the member that is set, if any.
pub fn write_member<T: OneOf, W: FieldWriter>(object: &mut W, slot: &Option<T>) {
    if let Some(member) = slot {
        member.write(object);
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
