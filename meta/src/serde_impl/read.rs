//! Reading one field's value, for [`ObjectFields::read_field`](super::ObjectFields::read_field).

use std::fmt;

use serde_core::de::{Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{InPlace, ObjectFields};

use crate::serde_helpers::ExactVec;
#[cfg(feature = "json")]
use crate::{CompactString, Map};

/// Reads a field's value into `slot`. Each reader stores in place and returns only the
/// outcome, so a generated `read_field` is a `match` of plain calls, without a `?` branch
/// per field for the compiler to check.
pub fn read<'de, T, A>(map: &mut A, slot: &mut T) -> Result<(), A::Error>
where
    T: Deserialize<'de>,
    A: MapAccess<'de>,
{
    *slot = map.next_value()?;
    Ok(())
}

/// Reads a value where `null` means the default: plain (non-`Option`) fields, which the API
/// server sometimes sends as `null` (a Go nil slice or map).
pub fn read_or_default<'de, T, A>(map: &mut A, slot: &mut T) -> Result<(), A::Error>
where
    T: Deserialize<'de> + Default,
    A: MapAccess<'de>,
{
    *slot = map.next_value::<Option<T>>()?.unwrap_or_default();
    Ok(())
}

/// Reads an optional list into a vector of exactly its length (see
/// [`serde_helpers::shrunk`](crate::serde_helpers::shrunk): decoded objects live long in
/// caches, and serde's doubling would leave them slack for their whole life).
pub fn read_list<'de, T, A>(map: &mut A, slot: &mut Option<Vec<T>>) -> Result<(), A::Error>
where
    T: Deserialize<'de>,
    A: MapAccess<'de>,
{
    *slot = map
        .next_value::<Option<ExactVec<T>>>()?
        .map(ExactVec::into_vec);
    Ok(())
}

/// Reads an optional object into `place` where it lies: an inline struct field is decoded
/// straight into its parent instead of being built on the stack and moved up at every level
/// (a pod's spec, containers' probes and security contexts are a few hundred bytes each).
/// `null` reads as `None`; a key given twice takes its last value, as elsewhere.
pub fn optional_object<'de, T, A>(map: &mut A, place: &mut Option<T>) -> Result<(), A::Error>
where
    T: ObjectFields,
    A: MapAccess<'de>,
{
    map.next_value_seed(OptionalInPlace(place))
}

struct OptionalInPlace<'a, T>(&'a mut Option<T>);

impl<'de, T: ObjectFields> DeserializeSeed<'de> for OptionalInPlace<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: ObjectFields> Visitor<'de> for OptionalInPlace<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object or null", T::NAME)
    }
    fn visit_none<E: serde_core::de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }
    fn visit_unit<E: serde_core::de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(InPlace(self.0.insert(T::default())))
    }
}

/// Skips the value of a key the type does not know, whatever its shape.
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>()?;
    Ok(())
}

/// Keeps the value of an undeclared key in `fields` (`x-kubernetes-preserve-unknown-fields`
/// beside declared fields).
#[cfg(feature = "json")]
pub fn unknown_field<'de, A: MapAccess<'de>>(
    fields: &mut Map<serde_json::Value>,
    key: &str,
    map: &mut A,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    fields.insert(CompactString::decoded(key), value);
    Ok(())
}
