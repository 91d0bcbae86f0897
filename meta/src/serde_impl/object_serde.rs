//! `object_serde!`: the serde impls of the hand-written meta types, from a table of fields.

/// Implements `Deserialize`, `Serialize` and [`ObjectFields`](super::ObjectFields) for a meta
/// struct from a table of its fields, one `rust_name: mode "wireName"` per line. The same
/// plumbing as generated types, so `meta` builds without `serde_derive`. `Type named ("Name")
/// { ... }` gives the name errors use when it is not the type's. Modes:
///
/// - `optional`: an `Option`, left out when `None`;
/// - `list`: an optional list, read to exactly its length ([`shrunk`](super::shrunk));
/// - `required`: a plain value, `null` read as its default, always written.
#[doc(hidden)]
#[macro_export]
macro_rules! object_serde {
    ($ty:ident { $($fields:tt)* }) => {
        $crate::object_serde!($ty named (stringify!($ty)) { $($fields)* });
    };
    ($ty:ident named ($name:expr) { $($field:ident: $mode:ident $key:literal),* $(,)? }) => {
        impl<'de> serde_core::Deserialize<'de> for $ty {
            fn deserialize<D: serde_core::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::serde_impl::deserialize_object(deserializer)
            }
        }

        impl serde_core::Serialize for $ty {
            fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::serde_impl::serialize_object(self, serializer)
            }
        }

        impl $crate::serde_impl::ObjectFields for $ty {
            const NAME: &'static str = $name;

            #[inline]
            fn read_field<'de, A: serde_core::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match key {
                    $($key => $crate::object_serde!(@read $mode map &mut self.$field),)*
                    _ => $crate::serde_impl::skip_value(map),
                }
            }

            fn write_fields<W: $crate::serde_impl::FieldWriter>(&self, object: &mut W) {
                $($crate::object_serde!(@write $mode object $key &self.$field);)*
            }
        }
    };
    (@read optional $map:ident $slot:expr) => { $crate::serde_impl::read($map, $slot) };
    (@read list $map:ident $slot:expr) => { $crate::serde_impl::read_list($map, $slot) };
    (@read required $map:ident $slot:expr) => { $crate::serde_impl::read_or_default($map, $slot) };
    (@write required $object:ident $key:literal $value:expr) => { $object.field($key, $value) };
    (@write $mode:ident $object:ident $key:literal $value:expr) => { $object.optional($key, $value) };
}
