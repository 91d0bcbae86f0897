//! Closed sets of string values (`enum` in a schema), written as their strings.

use std::fmt;
use std::marker::PhantomData;

use serde_core::de::{self, Deserializer, Unexpected, Visitor};
use serde_core::Serializer;

/// A Rust enum standing for a closed set of strings.
pub trait StringEnum: Copy + PartialEq + 'static {
    /// Every value with its wire string, in declaration order.
    const VALUES: &'static [(&'static str, Self)];

    /// The wire string of this value.
    fn as_str(self) -> &'static str {
        Self::VALUES
            .iter()
            .find(|(_, value)| *value == self)
            .map_or("", |(text, _)| text)
    }
}

/// Serializes a [`StringEnum`] as its string: the body of its `Serialize` impl.
pub fn serialize_enum<T: StringEnum, S: Serializer>(
    value: T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.as_str())
}

/// Deserializes a [`StringEnum`] from its string; another string is an error listing the
/// allowed ones. The body of its `Deserialize` impl.
pub fn deserialize_enum<'de, T: StringEnum, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_str(EnumVisitor(PhantomData))
}

struct EnumVisitor<T>(PhantomData<fn() -> T>);

impl<T: StringEnum> Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("one of ")?;
        for (i, (text, _)) in T::VALUES.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{text}`")?;
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        T::VALUES
            .iter()
            .find(|(known, _)| *known == text)
            .map(|(_, value)| *value)
            .ok_or_else(|| E::invalid_value(Unexpected::Str(text), &self))
    }
}
