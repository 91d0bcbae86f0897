//! JSON text to and from serde, without serde_json.
//!
//! `meta` keeps some values as the JSON text they are on the wire (`RawExtension`, the rare
//! non-object values of a `FieldsV1`). A types-only build has no serde_json, so reading such a
//! value from any deserializer ([`WriteText`]), writing it to any serializer
//! ([`SerializeText`]) and checking it ([`validate`]) are done here, with serde_json's exact
//! output format: compact, keys in the order given, its string escapes and float notation.
//!
//! Both directions refuse nesting deeper than [`MAX_DEPTH`] containers rather than risk the
//! stack; the parser needs no recursion of its own beyond the serializer's callbacks.

mod error;
mod reader;
mod serialize;
mod write;

#[cfg(test)]
mod tests;

pub use error::JsonTextError;
pub(crate) use serialize::SerializeText;
pub(crate) use write::{to_text, WriteText};

use reader::Reader;

/// The most containers (arrays and objects) one value may nest: the 129th is an error.
pub(crate) const MAX_DEPTH: usize = 128;

/// Checks that `text` is exactly one JSON value, whitespace around it allowed.
///
/// For text a caller is about to keep and write out later: the error names the byte offset
/// and what was expected there, as [`SerializeText`] would report it.
pub(crate) fn validate(text: &str) -> Result<(), JsonTextError> {
    let reader = Reader::new(text);
    reader.skip_value(0)?;
    reader.end()
}
