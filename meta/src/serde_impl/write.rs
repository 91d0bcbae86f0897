//! Writing fields, for [`ObjectFields::write_fields`](super::ObjectFields::write_fields).

#[cfg(feature = "json")]
use serde_core::ser;
use serde_core::ser::{Serialize, SerializeMap, SerializeStruct};

use super::ObjectFields;
use crate::serde_helpers::is_default;
#[cfg(feature = "json")]
use crate::Map;

/// Where a struct's fields go: a struct serializer, a map serializer, or a counter that
/// finds the length to announce before writing.
///
/// Writing returns nothing: a writer keeps the first error and skips the rest, and the
/// object's end reports it. Generated `write_fields` bodies are then plain calls, one per
/// field, not a `?` branch each (this halves the code the compiler checks for them).
pub trait FieldWriter {
    /// Writes a field that is always present (`apiVersion`, `kind`).
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T);

    /// Writes the undeclared fields a struct keeps (`x-kubernetes-preserve-unknown-fields`).
    #[cfg(feature = "json")]
    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>);

    /// Writes an `Option` field when it is `Some`: `None` means the user never set it.
    fn optional<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.field(key, value);
        }
    }

    /// Writes a plain field unless it holds its default (an empty `metadata`, an empty
    /// list): server-side apply would take such a value as the user's intent.
    fn unless_default<T: Serialize + Default + PartialEq>(&mut self, key: &'static str, value: &T) {
        if !is_default(value) {
            self.field(key, value);
        }
    }
}

/// How many fields `value` writes.
pub(super) fn count<T: ObjectFields>(value: &T) -> usize {
    let mut counter = Counter(0);
    value.write_fields(&mut counter);
    counter.0
}

struct Counter(usize);

impl FieldWriter for Counter {
    fn field<T: Serialize + ?Sized>(&mut self, _: &'static str, _: &T) {
        self.0 += 1;
    }

    #[cfg(feature = "json")]
    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>) {
        self.0 += fields.len();
    }
}

/// Writes fields into a struct serializer, keeping the first error.
pub(super) struct StructWriter<'a, S: SerializeStruct> {
    pub(super) out: &'a mut S,
    pub(super) error: Option<S::Error>,
}

impl<S: SerializeStruct> FieldWriter for StructWriter<'_, S> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if self.error.is_none() {
            self.error = self.out.serialize_field(key, value).err();
        }
    }

    #[cfg(feature = "json")]
    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>) {
        if !fields.is_empty() && self.error.is_none() {
            self.error = Some(ser::Error::custom(
                "a struct with undeclared fields must be written with serialize_open_object",
            ));
        }
    }
}

/// Writes fields into a map serializer, keeping the first error.
pub(super) struct MapWriter<'a, S: SerializeMap> {
    pub(super) out: &'a mut S,
    pub(super) error: Option<S::Error>,
}

impl<S: SerializeMap> FieldWriter for MapWriter<'_, S> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if self.error.is_none() {
            self.error = self.out.serialize_entry(key, value).err();
        }
    }

    #[cfg(feature = "json")]
    fn unknown_fields(&mut self, fields: &Map<serde_json::Value>) {
        if self.error.is_none() {
            self.error = fields
                .iter()
                .try_for_each(|(key, value)| self.out.serialize_entry(key, value))
                .err();
        }
    }
}
