//! Object keys, read without allocating when the input can lend them.

use std::fmt;

use serde_core::de::{self, Deserialize, Deserializer, Visitor};

/// Keys up to this length are copied to the stack when the input cannot lend them; longer
/// ones to the heap. It keeps a `Key` at 24 bytes: a larger key made typed decoding of a
/// pod list 4-8 % slower (it is moved through every `next_key` result).
const INLINE: usize = 14;

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Option<Key<'static>>>() == 24);

/// An object key: borrowed from the input when the deserializer can lend it (a JSON slice
/// or string, a borrowed `serde_json::Value`), else copied — to the stack when short (a
/// reader, a key with escapes), or taken as the `String` the deserializer hands over
/// (`serde_json::from_value`).
pub struct Key<'de>(Repr<'de>);

enum Repr<'de> {
    Borrowed(&'de str),
    Inline { len: u8, bytes: [u8; INLINE] },
    Owned(String),
}

impl Key<'_> {
    /// The key's text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Borrowed(key) => key,
            // Always valid: copied from a `&str` at a character boundary (its end).
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Owned(key) => key,
        }
    }

    fn copied(key: &str) -> Self {
        if key.len() > INLINE {
            return Key(Repr::Owned(key.to_owned()));
        }
        let mut bytes = [0; INLINE];
        bytes[..key.len()].copy_from_slice(key.as_bytes());
        Key(Repr::Inline {
            // At most `INLINE`, checked above.
            len: key.len() as u8,
            bytes,
        })
    }
}

impl fmt::Debug for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Repr::Borrowed(key)))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key::copied(key))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Repr::Owned(key)))
    }

    fn visit_borrowed_bytes<E: de::Error>(self, key: &'de [u8]) -> Result<Key<'de>, E> {
        std::str::from_utf8(key)
            .map(|key| Key(Repr::Borrowed(key)))
            .map_err(|_| E::invalid_value(de::Unexpected::Bytes(key), &self))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Key<'de>, E> {
        std::str::from_utf8(key)
            .map(Key::copied)
            .map_err(|_| E::invalid_value(de::Unexpected::Bytes(key), &self))
    }
}
