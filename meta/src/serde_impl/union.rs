//! Untagged unions (`JSONSchemaPropsOrBool`): the shape of the input picks the variant.
//!
//! serde's `#[serde(untagged)]` buffers the whole value and tries each variant in turn; the
//! variants of the Kubernetes unions all have different JSON shapes, so one look at the
//! input is enough and nothing is buffered.

use std::fmt;
use std::marker::PhantomData;

use serde_core::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde_core::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

/// A value that is one of a few JSON shapes. Each method builds the variant of its shape;
/// the defaults reject the shape.
pub trait Union: Sized {
    /// What the union accepts, for errors: "a JSONSchemaProps object or a boolean".
    const EXPECTING: &'static str;

    /// A JSON boolean.
    fn from_bool<E: de::Error>(value: bool) -> Result<Self, E> {
        Err(E::invalid_type(
            Unexpected::Bool(value),
            &Expecting::<Self>(PhantomData),
        ))
    }

    /// A JSON string.
    fn from_str<E: de::Error>(value: &str) -> Result<Self, E> {
        Err(E::invalid_type(
            Unexpected::Str(value),
            &Expecting::<Self>(PhantomData),
        ))
    }

    /// A JSON object, read through [`object`].
    fn from_object<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        drop(map);
        Err(de::Error::invalid_type(
            Unexpected::Map,
            &Expecting::<Self>(PhantomData),
        ))
    }

    /// A JSON array, read through [`list`].
    fn from_list<'de, A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        drop(seq);
        Err(de::Error::invalid_type(
            Unexpected::Seq,
            &Expecting::<Self>(PhantomData),
        ))
    }
}

/// Deserializes a union: the body of its `Deserialize` impl.
pub fn deserialize_union<'de, T: Union, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(Expecting::<T>(PhantomData))
}

/// Reads the object variant's value from the object [`Union::from_object`] got.
pub fn object<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: A) -> Result<T, A::Error> {
    T::deserialize(MapAccessDeserializer::new(map))
}

/// Reads the list variant's value from the array [`Union::from_list`] got.
pub fn list<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(seq: A) -> Result<T, A::Error> {
    T::deserialize(SeqAccessDeserializer::new(seq))
}

struct Expecting<T>(PhantomData<fn() -> T>);

impl<'de, T: Union> Visitor<'de> for Expecting<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<T, E> {
        T::from_bool(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        T::from_str(value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_object(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::from_list(seq)
    }
}
