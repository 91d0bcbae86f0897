//! One-of structs (`Volume`) and the enums of their members (`VolumeSource`).
//!
//! The struct stores the enum; on the wire each member is a key of the struct's own object.
//! The struct is an ordinary generated struct whose keys other than its own fields go to the
//! enum's `OneOf::read` (where `#[serde(flatten)]` would buffer every key); the enum writes
//! the member it holds under its key.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{member_doc_attrs, type_doc_attrs};
use super::names::Names;
use super::types::type_tokens;
use crate::model::{OneOfVariant, TypeDef};

/// The enum of a one-of group, its `OneOf` impl and a `From` per member type.
pub(crate) fn enum_item(def: &TypeDef, variants: &[OneOfVariant], names: &Names) -> TokenStream {
    let doc = type_doc_attrs(&def.id, def.doc.as_deref());
    let name = format_ident!("{}", def.rust_name);
    let idents: Vec<_> = variants
        .iter()
        .map(|v| format_ident!("{}", v.rust_name))
        .collect();
    let keys: Vec<&str> = variants.iter().map(|v| v.json_name.as_str()).collect();
    let tys: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let ty = type_tokens(&v.ty, names);
            if v.boxed {
                let shared = names.path("Shared");
                quote!(#shared<#ty>)
            } else {
                ty
            }
        })
        .collect();
    let docs = variants
        .iter()
        .map(|v| member_doc_attrs(&v.json_name, v.doc.as_deref()));
    let one_of = names.path("kubegen_runtime::meta::one_of::OneOf");
    let read = names.path("kubegen_runtime::meta::one_of::Read");
    let map_access = names.path("serde_core::de::MapAccess");
    let field_writer = names.path("kubegen_runtime::meta::serde_impl::FieldWriter");
    // Construction from a member's own type, where that type belongs to one member only.
    let froms = variants.iter().enumerate().filter_map(|(i, v)| {
        if variants.iter().filter(|other| other.ty == v.ty).count() > 1 {
            return None;
        }
        let inner = type_tokens(&v.ty, names);
        let ident = &idents[i];
        let value = if v.boxed {
            let shared = names.path("Shared");
            quote!(#shared::new(value))
        } else {
            quote!(value)
        };
        Some(quote! {
            impl From<#inner> for #name {
                fn from(value: #inner) -> Self {
                    Self::#ident(#value)
                }
            }
        })
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#docs #idents(#tys),)*
        }
        impl #one_of for #name {
            fn key(&self) -> &'static str {
                match self {
                    #(Self::#idents(_) => #keys,)*
                }
            }
            fn read<'de, A: #map_access<'de>>(
                key: &str,
                map: &mut A,
            ) -> Result<#read<Self>, A::Error> {
                Ok(#read::Member(match key {
                    #(#keys => map.next_value::<Option<_>>()?.map(Self::#idents),)*
                    _ => return Ok(#read::Other),
                }))
            }
            fn write<W: #field_writer>(&self, object: &mut W) {
                match self {
                    #(Self::#idents(value) => object.field(#keys, value),)*
                }
            }
        }
        #(#froms)*
    }
}
