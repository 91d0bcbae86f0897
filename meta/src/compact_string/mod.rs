//! `CompactString`: the string type of API objects, 16 bytes, short strings inline.
//!
//! An API object has many string slots and most are unset or short (names, enum values,
//! label values). `String` is 24 bytes and allocates for every value; `compact_str`'s type is
//! 24 bytes too. This one is 16 bytes, `Option<CompactString>` as well (the niche is kept),
//! strings up to 15 bytes live inline, and longer ones take exactly their length on the heap
//! (no capacity). It is immutable: build a new one to change a value. Caches can also hold
//! one reference-counted copy of a string their objects repeat ([`super::sharing`]); the
//! representation is in `repr`.

mod repr;

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::str::FromStr;

use serde_core::de::{self, Visitor};
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::{sharing, well_known};
use repr::Repr;
pub(crate) use repr::INLINE_CAPACITY;

/// An immutable string, 16 bytes, stored inline up to 15 bytes.
#[derive(Clone)]
pub struct CompactString(Repr);

impl Default for CompactString {
    fn default() -> Self {
        Self(Repr::EMPTY)
    }
}

const _: () = assert!(std::mem::size_of::<Option<CompactString>>() == 16);

impl CompactString {
    /// Copies `text` (inline when it is short).
    pub fn new(text: impl AsRef<str>) -> Self {
        Self(Repr::copy(text.as_ref()))
    }

    /// Wraps a static string without copying or allocating.
    pub const fn const_new(text: &'static str) -> Self {
        Self(Repr::from_static(text))
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// True when the text lives on the heap (longer than the inline capacity), alone or
    /// shared.
    pub fn is_heap_allocated(&self) -> bool {
        self.0.is_allocated()
    }

    /// True when the text is a copy shared with other values (see [`super::sharing`]).
    pub fn is_shared(&self) -> bool {
        self.0.is_shared()
    }

    /// A decoded string: a well-known string's static, the shared copy inside a sharing
    /// scope, else a copy of its own.
    pub(crate) fn decoded(text: &str) -> Self {
        Self::not_copied(text).unwrap_or_else(|| Self::new(text))
    }

    /// A decoded long string that needs no copy of its own: a well-known string's static,
    /// or the shared copy inside a sharing scope.
    fn not_copied(text: &str) -> Option<Self> {
        if text.len() <= INLINE_CAPACITY {
            return None;
        }
        well_known::interned(text).or_else(|| sharing::active().then(|| sharing::string(text)))
    }

    /// A new shared block holding `text` (the pool's own copy).
    pub(crate) fn new_shared(text: &str) -> Self {
        Self(Repr::new_shared(text))
    }

    /// How many values hold this text, when it is shared.
    pub(crate) fn share_count(&self) -> Option<usize> {
        self.0.share_count()
    }

    /// An owned `String` with the same text.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}

impl Deref for CompactString {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for CompactString {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for CompactString {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<str> for CompactString {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for CompactString {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<&String> for CompactString {
    fn from(text: &String) -> Self {
        Self::new(text)
    }
}

impl From<&CompactString> for CompactString {
    fn from(text: &CompactString) -> Self {
        text.clone()
    }
}

impl From<String> for CompactString {
    /// Keeps the allocation when the text is too long to inline (trimmed to its length).
    fn from(text: String) -> Self {
        if text.len() <= INLINE_CAPACITY {
            return Self::new(&text);
        }
        Self(Repr::from_box(text.into_boxed_str()))
    }
}

impl From<Box<str>> for CompactString {
    fn from(text: Box<str>) -> Self {
        Self(Repr::from_box(text))
    }
}

impl From<Cow<'_, str>> for CompactString {
    fn from(text: Cow<'_, str>) -> Self {
        match text {
            Cow::Borrowed(s) => Self::new(s),
            Cow::Owned(s) => Self::from(s),
        }
    }
}

impl From<char> for CompactString {
    fn from(c: char) -> Self {
        Self::new(c.encode_utf8(&mut [0; 4]))
    }
}

impl From<CompactString> for String {
    fn from(text: CompactString) -> Self {
        text.into_string()
    }
}

impl FromStr for CompactString {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl FromIterator<char> for CompactString {
    fn from_iter<I: IntoIterator<Item = char>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<String>())
    }
}

impl<'a> FromIterator<&'a str> for CompactString {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<String>())
    }
}

impl fmt::Display for CompactString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for CompactString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for CompactString {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CompactString {}

impl PartialOrd for CompactString {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CompactString {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for CompactString {
    /// Hashes like `str`, as `Borrow<str>` requires.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

macro_rules! eq_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for CompactString {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<CompactString> for $other {
            fn eq(&self, other: &CompactString) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}
eq_with!(str, &str, String, Cow<'_, str>);

impl Serialize for CompactString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CompactString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = CompactString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CompactString, E> {
                Ok(CompactString::decoded(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<CompactString, E> {
                Ok(CompactString::not_copied(&v).unwrap_or_else(|| CompactString::from(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<CompactString, E> {
                std::str::from_utf8(v)
                    .map(CompactString::new)
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Conversion of displayable values, like `ToString`.
pub trait ToCompactString {
    /// The value's `Display` text as a [`CompactString`].
    fn to_compact_string(&self) -> CompactString;
}

impl<T: fmt::Display + ?Sized> ToCompactString for T {
    fn to_compact_string(&self) -> CompactString {
        use std::fmt::Write;
        let mut s = String::new();
        // Writing into a String cannot fail.
        let _ = write!(s, "{self}");
        CompactString::from(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<CompactString>(), 16);
        assert_eq!(std::mem::size_of::<Option<CompactString>>(), 16);
    }

    #[test]
    fn inline_up_to_capacity() {
        assert!(!CompactString::new("a".repeat(INLINE_CAPACITY)).is_heap_allocated());
        assert!(CompactString::new("a".repeat(INLINE_CAPACITY + 1)).is_heap_allocated());
        assert!(!CompactString::const_new("a static string, not copied").is_heap_allocated());
        assert!(!CompactString::from(String::from("short")).is_heap_allocated());
        assert!(!CompactString::default().is_heap_allocated());
        assert_eq!(CompactString::default(), "");
    }

    #[test]
    fn every_inline_length_keeps_its_bytes() {
        let text = "abcdefghijklmnopqrstuvwxyz";
        for n in 0..=text.len() {
            let s = CompactString::new(&text[..n]);
            assert_eq!(s.as_str(), &text[..n]);
            assert_eq!(s.is_heap_allocated(), n > INLINE_CAPACITY);
            assert_eq!(Some(s.clone()).as_deref(), Some(&text[..n]));
        }
    }

    #[test]
    fn conversions_and_comparisons() {
        let s = CompactString::from("web");
        assert_eq!(s, "web");
        assert_eq!("web", s);
        assert_eq!(s, String::from("web"));
        assert_eq!(s.len(), 3);
        assert_eq!(format!("{s} {s:?}"), "web \"web\"");
        assert_eq!(String::from(s.clone()), "web");
        assert_eq!("x".parse::<CompactString>().unwrap(), "x");
        assert_eq!(42.to_compact_string(), "42");
        assert_eq!(['a', 'b'].into_iter().collect::<CompactString>(), "ab");
        let mut map = std::collections::HashMap::new();
        map.insert(s.clone(), 1);
        assert_eq!(map.get("web"), Some(&1));
        let (a, b) = (CompactString::from("a"), CompactString::from("b"));
        assert!(a < b);
    }

    #[test]
    fn serde_round_trip() {
        let s: CompactString =
            serde_json::from_str(r#""a \"quoted\" and escaped \u00e9""#).unwrap();
        assert_eq!(s, "a \"quoted\" and escaped é");
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#""a \"quoted\" and escaped é""#
        );
        assert!(serde_json::from_str::<CompactString>("1").is_err());
        let from_reader: CompactString =
            serde_json::from_reader(&br#""read from an io::Read, owned""#[..]).unwrap();
        assert_eq!(from_reader, "read from an io::Read, owned");
    }

    proptest! {
        #[test]
        fn keeps_any_text(text in "\\PC{0,40}") {
            let a = CompactString::new(&text);
            let b = CompactString::from(text.clone());
            let c = CompactString::from(text.clone().into_boxed_str());
            prop_assert_eq!(a.as_str(), text.as_str());
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(&b, &c);
            prop_assert_eq!(a.is_heap_allocated(), text.len() > INLINE_CAPACITY);
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(serde_json::from_str::<CompactString>(&json).unwrap(), a.clone());
            prop_assert_eq!(a.clone().into_string(), text.clone());
            let shared = CompactString::new_shared(&text);
            let copy = shared.clone();
            prop_assert_eq!(shared.as_str(), text.as_str());
            prop_assert_eq!(&copy, &a);
            prop_assert_eq!(copy.share_count(), Some(2));
            drop(shared);
            prop_assert_eq!(copy.clone().into_string(), text);
        }
    }
}
