//! Sets of string values (`enum` in a schema), written as their strings. A value the
//! schema does not list is kept as its text (as Go's string types accept any value), so an
//! object using a value added to the API later still decodes, and is written back as it was.

use std::fmt;
use std::marker::PhantomData;

use serde_core::de::{self, Deserializer, Visitor};
use serde_core::Serializer;

/// A Rust enum standing for a set of strings, with a member for unlisted ones.
pub trait StringEnum: Clone + PartialEq + 'static {
    /// Every listed value with its wire string, in declaration order.
    const VALUES: &'static [(&'static str, Self)];

    /// The member holding a value the schema does not list.
    fn unlisted(text: &str) -> Self;

    /// The text of an unlisted value; `None` for a listed one.
    fn unlisted_text(&self) -> Option<&str>;

    /// The wire string of this value.
    fn as_str(&self) -> &str {
        if let Some(text) = self.unlisted_text() {
            return text;
        }
        Self::VALUES
            .iter()
            .find(|(_, value)| value == self)
            .map_or("", |(text, _)| text)
    }

    /// Whether the value is one the schema lists.
    fn is_listed(&self) -> bool {
        self.unlisted_text().is_none()
    }
}

/// Serializes a [`StringEnum`] as its string: the body of its `Serialize` impl.
pub fn serialize_enum<T: StringEnum, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.as_str())
}

/// Deserializes a [`StringEnum`] from its string; a string the schema does not list becomes
/// the unlisted member. The body of its `Deserialize` impl.
pub fn deserialize_enum<'de, T: StringEnum, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_str(EnumVisitor(PhantomData))
}

struct EnumVisitor<T>(PhantomData<fn() -> T>);

impl<T: StringEnum> Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string: one of ")?;
        for (i, (text, _)) in T::VALUES.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{text}`")?;
        }
        f.write_str(" or another")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        Ok(T::VALUES
            .iter()
            .find(|(known, _)| *known == text)
            .map_or_else(|| T::unlisted(text), |(_, value)| value.clone()))
    }
}
