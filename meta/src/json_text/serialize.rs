//! `SerializeText`: JSON text shown to any serializer as the value it spells.

use serde_core::ser::{Error as _, SerializeMap, SerializeSeq};
use serde_core::{Serialize, Serializer};

use super::reader::{Number, Reader, Token};

/// Serializes the one JSON value `self.0` holds (whitespace around it allowed), so text kept
/// from the wire goes out through any format: objects as maps (keys in text order), arrays as
/// sequences, integers as `u64`/`i64` when they fit (else `f64`, as serde_json reads them).
///
/// Invalid text is the serializer's custom error, naming the byte offset and what was expected
/// there; what the serializer got before that is to be discarded.
pub(crate) struct SerializeText<'a>(pub &'a str);

impl Serialize for SerializeText<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reader = Reader::new(self.0);
        let ok = Node {
            reader: &reader,
            start: 0,
            depth: 0,
        }
        .serialize(serializer)?;
        reader.end().map_err(S::Error::custom)?;
        Ok(ok)
    }
}

/// The value starting at `start`, inside `depth` containers.
struct Node<'r, 'a> {
    reader: &'r Reader<'a>,
    start: usize,
    depth: usize,
}

impl Node<'_, '_> {
    /// Moves the cursor past this value even if the serializer never serialized it.
    fn finish<E: serde_core::ser::Error>(&self) -> Result<(), E> {
        if self.reader.pos() == self.start {
            self.reader.skip_value(self.depth).map_err(E::custom)?;
        }
        Ok(())
    }
}

impl Serialize for Node<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reader = self.reader;
        // From the start each time, should a serializer serialize a value twice.
        reader.set_pos(self.start);
        let (at, token) = reader.token().map_err(S::Error::custom)?;
        match token {
            Token::Null => serializer.serialize_unit(),
            Token::Bool(b) => serializer.serialize_bool(b),
            Token::Number(Number::U64(n)) => serializer.serialize_u64(n),
            Token::Number(Number::I64(n)) => serializer.serialize_i64(n),
            Token::Number(Number::F64(n)) => serializer.serialize_f64(n),
            Token::Str(s) => serializer.serialize_str(&s),
            Token::ArrayStart => {
                reader
                    .check_depth(self.depth, at)
                    .map_err(S::Error::custom)?;
                let mut seq = serializer.serialize_seq(None)?;
                if !reader.empty(b']') {
                    loop {
                        let element = self.child(reader.pos());
                        seq.serialize_element(&element)?;
                        element.finish()?;
                        if !reader.comma_or_close(b']').map_err(S::Error::custom)? {
                            break;
                        }
                    }
                }
                seq.end()
            }
            Token::ObjectStart => {
                reader
                    .check_depth(self.depth, at)
                    .map_err(S::Error::custom)?;
                let mut map = serializer.serialize_map(None)?;
                if !reader.empty(b'}') {
                    loop {
                        let key = reader.key().map_err(S::Error::custom)?;
                        let value = self.child(reader.pos());
                        map.serialize_entry(&*key, &value)?;
                        value.finish()?;
                        if !reader.comma_or_close(b'}').map_err(S::Error::custom)? {
                            break;
                        }
                    }
                }
                map.end()
            }
        }
    }
}

impl<'r, 'a> Node<'r, 'a> {
    fn child(&self, start: usize) -> Node<'r, 'a> {
        Node {
            reader: self.reader,
            start,
            depth: self.depth + 1,
        }
    }
}
