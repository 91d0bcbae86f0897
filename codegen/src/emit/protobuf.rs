//! Protobuf codecs of generated types (`impl Message`), behind the generated crate's
//! `protobuf` feature, one `proto.rs` per group-version.
//!
//! The field numbers and wire types come from the version's `generated.proto` files
//! ([`ProtoSchema`]); the Rust side is the model's types, unchanged. A struct gets a codec
//! when its message's fields and its own fields match one to one (a Go struct embedded
//! inline, such as `Volume`'s `VolumeSource`, is a nested message on the wire whose fields
//! are the struct's own, or its one-of's members) and every struct it holds gets one too; a
//! kind whose whole tree does says so in its `Resource::protobuf()`, which the runtime
//! asks before offering protobuf to the server.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Field, Model, ModuleDef, TypeBody, TypeId, TypeRef};
use crate::spec::proto::{ProtoField, ProtoMessage, ProtoSchema, ProtoType};

const META_V1: &str = "k8s.io.apimachinery.pkg.apis.meta.v1";

/// The message of a hand-written `meta` type that implements the runtime's `Codec`.
fn extern_message(name: &str) -> Option<String> {
    Some(match name {
        "Quantity" => "k8s.io.apimachinery.pkg.api.resource.Quantity".into(),
        "IntOrString" => "k8s.io.apimachinery.pkg.util.intstr.IntOrString".into(),
        "RawExtension" => "k8s.io.apimachinery.pkg.runtime.RawExtension".into(),
        "Condition"
        | "DeleteOptions"
        | "FieldSelectorRequirement"
        | "FieldsV1"
        | "GroupResource"
        | "LabelSelector"
        | "LabelSelectorRequirement"
        | "ListMeta"
        | "ManagedFieldsEntry"
        | "MicroTime"
        | "ObjectMeta"
        | "OwnerReference"
        | "Preconditions"
        | "ShardInfo"
        | "Status"
        | "StatusCause"
        | "StatusDetails"
        | "Time" => format!("{META_V1}.{name}"),
        _ => return None,
    })
}

/// Which generated structs get a codec, and how each proto field maps onto them.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    messages: BTreeMap<TypeId, Vec<Entry>>,
}

/// One field of a message, as the struct holds it.
#[derive(Debug)]
enum Entry {
    /// A field of the struct.
    Field {
        number: u32,
        field: String,
        read: Read,
    },
    /// A Go struct embedded inline: a nested message whose fields are the struct's own.
    Inline {
        number: u32,
        message: String,
        entries: Vec<Entry>,
    },
    /// A member of the struct's one-of (`Volume`'s sources).
    Member {
        number: u32,
        field: String,
        enum_name: String,
        variant: String,
    },
}

impl Entry {
    fn number(&self) -> u32 {
        match self {
            Entry::Field { number, .. }
            | Entry::Inline { number, .. }
            | Entry::Member { number, .. } => *number,
        }
    }
}

/// How a field is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Its type's `Codec`.
    Merge,
    /// A scalar Go holds by value: zero reads as unset, as JSON leaves it out.
    UnlessZero,
    /// `map<string, X>` where `X` wraps a repeated field 1 (Go: `map[string][]string`).
    MapOfLists,
}

impl Plan {
    /// Matches every struct of the model against its message; `None` schema: no codecs.
    pub(crate) fn new(model: &Model, schema: Option<&ProtoSchema>) -> Plan {
        let Some(schema) = schema else {
            return Plan::default();
        };
        let mut candidates: BTreeSet<TypeId> = model
            .types()
            .values()
            .filter(|d| matches!(d.body, TypeBody::Struct { .. }))
            .filter(|d| message_of(&d.id).is_some_and(|m| schema.message(&m).is_some()))
            .map(|d| d.id.clone())
            .collect();
        // Dropping a struct can leave a struct that holds it without a codec: repeat until
        // every remaining one maps.
        loop {
            let matcher = Matcher {
                model,
                schema,
                candidates: &candidates,
            };
            let mut messages = BTreeMap::new();
            let mut dropped = Vec::new();
            for id in &candidates {
                match matcher.struct_entries(id) {
                    Ok(entries) => {
                        messages.insert(id.clone(), entries);
                    }
                    Err(why) => dropped.push((id.clone(), why)),
                }
            }
            if dropped.is_empty() {
                return Plan { messages };
            }
            for (id, why) in dropped {
                tracing::debug!(schema = %id, "no protobuf codec: {why}");
                candidates.remove(&id);
            }
        }
    }

    /// True when no type has a codec (no schemas, or CRDs only).
    pub(crate) fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Whether the type has a protobuf codec.
    pub(crate) fn has_codec(&self, id: &str) -> bool {
        self.messages.contains_key(id)
    }

    /// `proto.rs` of a group-version, if any of its types has a codec.
    pub(crate) fn module_file(&self, model: &Model, module: &ModuleDef) -> Option<TokenStream> {
        let mut imports = BTreeSet::new();
        let mut helpers = false;
        let impls: Vec<TokenStream> = module
            .types
            .iter()
            .filter_map(|id| Some((&model.types()[id], self.messages.get(id)?)))
            .map(|(def, entries)| {
                imports.insert(def.rust_name.clone());
                collect_uses(entries, &mut imports, &mut helpers);
                message_impl(&def.rust_name, entries)
            })
            .collect();
        if impls.is_empty() {
            return None;
        }
        let names = imports.iter().map(|n| format_ident!("{}", n));
        let proto_items = if helpers {
            quote!(self, Codec, DecodeError, Message, Reader, WireType, Writer)
        } else {
            quote!(Codec, DecodeError, Message, Reader, WireType, Writer)
        };
        let doc = format!(
            " Protobuf codecs of `{}` (`application/vnd.kubernetes.protobuf`), by the field \
             numbers of its `generated.proto`.",
            if module.api_group.is_empty() {
                module.id.version.clone()
            } else {
                format!("{}/{}", module.api_group, module.id.version)
            }
        );
        Some(quote! {
            #![doc = #doc]
            use kubegen_runtime::meta::proto::{#proto_items};
            use super::{#(#names),*};
            #(#impls)*
        })
    }
}

/// The struct field proto field `name` stands for: the one of the same JSON name, or else
/// the one whose name differs only in case and punctuation (Go's protobuf tag sometimes
/// spells it its own way: `Webhooks`, `uID`, `aPIGroup`, `$schema` → `schema`).
fn same_field<'f>(fields: &'f [Field], name: &str) -> Option<&'f Field> {
    let plain = |f: &&Field| !f.one_of && !f.flatten;
    let folded = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    fields
        .iter()
        .filter(plain)
        .find(|f| f.json_name == name)
        .or_else(|| {
            let name = folded(name);
            fields
                .iter()
                .filter(plain)
                .find(|f| folded(&f.json_name) == name)
        })
}

/// The message a schema is generated from, if the schema is a component of the spec.
fn message_of(id: &str) -> Option<String> {
    ProtoSchema::message_name(id)
}

struct Matcher<'a> {
    model: &'a Model,
    schema: &'a ProtoSchema,
    candidates: &'a BTreeSet<TypeId>,
}

impl Matcher<'_> {
    /// The entries of struct `id`, or why its message and fields do not match.
    fn struct_entries(&self, id: &str) -> Result<Vec<Entry>, String> {
        let def = &self.model.types()[id];
        let TypeBody::Struct { fields } = &def.body else {
            return Err("not a struct".into());
        };
        let name = message_of(id).ok_or("no message name")?;
        let message = self.schema.message(&name).ok_or("no message")?;
        let mut used = BTreeSet::new();
        let entries = self.entries(&name, message, fields, &mut used)?;
        if let Some(missing) = fields.iter().find(|f| !used.contains(&f.rust_name)) {
            return Err(format!(
                "field {} is not in message {name}",
                missing.rust_name
            ));
        }
        Ok(entries)
    }

    fn entries(
        &self,
        name: &str,
        message: &ProtoMessage,
        fields: &[Field],
        used: &mut BTreeSet<String>,
    ) -> Result<Vec<Entry>, String> {
        let mut entries = Vec::new();
        for pf in &message.fields {
            let at = || format!("{name}.{}", pf.name);
            if let Some(field) = same_field(fields, &pf.name) {
                let read = self
                    .read(name, pf, field)
                    .ok_or_else(|| format!("{}: its type does not fit {:?}", at(), pf.ty))?;
                used.insert(field.rust_name.clone());
                entries.push(Entry::Field {
                    number: pf.number,
                    field: field.rust_name.clone(),
                    read,
                });
            } else if let Some((field, enum_name, variant)) = self.member(fields, pf) {
                used.insert(field.rust_name.clone());
                entries.push(Entry::Member {
                    number: pf.number,
                    field: field.rust_name.clone(),
                    enum_name,
                    variant,
                });
            } else if let (false, ProtoType::Message(inner)) = (pf.repeated, &pf.ty) {
                // A Go struct embedded inline: its fields are this struct's.
                let nested = self
                    .schema
                    .message(inner)
                    .ok_or_else(|| format!("{}: no message {inner}", at()))?;
                let nested_entries = self.entries(inner, nested, fields, used)?;
                entries.push(Entry::Inline {
                    number: pf.number,
                    message: inner.rsplit('.').next().unwrap_or(inner).to_owned(),
                    entries: nested_entries,
                });
            } else {
                return Err(format!("{} has no field in the struct", at()));
            }
        }
        Ok(entries)
    }

    /// How field `field` reads proto field `pf` of message `message`, if their types fit.
    fn read(&self, message: &str, pf: &ProtoField, field: &Field) -> Option<Read> {
        if field.flatten {
            return None;
        }
        match (&pf.ty, pf.repeated, &field.ty) {
            (ProtoType::Map(value), _, TypeRef::Map(held)) => {
                if self.fits(held, value) {
                    Some(Read::Merge)
                } else if self.wraps_list(held, value) {
                    Some(Read::MapOfLists)
                } else {
                    None
                }
            }
            (_, true, TypeRef::Array(item)) => self.fits(item, &pf.ty).then_some(Read::Merge),
            (ProtoType::Scalar(_), false, held) if self.fits(held, &pf.ty) => {
                let by_value = !field.plain && self.schema.zero_is_unset(message, &pf.name);
                Some(if by_value {
                    Read::UnlessZero
                } else {
                    Read::Merge
                })
            }
            (_, false, held) => self.fits(held, &pf.ty).then_some(Read::Merge),
            _ => None,
        }
    }

    /// The one-of member `pf` stands for: (the one-of field, its enum, the variant).
    fn member<'f>(
        &self,
        fields: &'f [Field],
        pf: &ProtoField,
    ) -> Option<(&'f Field, String, String)> {
        if pf.repeated {
            return None;
        }
        fields.iter().filter(|f| f.one_of).find_map(|field| {
            let TypeRef::Named(id) = &field.ty else {
                return None;
            };
            let def = self.model.type_def(id)?;
            let TypeBody::OneOf { variants } = &def.body else {
                return None;
            };
            let variant = variants.iter().find(|v| v.json_name == pf.name)?;
            self.fits(&variant.ty, &pf.ty)
                .then(|| (field, def.rust_name.clone(), variant.rust_name.clone()))
        })
    }

    /// Whether a value of Rust type `held` is read from proto type `ty` by its `Codec`.
    fn fits(&self, held: &TypeRef, ty: &ProtoType) -> bool {
        match (held, ty) {
            (TypeRef::String, ProtoType::Scalar(s)) => s == "string",
            (TypeRef::Bytes, ProtoType::Scalar(s)) => s == "bytes",
            (TypeRef::Bool, ProtoType::Scalar(s)) => s == "bool",
            (TypeRef::I32, ProtoType::Scalar(s)) => s == "int32",
            (TypeRef::I64, ProtoType::Scalar(s)) => s == "int64",
            (TypeRef::F64, ProtoType::Scalar(s)) => s == "double",
            (TypeRef::Extern(name), ProtoType::Message(m)) => {
                extern_message(name).is_some_and(|e| &e == m)
            }
            (TypeRef::Named(id), ProtoType::Message(m)) => match self.model.type_def(id) {
                Some(def) if matches!(def.body, TypeBody::Alias(_)) => {
                    let TypeBody::Alias(inner) = &def.body else {
                        return false;
                    };
                    self.fits(inner, ty)
                }
                Some(_) => {
                    self.candidates.contains(id) && message_of(id).is_some_and(|own| &own == m)
                }
                None => false,
            },
            _ => false,
        }
    }

    /// Whether `held` (a list) is read from a message wrapping a repeated field 1.
    fn wraps_list(&self, held: &TypeRef, ty: &ProtoType) -> bool {
        let (TypeRef::Array(item), ProtoType::Message(m)) = (held, ty) else {
            return false;
        };
        self.schema.message(m).is_some_and(|wrapper| {
            matches!(wrapper.fields.as_slice(), [only] if only.number == 1 && only.repeated && self.fits(item, &only.ty))
        })
    }
}

fn collect_uses(entries: &[Entry], imports: &mut BTreeSet<String>, helpers: &mut bool) {
    for entry in entries {
        match entry {
            Entry::Field { read, .. } => *helpers |= *read != Read::Merge,
            Entry::Inline { entries, .. } => {
                *helpers = true;
                collect_uses(entries, imports, helpers);
            }
            Entry::Member { enum_name, .. } => {
                *helpers = true;
                imports.insert(enum_name.clone());
            }
        }
    }
}

fn message_impl(rust_name: &str, entries: &[Entry]) -> TokenStream {
    let name = format_ident!("{}", rust_name);
    let arms = entries.iter().map(merge_arm);
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.number());
    let writes = sorted.into_iter().map(write);
    let (field, w) = if entries.is_empty() {
        (quote!(_), quote!(_))
    } else {
        (quote!(field), quote!(w))
    };
    let body = if entries.is_empty() {
        quote!(r.skip(wire))
    } else {
        quote! {
            match field {
                #(#arms)*
                _ => r.skip(wire),
            }
        }
    };
    quote! {
        impl Message for #name {
            const NAME: &'static str = #rust_name;
            fn merge_field(
                &mut self,
                #field: u32,
                wire: WireType,
                r: &mut Reader<'_>,
            ) -> Result<(), DecodeError> {
                #body
            }
            fn encode_fields(&self, #w: &mut Writer) {
                #(#writes)*
            }
        }
    }
}

/// A field number as written in a pattern or call (`3`, not `3u32`).
fn number_lit(number: u32) -> proc_macro2::Literal {
    proc_macro2::Literal::u32_unsuffixed(number)
}

fn merge_arm(entry: &Entry) -> TokenStream {
    let number = number_lit(entry.number());
    match entry {
        Entry::Field { field, read, .. } => {
            let field = format_ident!("{}", field);
            match read {
                Read::Merge => quote!(#number => self.#field.merge(wire, r),),
                Read::UnlessZero => {
                    quote!(#number => proto::merge_unless_zero(&mut self.#field, wire, r),)
                }
                Read::MapOfLists => {
                    quote!(#number => proto::merge_map_of_lists(&mut self.#field, wire, r),)
                }
            }
        }
        Entry::Inline {
            message, entries, ..
        } => {
            let arms = entries.iter().map(merge_arm);
            quote! {
                #number => proto::merge_inline(#message, wire, r, |field, wire, r| match field {
                    #(#arms)*
                    _ => r.skip(wire),
                }),
            }
        }
        Entry::Member {
            field,
            enum_name,
            variant,
            ..
        } => {
            let field = format_ident!("{}", field);
            let enum_name = format_ident!("{}", enum_name);
            let variant = format_ident!("{}", variant);
            quote! {
                #number => match &mut self.#field {
                    Some(#enum_name::#variant(value)) => value.merge(wire, r),
                    slot => proto::merge_new(wire, r)
                        .map(|value| *slot = Some(#enum_name::#variant(value))),
                },
            }
        }
    }
}

fn write(entry: &Entry) -> TokenStream {
    let number = number_lit(entry.number());
    match entry {
        Entry::Field { field, read, .. } => {
            let field = format_ident!("{}", field);
            match read {
                Read::Merge | Read::UnlessZero => quote!(self.#field.encode(#number, w);),
                Read::MapOfLists => quote!(proto::encode_map_of_lists(&self.#field, #number, w);),
            }
        }
        Entry::Inline { entries, .. } => {
            let mut sorted: Vec<&Entry> = entries.iter().collect();
            sorted.sort_by_key(|e| e.number());
            let writes = sorted.into_iter().map(write);
            quote!(w.message(#number, |w| { #(#writes)* });)
        }
        Entry::Member {
            field,
            enum_name,
            variant,
            ..
        } => {
            let field = format_ident!("{}", field);
            let enum_name = format_ident!("{}", enum_name);
            let variant = format_ident!("{}", variant);
            quote! {
                if let Some(#enum_name::#variant(value)) = &self.#field {
                    value.encode(#number, w);
                }
            }
        }
    }
}
