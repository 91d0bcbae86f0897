//! `apiVersion` and `kind` of a generated kind, as zero-sized fields.
//!
//! A kind's `apiVersion` and `kind` are constants of its type, so storing them per object wastes
//! memory and lets them disagree with the type. These fields take no space, always serialize
//! the kind's constants (server-side apply needs them in every body), and accept whatever the
//! server sends when deserializing.

use std::fmt;
use std::marker::PhantomData;

use serde_core::de::IgnoredAny;
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::Kind;

macro_rules! tag {
    ($(#[$doc:meta])* $name:ident, $value:ident) => {
        $(#[$doc])*
        pub struct $name<K>(PhantomData<fn() -> K>);

        impl<K: Kind> $name<K> {
            /// The constant this field stands for.
            pub fn as_str(&self) -> &'static str {
                K::$value
            }
        }

        impl<K> Default for $name<K> {
            fn default() -> Self {
                Self(PhantomData)
            }
        }

        impl<K> Clone for $name<K> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<K> Copy for $name<K> {}

        impl<K> PartialEq for $name<K> {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }

        impl<K> Eq for $name<K> {}

        impl<K: Kind> fmt::Debug for $name<K> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(K::$value, f)
            }
        }

        impl<K: Kind> fmt::Display for $name<K> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(K::$value)
            }
        }

        impl<K: Kind> Serialize for $name<K> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(K::$value)
            }
        }

        impl<'de, K> Deserialize<'de> for $name<K> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                IgnoredAny::deserialize(deserializer)?;
                Ok(Self(PhantomData))
            }
        }
    };
}

tag!(
    /// The `apiVersion` of kind `K` (`v1`, `apps/v1`).
    ApiVersion,
    API_VERSION
);
tag!(
    /// The `kind` of kind `K` (`Pod`).
    KindTag,
    KIND
);

#[cfg(test)]
mod tests {
    use super::*;
    // The derive macros (`meta` itself uses `serde_core`, which has none).
    use serde::{Deserialize, Serialize};

    struct Widget;
    impl Kind for Widget {
        const GROUP: &'static str = "example.com";
        const VERSION: &'static str = "v1";
        const KIND: &'static str = "Widget";
        const API_VERSION: &'static str = "example.com/v1";
    }

    #[derive(Serialize, Deserialize, Default)]
    #[serde(rename_all = "camelCase")]
    struct W {
        #[serde(default)]
        api_version: ApiVersion<Widget>,
        #[serde(default)]
        kind: KindTag<Widget>,
    }

    #[test]
    fn serializes_constants_and_accepts_anything() {
        assert_eq!(
            serde_json::to_string(&W::default()).unwrap(),
            r#"{"apiVersion":"example.com/v1","kind":"Widget"}"#
        );
        let w: W = serde_json::from_str(r#"{"apiVersion":"other/v9"}"#).unwrap();
        assert_eq!(w.api_version.as_str(), "example.com/v1");
        assert_eq!(format!("{:?}", w.kind), "\"Widget\"");
    }
}
