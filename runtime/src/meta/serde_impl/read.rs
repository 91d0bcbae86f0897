//! Reading one field's value, for [`ObjectFields::read_field`](super::ObjectFields::read_field).

use serde_core::de::{Deserialize, IgnoredAny, MapAccess};

use crate::meta::serde_helpers::Shrunk;
use crate::meta::{CompactString, Map};

/// Reads a value where `null` means the default: plain (non-`Option`) fields, which the API
/// server sometimes sends as `null` (a Go nil slice or map).
pub fn null_as_default<'de, T, A>(map: &mut A) -> Result<T, A::Error>
where
    T: Deserialize<'de> + Default,
    A: MapAccess<'de>,
{
    Ok(map.next_value::<Option<T>>()?.unwrap_or_default())
}

/// Reads an optional list into a vector of exactly its length (see
/// [`serde_helpers::shrunk`](crate::meta::serde_helpers::shrunk): decoded objects live long in
/// caches, and serde's doubling would leave them slack for their whole life).
pub fn shrunk<'de, T, A>(map: &mut A) -> Result<Option<Vec<T>>, A::Error>
where
    T: Deserialize<'de>,
    A: MapAccess<'de>,
{
    Ok(map.next_value::<Shrunk<T>>()?.0)
}

/// Skips the value of a key the type does not know, whatever its shape.
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>()?;
    Ok(())
}

/// Keeps the value of an undeclared key in `fields` (`x-kubernetes-preserve-unknown-fields`
/// beside declared fields).
pub fn unknown_field<'de, A: MapAccess<'de>>(
    fields: &mut Map<serde_json::Value>,
    key: &str,
    map: &mut A,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    fields.insert(CompactString::decoded(key), value);
    Ok(())
}
