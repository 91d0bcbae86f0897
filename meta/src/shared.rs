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

use serde_core::de::DeserializeOwned;
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

#[cfg(feature = "pooling")]
use super::{raw_text, sharing};

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

    #[cfg(feature = "pooling")]
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
        #[cfg(feature = "pooling")]
        if sharing::active() {
            return Self::pooled(deserializer);
        }
        T::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(feature = "pooling")]
impl<T> Shared<T>
where
    T: DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    /// Decodes inside a sharing scope: the pooled copy of an equal sub-object, if any.
    fn pooled<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Ask serde_json for the value's raw text: it identifies equal sub-objects without
        // serializing them again (and without compiling `T`'s serializer into every reader).
        let mut shared = None;
        raw_text::with_text(deserializer, &mut |text| {
            let value: T = serde_json::from_slice(text.as_bytes())?;
            shared = Some(sharing::object(value, text));
            Ok(())
        })?;
        shared.ok_or_else(|| serde_core::de::Error::custom("a sub-object handed over no text"))
    }
}
