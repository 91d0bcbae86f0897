//! One generated file per type: the type, its serde impls and its runtime trait impls.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{join, member_doc_attrs, type_doc_attrs};
use super::names::Names;
use super::{one_of, serde_impls, EmitError};
use crate::model::{Field, Model, TypeBody, TypeDef, TypeRef, UNLISTED_VARIANT};

/// The items of the file for `def`.
/// `protobuf`: whether the type has a protobuf codec (its kind then says so).
pub(crate) fn type_file(
    model: &Model,
    def: &TypeDef,
    protobuf: bool,
) -> Result<TokenStream, EmitError> {
    let mut externs: Vec<&str> = Vec::new();
    if def.gvk.is_some() && matches!(def.body, TypeBody::Struct { .. }) {
        externs.extend(["ApiVersion", "KindTag", "Kind"]);
        if def.resource.is_some() {
            externs.extend(["Resource", "Scope"]);
            if def.has_object_meta() {
                externs.extend(["Object", "ObjectMeta"]);
            }
        }
    }
    if matches!(def.body, TypeBody::List { .. }) {
        externs.push("List");
    }
    let support = serde_impls::support_paths(model, def);
    let names = Names::resolve(model, def, &externs, &support);
    let uses = names.use_items();
    let item = match &def.body {
        TypeBody::Struct { fields } => struct_item(model, def, fields, &names),
        TypeBody::OneOf { variants } => one_of::enum_item(def, variants, &names),
        TypeBody::List { item } => {
            let doc = type_doc_attrs(&def.id, def.doc.as_deref());
            let name = format_ident!("{}", def.rust_name);
            let list = names.path("List");
            let item = type_tokens(item, &names);
            quote! {
                #doc
                pub type #name = #list<#item>;
            }
        }
        TypeBody::Alias(ty) => {
            let doc = type_doc_attrs(&def.id, def.doc.as_deref());
            let name = format_ident!("{}", def.rust_name);
            let ty = type_tokens(ty, &names);
            quote! {
                #doc
                pub type #name = #ty;
            }
        }
        TypeBody::Union { variants } => {
            let doc = type_doc_attrs(&def.id, def.doc.as_deref());
            let name = format_ident!("{}", def.rust_name);
            let decls = variants.iter().map(|v| {
                let vname = format_ident!("{}", v.name);
                let vdoc = format!(" The value as {}.", v.name);
                let mut ty = type_tokens(&v.ty, &names);
                if v.boxed {
                    ty = quote!(Box<#ty>);
                }
                quote!(#[doc = #vdoc] #vname(#ty))
            });
            let impls = serde_impls::union_impls(model, def, variants, &names)?;
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq)]
                pub enum #name {
                    #(#decls,)*
                }
                #impls
            }
        }
        TypeBody::Enum { values } => {
            let doc = type_doc_attrs(&def.id, def.doc.as_deref());
            let name = format_ident!("{}", def.rust_name);
            let variants = values.iter().map(|v| {
                let vname = format_ident!("{}", v.rust_name);
                let vdoc = format!(" `{:?}` on the wire.", v.value);
                quote!(#[doc = #vdoc] #vname)
            });
            let unlisted = format_ident!("{}", UNLISTED_VARIANT);
            let text = names.path("CompactString");
            let impls = serde_impls::enum_impls(def, values, &names);
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
                pub enum #name {
                    #(#variants,)*
                    /// A value the schema does not list (one added to the API later), kept
                    /// as it was sent.
                    #unlisted(#text),
                }
                #impls
            }
        }
    };
    let impls = kind_impls(def, &names, protobuf);
    Ok(quote! {
        #uses
        #item
        #impls
    })
}

pub(super) fn type_tokens(ty: &TypeRef, names: &Names) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::String => names.path("CompactString"),
        TypeRef::Bytes => names.path("ByteString"),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::Extern(name) => names.path(name),
        TypeRef::Named(id) => names.path(id),
        TypeRef::Array(inner) => {
            let inner = type_tokens(inner, names);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let map = names.path("Map");
            let inner = type_tokens(inner, names);
            quote!(#map<#inner>)
        }
    }
}

/// A field's doc text: its description and notes on requiredness and server defaults.
pub(super) fn field_doc(field: &Field) -> Option<String> {
    join(&[field.doc.clone(), required_note(field), default_note(field)])
}

fn field_tokens(field: &Field, names: &Names) -> TokenStream {
    let doc = member_doc_attrs(&field.json_name, field_doc(field).as_deref());
    let name = format_ident!("{}", field.rust_name);
    let mut ty = type_tokens(&field.ty, names);
    if field.boxed && !field.flatten {
        let shared = names.path("Shared");
        ty = quote!(#shared<#ty>);
    }
    if !field.plain {
        ty = quote!(Option<#ty>);
    }
    quote! {
        #doc
        pub #name: #ty,
    }
}

/// "Required." for required fields whose description does not say so.
fn required_note(field: &Field) -> Option<String> {
    let doc = field.doc.as_deref().unwrap_or_default();
    (field.required && !field.plain && !doc.contains("Required")).then(|| "Required.".to_owned())
}

/// "Defaults to `X`." for scalar defaults the description does not already state.
fn default_note(field: &Field) -> Option<String> {
    // Required fields carry Go's zero value as their "default": not worth a note.
    let value = field.default.as_ref().filter(|_| !field.required)?;
    let text = match value {
        serde_json::Value::String(s) if !s.is_empty() => format!("{s:?}"),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    let doc = field.doc.as_deref().unwrap_or_default();
    if doc.contains("efault") && doc.contains(text.trim_matches('"')) {
        return None;
    }
    Some(format!("Defaults to `{text}` on the server."))
}

fn struct_item(model: &Model, def: &TypeDef, fields: &[Field], names: &Names) -> TokenStream {
    let doc = type_doc_attrs(&def.id, def.doc.as_deref());
    let name = format_ident!("{}", def.rust_name);
    let tags = def.gvk.as_ref().map(|gvk| {
        let api_version = names.path("ApiVersion");
        let kind = names.path("KindTag");
        let av_doc = format!(
            " Always `{}`: serialized from the type, whatever was read.",
            gvk.api_version()
        );
        let kind_doc = format!(
            " Always `{}`: serialized from the type, whatever was read.",
            gvk.kind
        );
        quote! {
            #[doc = #av_doc]
            pub api_version: #api_version<#name>,
            #[doc = #kind_doc]
            pub kind: #kind<#name>,
        }
    });
    let decls = fields.iter().map(|f| field_tokens(f, names));
    // Inline optional struct fields are decoded in place (see `serde_impl::optional_object`).
    let is_inline_object = |field: &Field| match &field.ty {
        TypeRef::Named(id) if !field.boxed && !field.plain => model
            .type_def(id)
            .is_some_and(|d| matches!(d.body, TypeBody::Struct { .. })),
        _ => false,
    };
    let impls = serde_impls::struct_impls(def, fields, names, &is_inline_object);
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #name {
            #tags
            #(#decls)*
        }
        #impls
    }
}

fn kind_impls(def: &TypeDef, names: &Names, protobuf: bool) -> TokenStream {
    let (Some(gvk), TypeBody::Struct { .. }) = (&def.gvk, &def.body) else {
        return quote!();
    };
    let name = format_ident!("{}", def.rust_name);
    let kind_trait = names.path("Kind");
    let (group, version, kind) = (&gvk.group, &gvk.version, &gvk.kind);
    let api_version = gvk.api_version();
    let mut out = quote! {
        impl #kind_trait for #name {
            const GROUP: &'static str = #group;
            const VERSION: &'static str = #version;
            const KIND: &'static str = #kind;
            const API_VERSION: &'static str = #api_version;
        }
    };
    let Some((plural, namespaced)) = &def.resource else {
        return out;
    };
    let resource = names.path("Resource");
    let scope_ty = names.path("Scope");
    let scope = if *namespaced {
        quote!(#scope_ty::Namespaced)
    } else {
        quote!(#scope_ty::Cluster)
    };
    let list_kind = format!("{kind}List");
    let protobuf = protobuf.then(|| {
        quote! {
            #[cfg(feature = "protobuf")]
            fn protobuf() -> Option<kubegen_runtime::meta::proto::KindCodec<Self>> {
                Some(kubegen_runtime::meta::proto::KindCodec::of())
            }
        }
    });
    out.extend(quote! {
        impl #resource for #name {
            const PLURAL: &'static str = #plural;
            const SCOPE: #scope_ty = #scope;
            const LIST_KIND: &'static str = #list_kind;
            #protobuf
        }
    });
    if def.has_object_meta() {
        let object = names.path("Object");
        let meta = names.path("ObjectMeta");
        out.extend(quote! {
            impl #object for #name {
                fn metadata(&self) -> &#meta {
                    &self.metadata
                }
                fn metadata_mut(&mut self) -> &mut #meta {
                    &mut self.metadata
                }
            }
        });
    }
    out
}
