//! One-of structs (`Volume`) and the enums of their members (`VolumeSource`).
//!
//! The struct stores the enum; on the wire each member is a key of the struct's own object.
//! Both get hand-written serde impls: a field-name visitor reads the flat object (where
//! `#[serde(flatten)]` would buffer every key), and members are written under their keys.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::names::Names;
use super::types::{field_doc, type_tokens, HELPERS};
use crate::model::{Field, OneOfVariant, TypeDef, TypeRef};

const ONE_OF: &str = "kubegen_runtime::meta::one_of";

fn one_of_path(item: &str) -> TokenStream {
    super::names::path_tokens(&format!("{ONE_OF}::{item}"))
}

/// The enum of a one-of group, its `OneOf` impl and a `From` per member type.
pub fn enum_item(def: &TypeDef, variants: &[OneOfVariant], names: &Names) -> TokenStream {
    let doc = doc_attrs(def.doc.as_deref());
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
    let docs = variants.iter().map(|v| doc_attrs(v.doc.as_deref()));
    let indices = (0..variants.len()).map(Literal::usize_unsuffixed);
    let one_of = one_of_path("OneOf");
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
            const KEYS: &'static [&'static str] = &[#(#keys),*];
            fn key(&self) -> &'static str {
                match self {
                    #(Self::#idents(_) => #keys,)*
                }
            }
            fn read<'de, A: serde::de::MapAccess<'de>>(
                index: usize,
                map: &mut A,
            ) -> Result<Option<Self>, A::Error> {
                Ok(match index {
                    #(#indices => map.next_value::<Option<#tys>>()?.map(Self::#idents),)*
                    _ => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        None
                    }
                })
            }
            fn write<S: serde::ser::SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
                match self {
                    #(Self::#idents(value) => s.serialize_field(#keys, value),)*
                }
            }
        }
        #(#froms)*
    }
}

/// A one-of struct: plain `Option` fields (no serde attributes) and its serde impls.
pub fn struct_item(def: &TypeDef, fields: &[Field], names: &Names) -> TokenStream {
    let doc = doc_attrs(def.doc.as_deref());
    let name = format_ident!("{}", def.rust_name);
    let decls = fields.iter().map(|f| {
        let doc = doc_attrs(field_doc(f).as_deref());
        let ident = format_ident!("{}", f.rust_name);
        let mut ty = type_tokens(&f.ty, names);
        if f.boxed {
            let shared = names.path("Shared");
            ty = quote!(#shared<#ty>);
        }
        quote! {
            #doc
            pub #ident: Option<#ty>,
        }
    });
    let serde = serde_impls(def, fields, names);
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #name {
            #(#decls)*
        }
        #serde
    }
}

fn serde_impls(def: &TypeDef, fields: &[Field], names: &Names) -> TokenStream {
    let name = format_ident!("{}", def.rust_name);
    let name_text = &def.rust_name;
    let expecting = format!("a {} object", def.rust_name);
    let (groups, kept): (Vec<&Field>, Vec<&Field>) = fields.iter().partition(|f| f.one_of);
    let kept_idents: Vec<_> = kept
        .iter()
        .map(|f| format_ident!("{}", f.rust_name))
        .collect();
    let kept_keys: Vec<&str> = kept.iter().map(|f| f.json_name.as_str()).collect();
    let reads = kept.iter().enumerate().map(|(i, f)| {
        let ident = &kept_idents[i];
        let shrunk = super::names::path_tokens(&format!("{HELPERS}::Shrunk"));
        let value = if matches!(f.ty, TypeRef::Array(_)) {
            quote!(map.next_value::<#shrunk<_>>()?.0)
        } else {
            quote!(map.next_value()?)
        };
        let i = Literal::usize_unsuffixed(i);
        quote!(Key::Field(#i) => out.#ident = #value,)
    });
    // The model makes one group per struct; the emitter supports exactly that.
    let Some(group) = groups.first() else {
        return quote!();
    };
    let group_ident = format_ident!("{}", group.rust_name);
    let group_ty = type_tokens(&group.ty, names);
    let key = one_of_path("Key");
    let key_seed = one_of_path("KeySeed");
    let set = one_of_path("set");
    let one_of = one_of_path("OneOf");
    quote! {
        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                use #one_of;
                let len = #(usize::from(self.#kept_idents.is_some()) +)*
                    usize::from(self.#group_ident.is_some());
                let mut s = serializer.serialize_struct(#name_text, len)?;
                #(
                    if let Some(value) = &self.#kept_idents {
                        s.serialize_field(#kept_keys, value)?;
                    }
                )*
                if let Some(value) = &self.#group_ident {
                    value.write(&mut s)?;
                }
                s.end()
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<#name, A::Error> {
                        use #key;
                        use #one_of;
                        let seed = #key_seed::new(&[#(#kept_keys),*], #group_ty::KEYS);
                        let mut out = #name::default();
                        while let Some(key) = map.next_key_seed(seed)? {
                            match key {
                                #(#reads)*
                                Key::Member(index) => {
                                    #set(&mut out.#group_ident, #group_ty::read(index, &mut map)?)?
                                }
                                _ => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    }
}
