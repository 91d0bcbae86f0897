//! Serde impls of generated types: thin calls into `kubegen_runtime::meta::serde_impl`.
//!
//! The runtime holds the visitors, key reading and skipping rules once; per type this prints
//! only which key goes to which field and how each field is written. `#[derive]` would print
//! a field enum, two visitors and a wrapper type per `deserialize_with` field for every one
//! of the ~650 structs, which was most of `kubegen-api`'s build time.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::Names;
use super::EmitError;
use crate::model::{
    EnumValue, Field, Model, TypeBody, TypeDef, TypeRef, Variant, UNLISTED_VARIANT,
};

const SERDE_IMPL: &str = "kubegen_runtime::meta::serde_impl";
const ONE_OF: &str = "kubegen_runtime::meta::one_of";

/// The paths the serde impls of `def` use, to import (see [`Names::resolve`]).
pub(crate) fn support_paths(model: &Model, def: &TypeDef) -> Vec<&'static str> {
    let mut paths = vec![
        "serde_core::Deserialize",
        "serde_core::Deserializer",
        "serde_core::Serialize",
        "serde_core::Serializer",
        SERDE_IMPL,
    ];
    match &def.body {
        TypeBody::Struct { fields } => {
            paths.extend([
                "serde_core::de::MapAccess",
                "kubegen_runtime::meta::serde_impl::FieldWriter",
                "kubegen_runtime::meta::serde_impl::ObjectFields",
            ]);
            if fields.iter().any(|f| f.one_of) {
                paths.push(ONE_OF);
            }
        }
        TypeBody::Union { variants } => {
            paths.push("kubegen_runtime::meta::serde_impl::Union");
            for variant in variants {
                paths.push(match shape(model, &variant.ty) {
                    Some(Shape::Object) => "serde_core::de::MapAccess",
                    Some(Shape::List) => "serde_core::de::SeqAccess",
                    Some(Shape::Bool | Shape::String) | None => "serde_core::de",
                });
            }
        }
        TypeBody::Enum { .. } => paths.push("kubegen_runtime::meta::serde_impl::StringEnum"),
        TypeBody::OneOf { .. } => {
            // No serde impls of its own: its members are keys of the parent's object.
            paths = vec![
                "serde_core::de::MapAccess",
                "kubegen_runtime::meta::serde_impl::FieldWriter",
                "kubegen_runtime::meta::one_of::OneOf",
                "kubegen_runtime::meta::one_of::Read",
            ];
        }
        TypeBody::List { .. } | TypeBody::Alias(_) => paths.clear(),
    }
    paths.sort_unstable();
    paths.dedup();
    paths
}

/// `Deserialize`, `Serialize` and `ObjectFields` of a struct. `is_inline_object` tells the
/// fields holding another generated struct inline (not boxed), which are read in place.
pub(crate) fn struct_impls(
    def: &TypeDef,
    fields: &[Field],
    names: &Names,
    is_inline_object: &dyn Fn(&Field) -> bool,
) -> TokenStream {
    let name = format_ident!("{}", def.rust_name);
    let name_text = &def.rust_name;
    let p = |path: &str| names.path(path);
    let (deserialize, deserializer) = (p("serde_core::Deserialize"), p("serde_core::Deserializer"));
    let (serialize, serializer) = (p("serde_core::Serialize"), p("serde_core::Serializer"));
    let serde_impl = p(SERDE_IMPL);
    let map_access = p("serde_core::de::MapAccess");
    let field_writer = p("kubegen_runtime::meta::serde_impl::FieldWriter");
    let object_fields = p("kubegen_runtime::meta::serde_impl::ObjectFields");
    let one_of = p(ONE_OF);

    let mut arms = Vec::new();
    let mut writes = Vec::new();
    // Keys that are none of the declared fields: skipped, or kept by a one-of group or a
    // map of undeclared fields.
    let mut other = quote!(#serde_impl::skip_value(map));
    if def.gvk.is_some() {
        arms.push(quote!("apiVersion" => #serde_impl::read(map, &mut self.api_version),));
        arms.push(quote!("kind" => #serde_impl::read(map, &mut self.kind),));
        writes.push(quote!(object.field("apiVersion", &self.api_version);));
        writes.push(quote!(object.field("kind", &self.kind);));
    }
    for field in fields {
        let ident = format_ident!("{}", field.rust_name);
        let key = &field.json_name;
        if field.flatten {
            other = quote!(#serde_impl::unknown_field(&mut self.#ident, key, map));
            writes.push(quote!(object.unknown_fields(&self.#ident);));
        } else if field.one_of {
            other = quote!(#one_of::read_member(&mut self.#ident, key, map));
            writes.push(quote!(#one_of::write_member(object, &self.#ident);));
        } else if field.plain {
            arms.push(quote!(#key => #serde_impl::read_or_default(map, &mut self.#ident),));
            writes.push(quote!(object.unless_default(#key, &self.#ident);));
        } else {
            // Lists are trimmed to their length when decoded: cached objects live long.
            let read = if is_inline_object(field) {
                quote!(#serde_impl::optional_object)
            } else if matches!(field.ty, TypeRef::Array(_)) {
                quote!(#serde_impl::read_list)
            } else {
                quote!(#serde_impl::read)
            };
            arms.push(quote!(#key => #read(map, &mut self.#ident),));
            writes.push(quote!(object.optional(#key, &self.#ident);));
        }
    }
    // Each arm is one call that stores the value and returns the outcome: no `?` per field.
    let mut key = quote!(key);
    let read_body = if arms.is_empty() {
        if !fields.iter().any(|f| f.flatten || f.one_of) {
            key = quote!(_);
        }
        other
    } else {
        quote! {
            match key {
                #(#arms)*
                _ => #other,
            }
        }
    };
    let object = if writes.is_empty() {
        quote!(_)
    } else {
        quote!(object)
    };
    let serialize_object = if fields.iter().any(|f| f.flatten) {
        quote!(#serde_impl::serialize_open_object)
    } else {
        quote!(#serde_impl::serialize_object)
    };
    quote! {
        impl<'de> #deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #serde_impl::deserialize_object(deserializer)
            }
        }
        impl #serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serialize_object(self, serializer)
            }
        }
        impl #object_fields for #name {
            const NAME: &'static str = #name_text;
            #[inline]
            fn read_field<'de, A: #map_access<'de>>(
                &mut self,
                #key: &str,
                map: &mut A,
            ) -> Result<(), A::Error> {
                #read_body
            }
            fn write_fields<W: #field_writer>(&self, #object: &mut W) {
                #(#writes)*
            }
        }
    }
}

/// The JSON shape a union variant is told apart by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Bool,
    String,
    Object,
    List,
}

fn shape(model: &Model, ty: &TypeRef) -> Option<Shape> {
    match ty {
        TypeRef::Bool => Some(Shape::Bool),
        TypeRef::String => Some(Shape::String),
        TypeRef::Array(_) => Some(Shape::List),
        TypeRef::Map(_) => Some(Shape::Object),
        TypeRef::Named(id) => match model.type_def(id).map(|d| &d.body) {
            Some(TypeBody::Struct { .. }) => Some(Shape::Object),
            _ => None,
        },
        _ => None,
    }
}

/// `Serialize`, `Deserialize` and `Union` of an untagged union whose variants have distinct
/// JSON shapes (`JSONSchemaPropsOrBool`: an object or a boolean).
pub(crate) fn union_impls(
    model: &Model,
    def: &TypeDef,
    variants: &[Variant],
    names: &Names,
) -> Result<TokenStream, EmitError> {
    let name = format_ident!("{}", def.rust_name);
    let p = |path: &str| names.path(path);
    let (deserialize, deserializer) = (p("serde_core::Deserialize"), p("serde_core::Deserializer"));
    let (serialize, serializer) = (p("serde_core::Serialize"), p("serde_core::Serializer"));
    let serde_impl = p(SERDE_IMPL);
    let union = p("kubegen_runtime::meta::serde_impl::Union");
    let mut seen = Vec::new();
    let mut expecting = Vec::new();
    let mut readers = Vec::new();
    for variant in variants {
        let vname = format_ident!("{}", variant.name);
        let layout_error = |why: &str| EmitError::Layout {
            message: format!("union {} variant {}: {why}", def.rust_name, variant.name),
        };
        let shape = shape(model, &variant.ty)
            .ok_or_else(|| layout_error("no JSON shape to tell it apart by"))?;
        if seen.contains(&shape) {
            return Err(layout_error("another variant has the same JSON shape"));
        }
        seen.push(shape);
        let (text, reader) = match shape {
            Shape::Bool => {
                let de = p("serde_core::de");
                (
                    "a boolean".to_owned(),
                    quote! {
                        fn from_bool<E: #de::Error>(value: bool) -> Result<Self, E> {
                            Ok(Self::#vname(value))
                        }
                    },
                )
            }
            Shape::String => {
                let de = p("serde_core::de");
                (
                    "a string".to_owned(),
                    quote! {
                        fn from_str<E: #de::Error>(value: &str) -> Result<Self, E> {
                            Ok(Self::#vname(value.into()))
                        }
                    },
                )
            }
            Shape::Object => {
                let map_access = p("serde_core::de::MapAccess");
                let text = match &variant.ty {
                    TypeRef::Named(id) => model.type_def(id).map_or("an object".to_owned(), |d| {
                        format!("a {} object", d.rust_name)
                    }),
                    _ => "an object".to_owned(),
                };
                (
                    text,
                    quote! {
                        fn from_object<'de, A: #map_access<'de>>(map: A) -> Result<Self, A::Error> {
                            #serde_impl::object(map).map(Self::#vname)
                        }
                    },
                )
            }
            Shape::List => {
                let seq_access = p("serde_core::de::SeqAccess");
                let text = match &variant.ty {
                    TypeRef::Array(item) => match &**item {
                        TypeRef::String => "a list of strings".to_owned(),
                        TypeRef::Named(id) => model.type_def(id).map_or("a list".to_owned(), |d| {
                            format!("a list of {} objects", d.rust_name)
                        }),
                        _ => "a list".to_owned(),
                    },
                    _ => "a list".to_owned(),
                };
                (
                    text,
                    quote! {
                        fn from_list<'de, A: #seq_access<'de>>(seq: A) -> Result<Self, A::Error> {
                            #serde_impl::list(seq).map(Self::#vname)
                        }
                    },
                )
            }
        };
        expecting.push(text);
        readers.push(reader);
    }
    let expecting = match expecting.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "nothing".to_owned(),
    };
    let vnames: Vec<_> = variants
        .iter()
        .map(|v| format_ident!("{}", v.name))
        .collect();
    Ok(quote! {
        impl #serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(Self::#vnames(value) => value.serialize(serializer),)*
                }
            }
        }
        impl<'de> #deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #serde_impl::deserialize_union(deserializer)
            }
        }
        impl #union for #name {
            const EXPECTING: &'static str = #expecting;
            #(#readers)*
        }
    })
}

/// `Serialize`, `Deserialize` and `StringEnum` of a closed set of strings.
pub(crate) fn enum_impls(def: &TypeDef, values: &[EnumValue], names: &Names) -> TokenStream {
    let name = format_ident!("{}", def.rust_name);
    let p = |path: &str| names.path(path);
    let (deserialize, deserializer) = (p("serde_core::Deserialize"), p("serde_core::Deserializer"));
    let (serialize, serializer) = (p("serde_core::Serialize"), p("serde_core::Serializer"));
    let serde_impl = p(SERDE_IMPL);
    let string_enum = p("kubegen_runtime::meta::serde_impl::StringEnum");
    let texts = values.iter().map(|v| &v.value);
    let vnames = values.iter().map(|v| format_ident!("{}", v.rust_name));
    let unlisted = format_ident!("{}", UNLISTED_VARIANT);
    quote! {
        impl #serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serde_impl::serialize_enum(self, serializer)
            }
        }
        impl<'de> #deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #serde_impl::deserialize_enum(deserializer)
            }
        }
        impl #string_enum for #name {
            const VALUES: &'static [(&'static str, Self)] = &[#((#texts, Self::#vnames)),*];
            fn unlisted(text: &str) -> Self {
                Self::#unlisted(text.into())
            }
            fn unlisted_text(&self) -> Option<&str> {
                match self {
                    Self::#unlisted(text) => Some(text),
                    _ => None,
                }
            }
        }
    }
}
