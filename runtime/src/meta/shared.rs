//! `Shared<T>`: how generated types hold optional sub-objects (probes, resources, security
//! contexts, volume sources, affinity...): behind a reference-counted pointer.
//!
//! On its own it is a `Box` that clones cheaply and copies on write. Its point is caches:
//! the pods of one Deployment carry identical probes, resources and volume sources, and an
//! informer decoding them inside a sharing scope ([`super::sharing`]) keeps one copy of each
//! distinct sub-object for all of them instead of one per pod.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use std::marker::PhantomData;

use serde_core::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::raw_text::{TokenOrKey, RAW_VALUE_TOKEN};
use super::sharing;

/// An owned sub-object that equal objects in a cache may share. Reads like a `Box<T>`;
/// writing through it copies the value first when it is shared (`Arc::make_mut`).
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Self(Arc::new(value))
    }

    /// True when both point at the same value (for tests and diagnostics).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    pub(crate) fn from_arc(arc: Arc<T>) -> Self {
        Self(arc)
    }
}

impl<T: Clone> Shared<T> {
    /// The value, copied out when others share it.
    pub fn into_inner(self) -> T {
        Arc::unwrap_or_clone(self.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    /// Copies the value first if it is shared, so a change never shows in other objects.
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> AsRef<T> for Shared<T> {
    fn as_ref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T> From<Box<T>> for Shared<T> {
    fn from(value: Box<T>) -> Self {
        Self(Arc::from(value))
    }
}

impl<T: Default> Default for Shared<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: Hash> Hash for Shared<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl<T: PartialOrd> PartialOrd for Shared<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        (*self.0).partial_cmp(&*other.0)
    }
}

impl<T: Ord> Ord for Shared<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self.0).cmp(&*other.0)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (*self.0).serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Shared<T>
where
    T: DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !sharing::active() {
            return T::deserialize(deserializer).map(Self::new);
        }
        // Ask serde_json for the value's raw text: it identifies equal sub-objects without
        // serializing them again (and without compiling `T`'s serializer into every reader).
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, SharedVisitor(PhantomData))
    }
}

/// Reads a sub-object inside a sharing scope.
struct SharedVisitor<T>(PhantomData<T>);

impl<'de, T> Visitor<'de> for SharedVisitor<T>
where
    T: DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    type Value = Shared<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sub-object")
    }

    /// A deserializer that does not hand over raw text shows the content: read, not shared.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Shared<T>, D::Error> {
        T::deserialize(d).map(Shared::new)
    }

    /// serde_json's handover: a one-entry map from its token to the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shared<T>, A::Error> {
        match map.next_key_seed(TokenOrKey)? {
            Some(None) => map.next_value_seed(RawText(PhantomData)),
            _ => Err(de::Error::custom(
                "a sharing scope reads serde_json input only (no raw text handed over)",
            )),
        }
    }
}

/// Decodes the sub-object from its raw text (through the same serde_json reader as the
/// document around it) and pools it by that text.
struct RawText<T>(PhantomData<T>);

impl<'de, T> DeserializeSeed<'de> for RawText<T>
where
    T: DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    type Value = Shared<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shared<T>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<T> Visitor<'_> for RawText<T>
where
    T: DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    type Value = Shared<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the JSON text of a sub-object")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Shared<T>, E> {
        let value: T = serde_json::from_slice(text.as_bytes()).map_err(E::custom)?;
        Ok(sharing::object(value, text))
    }
}
