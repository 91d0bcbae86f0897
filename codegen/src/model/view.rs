//! A flat view of an `openapiv3::Schema`.
//!
//! `openapiv3` splits schemas into typed variants and falls back to `AnySchema` when a schema
//! mixes keywords (a string with `uniqueItems`, an object with `allOf`). The model only needs a
//! handful of keywords, so every variant is flattened into this one shape first.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};

/// A schema or a reference, borrowed.
#[derive(Clone, Copy)]
pub(crate) enum Node<'a> {
    Ref(&'a str),
    Schema(&'a Schema),
}

impl<'a> Node<'a> {
    pub(crate) fn from_boxed(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => Node::Ref(reference),
            ReferenceOr::Item(schema) => Node::Schema(schema),
        }
    }

    pub(crate) fn from_ref(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => Node::Ref(reference),
            ReferenceOr::Item(schema) => Node::Schema(schema),
        }
    }
}

/// The keywords of one schema the model looks at.
#[derive(Default)]
pub(crate) struct View<'a> {
    pub typ: Option<&'a str>,
    pub format: Option<&'a str>,
    pub properties: Option<&'a IndexMap<String, ReferenceOr<Box<Schema>>>>,
    pub required: &'a [String],
    pub additional_properties: Option<&'a AdditionalProperties>,
    pub items: Option<&'a ReferenceOr<Box<Schema>>>,
    pub enumeration: Vec<serde_json::Value>,
    pub all_of: &'a [ReferenceOr<Schema>],
    pub one_of: &'a [ReferenceOr<Schema>],
    pub any_of: &'a [ReferenceOr<Schema>],
    pub has_not: bool,
}

fn string_format(f: &VariantOrUnknownOrEmpty<StringFormat>) -> Option<&str> {
    match f {
        VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => Some("byte"),
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Some("binary"),
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Some("date"),
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Some("date-time"),
        VariantOrUnknownOrEmpty::Item(StringFormat::Password) => Some("password"),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn integer_format(f: &VariantOrUnknownOrEmpty<IntegerFormat>) -> Option<&str> {
    match f {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Some("int32"),
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) => Some("int64"),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn number_format(f: &VariantOrUnknownOrEmpty<NumberFormat>) -> Option<&str> {
    match f {
        VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => Some("float"),
        VariantOrUnknownOrEmpty::Item(NumberFormat::Double) => Some("double"),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

pub(crate) fn view(schema: &Schema) -> View<'_> {
    let mut v = View::default();
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            v.typ = Some("string");
            v.format = string_format(&s.format);
            v.enumeration = s
                .enumeration
                .iter()
                .flatten()
                .map(|s| serde_json::Value::String(s.clone()))
                .collect();
        }
        SchemaKind::Type(Type::Integer(i)) => {
            v.typ = Some("integer");
            v.format = integer_format(&i.format);
            v.enumeration = i
                .enumeration
                .iter()
                .flatten()
                .map(|n| (*n).into())
                .collect();
        }
        SchemaKind::Type(Type::Number(n)) => {
            v.typ = Some("number");
            v.format = number_format(&n.format);
        }
        SchemaKind::Type(Type::Boolean(_)) => v.typ = Some("boolean"),
        SchemaKind::Type(Type::Object(o)) => {
            v.typ = Some("object");
            v.properties = (!o.properties.is_empty()).then_some(&o.properties);
            v.required = &o.required;
            v.additional_properties = o.additional_properties.as_ref();
        }
        SchemaKind::Type(Type::Array(a)) => {
            v.typ = Some("array");
            v.items = a.items.as_ref();
        }
        SchemaKind::OneOf { one_of } => v.one_of = one_of,
        SchemaKind::AllOf { all_of } => v.all_of = all_of,
        SchemaKind::AnyOf { any_of } => v.any_of = any_of,
        SchemaKind::Not { .. } => v.has_not = true,
        SchemaKind::Any(a) => {
            v.typ = a.typ.as_deref();
            v.format = a.format.as_deref();
            if !a.properties.is_empty() {
                v.properties = Some(&a.properties);
            }
            v.required = &a.required;
            v.additional_properties = a.additional_properties.as_ref();
            v.items = a.items.as_ref();
            v.enumeration = a
                .enumeration
                .iter()
                .filter(|e| !e.is_null())
                .cloned()
                .collect();
            v.all_of = &a.all_of;
            v.one_of = &a.one_of;
            v.any_of = &a.any_of;
            v.has_not = a.not.is_some();
        }
    }
    v
}

/// An `x-kubernetes-*` boolean extension of a schema.
pub(crate) fn flag(schema: &Schema, name: &str) -> bool {
    schema
        .schema_data
        .extensions
        .get(name)
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}
