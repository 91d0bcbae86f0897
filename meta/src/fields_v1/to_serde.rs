//! Serialization: walks the encoding and emits the JSON object, members in order.

use std::cell::Cell;

use serde_core::ser::{self, SerializeMap};
use serde_core::{Serialize, Serializer};

use super::keys::{DICTIONARY, KEY_DICT_EXTENDED, KEY_DICT_HOT, LITERAL_FORMS};
use super::*;
use crate::json_text::SerializeText;

// ---------------------------------------------------------------------------------------------
// Decoding (serialization back to JSON)

/// A position in the encoded bytes, shared by the nested serializers of one walk.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: Cell<usize>,
}

const CORRUPT: &str = "corrupt FieldsV1 encoding";

impl<'a> Cursor<'a> {
    fn byte(&self) -> Option<u8> {
        let b = *self.bytes.get(self.pos.get())?;
        self.pos.set(self.pos.get() + 1);
        Some(b)
    }

    fn varint(&self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn slice(&self, len: usize) -> Option<&'a [u8]> {
        let start = self.pos.get();
        let s = self.bytes.get(start..start.checked_add(len)?)?;
        self.pos.set(start + len);
        Some(s)
    }

    fn text(&self, len: usize) -> Option<&'a str> {
        std::str::from_utf8(self.slice(len)?).ok()
    }

    /// Reads the key that follows a header with key code `code`.
    fn key(&self, code: u8) -> Option<Key<'a>> {
        match code {
            KEY_DICT_EXTENDED => DICTIONARY
                .get(usize::from(self.byte()?))
                .map(|k| Key::Whole(k)),
            c if c >= KEY_DICT_HOT => DICTIONARY
                .get(usize::from(c - KEY_DICT_HOT))
                .map(|k| Key::Whole(k)),
            c => {
                let (prefix, suffix) = *LITERAL_FORMS.get(usize::from(c).checked_sub(1)?)?;
                let len = self.varint()?;
                Some(Key::Parts(prefix, self.text(len)?, suffix))
            }
        }
    }
}

/// A decoded key: a dictionary entry or a literal's parts.
enum Key<'a> {
    Whole(&'static str),
    Parts(&'static str, &'a str, &'static str),
}

impl Serialize for Key<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Key::Whole(k) | Key::Parts("", k, "") => serializer.serialize_str(k),
            Key::Parts(prefix, middle, suffix) => {
                let mut buf = [0u8; 128];
                let len = prefix.len() + middle.len() + suffix.len();
                if len <= buf.len() {
                    buf[..prefix.len()].copy_from_slice(prefix.as_bytes());
                    buf[prefix.len()..prefix.len() + middle.len()]
                        .copy_from_slice(middle.as_bytes());
                    buf[prefix.len() + middle.len()..len].copy_from_slice(suffix.as_bytes());
                    match std::str::from_utf8(&buf[..len]) {
                        Ok(s) => serializer.serialize_str(s),
                        Err(_) => Err(ser::Error::custom(CORRUPT)),
                    }
                } else {
                    serializer.serialize_str(&[prefix, middle, suffix].concat())
                }
            }
        }
    }
}

/// The empty object `{}`.
struct Empty;

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

/// The object at the cursor (entries up to [`END`]), optionally with an implied `".": {}`.
struct Object<'c, 'a> {
    cursor: &'c Cursor<'a>,
    implied_dot: bool,
}

impl Serialize for Object<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let corrupt = || ser::Error::custom(CORRUPT);
        let cursor = self.cursor;
        let mut map = serializer.serialize_map(None)?;
        if self.implied_dot {
            map.serialize_entry(".", &Empty)?;
        }
        loop {
            let header = match cursor.byte() {
                None | Some(END) => break,
                Some(h) => h,
            };
            if header == EXOTIC {
                let inner = cursor.byte().ok_or_else(corrupt)?;
                let key = cursor.key(inner >> 2).ok_or_else(corrupt)?;
                let len = cursor.varint().ok_or_else(corrupt)?;
                let text = cursor.text(len).ok_or_else(corrupt)?;
                map.serialize_entry(&key, &SerializeText(text))?;
                continue;
            }
            let key = cursor.key(header >> 2).ok_or_else(corrupt)?;
            match header & KIND_MASK {
                KIND_EMPTY => map.serialize_entry(&key, &Empty)?,
                kind @ (KIND_OBJECT | KIND_DOT_OBJECT) => {
                    map.serialize_key(&key)?;
                    map.serialize_value(&Object {
                        cursor,
                        implied_dot: kind == KIND_DOT_OBJECT,
                    })?;
                }
                _ => return Err(corrupt()),
            }
        }
        map.end()
    }
}

impl Serialize for FieldsV1 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.split_first() {
            Some((&FORMAT_TREE, rest)) => Object {
                cursor: &Cursor {
                    bytes: rest,
                    pos: Cell::new(0),
                },
                implied_dot: false,
            }
            .serialize(serializer),
            Some((&FORMAT_JSON, text)) => match std::str::from_utf8(text) {
                Ok(text) => SerializeText(text).serialize(serializer),
                Err(_) => Err(ser::Error::custom(CORRUPT)),
            },
            _ => Err(ser::Error::custom(CORRUPT)),
        }
    }
}
