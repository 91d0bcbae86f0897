//! Serde impls of API objects, with the generic part written once.
//!
//! `#[derive(Serialize, Deserialize)]` on the ~650 generated structs of `kubegen-api` made up
//! most of its build time: per struct a field-name enum and its visitor, a visitor with both
//! `visit_seq` and `visit_map`, and a wrapper type for every `deserialize_with` field. Here the
//! visitor, the key reading and the skipping rules live once; a struct only says, in
//! [`ObjectFields`], which key goes to which field and how each field is written:
//!
//! ```
//! use kubegen_meta::serde_impl::{self, FieldWriter, ObjectFields};
//! use serde::de::MapAccess;
//! use serde::{Deserialize, Deserializer, Serialize, Serializer};
//!
//! #[derive(Default)]
//! struct Port {
//!     name: Option<String>,
//!     host_ip: Option<String>,
//!     ports: Option<Vec<u16>>,
//! }
//!
//! impl ObjectFields for Port {
//!     const NAME: &'static str = "Port";
//!     fn read_field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
//!         match key {
//!             "name" => serde_impl::read(map, &mut self.name),
//!             "hostIP" => serde_impl::read(map, &mut self.host_ip),
//!             "ports" => serde_impl::read_list(map, &mut self.ports),
//!             _ => serde_impl::skip_value(map),
//!         }
//!     }
//!     fn write_fields<W: FieldWriter>(&self, object: &mut W) {
//!         object.optional("name", &self.name);
//!         object.optional("hostIP", &self.host_ip);
//!         object.optional("ports", &self.ports);
//!     }
//! }
//! impl<'de> Deserialize<'de> for Port {
//!     fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
//!         serde_impl::deserialize_object(deserializer)
//!     }
//! }
//! impl Serialize for Port {
//!     fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
//!         serde_impl::serialize_object(self, serializer)
//!     }
//! }
//!
//! let port: Port = serde_json::from_str(r#"{"hostIP":"::1","ports":null,"other":[1]}"#).unwrap();
//! assert_eq!(port.host_ip.as_deref(), Some("::1"));
//! assert_eq!(serde_json::to_string(&port).unwrap(), r#"{"hostIP":"::1"}"#);
//! ```
//!
//! The wire rules are those of the derives they replace, as the API server needs them:
//! - Unknown keys are skipped (newer servers send fields older types do not know).
//! - `null` for a plain (non-`Option`) field reads as its default ([`read_or_default`]);
//!   for an `Option` field it reads as `None`.
//! - Unset fields are left out when writing ([`FieldWriter::optional`],
//!   [`FieldWriter::unless_default`]): server-side apply must only see what the user set.
//! - A key given twice: the last value wins, as in Go's `encoding/json` (the API server's own
//!   decoder); serde's derive would reject the object instead.
//! - Only JSON objects are accepted, not the sequence form serde's derive also allows.
//!
//! Keys are read without allocating: borrowed from the input when the deserializer can lend
//! them (`serde_json::from_slice`/`from_str`, as the client decodes), else copied to the stack
//! when short ([`Key`]).

mod key;
mod object_serde;
mod read;
mod string_enum;
mod union;
mod write;

use std::fmt;

use serde_core::de::{MapAccess, Visitor};
use serde_core::ser::SerializeStruct;
use serde_core::{Deserializer, Serializer};

#[doc(hidden)]
pub use crate::object_serde;
pub use key::Key;
#[cfg(feature = "json")]
pub use read::unknown_field;
pub use read::{optional_object, read, read_list, read_or_default, skip_value};
pub use string_enum::{deserialize_enum, serialize_enum, StringEnum};
pub use union::{deserialize_union, list, object, Union};
pub use write::FieldWriter;
use write::{MapWriter, StructWriter};

/// A struct read from and written as a JSON object, field by field.
///
/// Reading starts from `Self::default()` and lets [`ObjectFields::read_field`] store each
/// key's value in place, so absent fields keep their defaults.
pub trait ObjectFields: Default {
    /// The type's name, for error messages and serializers that want one.
    const NAME: &'static str;

    /// Reads the value of `key` from `map` into its field; skips the value of a key the type
    /// does not know ([`skip_value`]).
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error>;

    /// Writes every field that is set, in order, through `object`.
    fn write_fields<W: FieldWriter>(&self, object: &mut W);
}

/// Deserializes `T` from an object: the body of `T`'s `Deserialize` impl.
pub fn deserialize_object<'de, T: ObjectFields, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let mut out = T::default();
    deserializer.deserialize_map(InPlace(&mut out))?;
    Ok(out)
}

/// Reads an object's members into a value where it lies. The one visitor of a type, for
/// whole values and for optional fields read in place alike ([`optional_object`]): each
/// visitor type costs a copy of the deserializer's `deserialize_map` in every program.
pub(super) struct InPlace<'a, T>(pub(super) &'a mut T);

impl<'de, T: ObjectFields> Visitor<'de> for InPlace<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        read_fields(self.0, map)
    }
}

/// Reads every member of `map` into its field of `out`.
pub(super) fn read_fields<'de, T: ObjectFields, A: MapAccess<'de>>(
    out: &mut T,
    mut map: A,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key::<Key<'de>>()? {
        out.read_field(key.as_str(), &mut map)?;
    }
    Ok(())
}

/// Serializes `value` as a struct: the body of `T`'s `Serialize` impl.
///
/// The fields are walked twice, first to count the ones that are set (serializers such as
/// `serde_json` rely on the length: zero writes `{}` at once), then to write them.
pub fn serialize_object<T: ObjectFields, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut struct_ = serializer.serialize_struct(T::NAME, write::count(value))?;
    let mut writer = StructWriter {
        out: &mut struct_,
        error: None,
    };
    value.write_fields(&mut writer);
    match writer.error {
        Some(e) => Err(e),
        None => struct_.end(),
    }
}

/// Serializes `value` as a map, for structs that keep undeclared fields
/// (`x-kubernetes-preserve-unknown-fields`) whose keys are not known at compile time.
pub fn serialize_open_object<T: ObjectFields, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde_core::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(write::count(value)))?;
    let mut writer = MapWriter {
        out: &mut map,
        error: None,
    };
    value.write_fields(&mut writer);
    match writer.error {
        Some(e) => Err(e),
        None => map.end(),
    }
}

#[cfg(test)]
mod tests;
