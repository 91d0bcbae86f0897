//! Writing fields, for [`ObjectFields::write_fields`](super::ObjectFields::write_fields).

use std::convert::Infallible;

use serde_core::ser::{self, Serialize, SerializeMap, SerializeStruct};

use super::ObjectFields;
use crate::meta::serde_helpers::is_default;
use crate::meta::Map;

/// Where a struct's fields go: a struct serializer, a map serializer, or a counter that
/// finds the length to announce before writing.
pub trait FieldWriter {
    /// The serializer's error.
    type Error;

    /// Writes a field that is always present (`apiVersion`, `kind`).
    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error>;

    /// Writes the undeclared fields a struct keeps (`x-kubernetes-preserve-unknown-fields`).
    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>) -> Result<(), Self::Error>;

    /// Writes an `Option` field when it is `Some`: `None` means the user never set it.
    fn optional<T: Serialize>(
        &mut self,
        key: &'static str,
        value: &Option<T>,
    ) -> Result<(), Self::Error> {
        match value {
            Some(value) => self.field(key, value),
            None => Ok(()),
        }
    }

    /// Writes a plain field unless it holds its default (an empty `metadata`, an empty
    /// list): server-side apply would take such a value as the user's intent.
    fn unless_default<T: Serialize + Default + PartialEq>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        if is_default(value) {
            Ok(())
        } else {
            self.field(key, value)
        }
    }
}

/// How many fields `value` writes.
pub(super) fn count<T: ObjectFields>(value: &T) -> usize {
    let mut counter = Counter(0);
    match value.write_fields(&mut counter) {
        Ok(()) => counter.0,
        Err(never) => match never {},
    }
}

struct Counter(usize);

impl FieldWriter for Counter {
    type Error = Infallible;

    fn field<T: Serialize + ?Sized>(&mut self, _: &'static str, _: &T) -> Result<(), Infallible> {
        self.0 += 1;
        Ok(())
    }

    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>) -> Result<(), Infallible> {
        self.0 += fields.len();
        Ok(())
    }
}

pub(super) struct StructWriter<'a, S>(pub(super) &'a mut S);

impl<S: SerializeStruct> FieldWriter for StructWriter<'_, S> {
    type Error = S::Error;

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_field(key, value)
    }

    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>) -> Result<(), S::Error> {
        if fields.is_empty() {
            return Ok(());
        }
        Err(ser::Error::custom(
            "a struct with undeclared fields must be written with serialize_open_object",
        ))
    }
}

pub(super) struct MapWriter<'a, S>(pub(super) &'a mut S);

impl<S: SerializeMap> FieldWriter for MapWriter<'_, S> {
    type Error = S::Error;

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_entry(key, value)
    }

    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>) -> Result<(), S::Error> {
        fields
            .iter()
            .try_for_each(|(key, value)| self.0.serialize_entry(key, value))
    }
}
