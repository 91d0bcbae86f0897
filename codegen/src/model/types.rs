//! Converting schemas into type definitions.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{AdditionalProperties, Schema};

use super::naming;
use super::view::{flag, view, Node};
use super::{
    externs, EnumValue, Field, ModelError, ModuleId, Source, Strictness, TypeBody, TypeDef, TypeId,
    TypeRef, Warning,
};
use crate::spec::ref_target;

/// Converts schemas, collecting the inline types (nested objects, enums) it has to name.
pub(super) struct Converter {
    pub strictness: Strictness,
    /// Types synthesized from inline schemas, by id.
    pub inline: BTreeMap<TypeId, TypeDef>,
    /// Rust names taken in each module, so synthesized names never collide.
    pub taken: BTreeMap<ModuleId, BTreeSet<String>>,
    pub warnings: Vec<Warning>,
    /// Schemas of an already-generated crate, by name: their Rust path.
    pub externals: BTreeMap<String, String>,
}

/// Where a schema sits: the type it belongs to and the place in the spec.
#[derive(Clone)]
pub(super) struct Place<'a> {
    pub type_id: &'a str,
    pub rust_name: &'a str,
    pub module: &'a ModuleId,
    pub source: Source,
    /// The schema is a top-level kind's: `apiVersion` and `kind` are its type tags, whatever
    /// the schema says of them (CRDs declare them with enums).
    pub is_kind: bool,
}

impl Place<'_> {
    fn at(&self, token: &str) -> Source {
        Source {
            file: self.source.file.clone(),
            pointer: self.source.pointer.push(token),
        }
    }
}

impl Converter {
    fn unsupported(&mut self, source: &Source, message: String) -> Result<TypeRef, ModelError> {
        match self.strictness {
            Strictness::Strict => Err(ModelError::Unsupported {
                file: source.file.clone(),
                pointer: source.pointer.clone(),
                message,
            }),
            Strictness::Lenient => {
                self.warn(source, format!("{message}; kept as a JSON value"));
                Ok(TypeRef::Json)
            }
        }
    }

    /// Records a warning about the schema at `source`.
    pub(crate) fn warn(&mut self, source: &Source, message: String) {
        tracing::warn!(file = %source.file.display(), pointer = %source.pointer, "{message}");
        self.warnings.push(Warning {
            source: source.clone(),
            message,
        });
    }

    /// The field that keeps what `x-kubernetes-preserve-unknown-fields` lets through beside
    /// the declared fields: a map flattened into the object.
    fn add_unknown_fields(&mut self, fields: &mut Vec<Field>) {
        let mut rust_name = "unknown_fields".to_owned();
        let mut n = 2;
        while fields.iter().any(|f| f.rust_name == rust_name) {
            rust_name = format!("unknown_fields_{n}");
            n += 1;
        }
        fields.push(Field {
            json_name: String::new(),
            rust_name,
            doc: Some(
                "Fields the schema does not declare, kept as they were read \
                 (`x-kubernetes-preserve-unknown-fields`)."
                    .into(),
            ),
            ty: TypeRef::Map(Box::new(TypeRef::Json)),
            required: false,
            plain: true,
            boxed: false,
            default: None,
            flatten: true,
            one_of: false,
        });
    }

    /// A Rust name for a synthesized type, unique in its module.
    pub(crate) fn claim_name(&mut self, module: &ModuleId, wanted: String) -> String {
        let taken = self.taken.entry(module.clone()).or_default();
        let mut name = wanted.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
    }

    /// The body of a named (component) schema.
    pub(crate) fn body(
        &mut self,
        schema: &Schema,
        place: &Place<'_>,
    ) -> Result<TypeBody, ModelError> {
        let v = view(schema);
        if v.typ.is_none()
            && (v.has_not || !v.one_of.is_empty() || !v.any_of.is_empty() || v.all_of.len() > 1)
        {
            let ty = self.unsupported(
                &place.source,
                "oneOf/anyOf/not or a multi-part allOf at the top of a schema".into(),
            )?;
            return Ok(TypeBody::Alias(ty));
        }
        if let ([single], None) = (v.all_of, v.typ) {
            let ty = self.field_type(Node::from_ref(single), place, &place.source, "")?;
            return Ok(TypeBody::Alias(ty));
        }
        match v.typ {
            Some("object") | None if v.properties.is_some() => {
                let mut fields = self.fields(schema, place)?;
                if flag(schema, PRESERVE) {
                    if place.is_kind {
                        // A flattened map would buffer `metadata`, whose raw `fieldsV1`
                        // cannot be read from a buffer.
                        self.warn(
                            &place.source,
                            "x-kubernetes-preserve-unknown-fields at the root of a kind: \
                             fields the schema does not declare are dropped when read"
                                .into(),
                        );
                    } else {
                        self.add_unknown_fields(&mut fields);
                    }
                }
                Ok(TypeBody::Struct { fields })
            }
            Some("object") => match v.additional_properties {
                Some(ap) => {
                    let value = self.additional(ap, place, &place.source, "value")?;
                    Ok(TypeBody::Alias(TypeRef::Map(Box::new(value))))
                }
                None if flag(schema, "x-kubernetes-preserve-unknown-fields") => {
                    Ok(TypeBody::Alias(TypeRef::Json))
                }
                // A struct with no fields yet (`StorageVersionSpec`): keep it a struct so
                // fields added later stay source-compatible.
                None => Ok(TypeBody::Struct { fields: Vec::new() }),
            },
            None => Ok(TypeBody::Alias(TypeRef::Json)),
            Some("string") if !v.enumeration.is_empty() => Ok(self.enum_body(&v.enumeration)),
            Some(_) => {
                let ty = self.field_type(Node::Schema(schema), place, &place.source, "")?;
                Ok(TypeBody::Alias(ty))
            }
        }
    }

    fn enum_body(&mut self, values: &[serde_json::Value]) -> TypeBody {
        // A listed value spelled like the member for unlisted ones gets another name.
        let mut used = BTreeSet::from([super::UNLISTED_VARIANT.to_owned()]);
        let values = values
            .iter()
            .filter_map(|v| v.as_str())
            .map(|value| {
                let base = naming::type_name(value);
                let mut rust_name = base.clone();
                let mut n = 2;
                while !used.insert(rust_name.clone()) {
                    rust_name = format!("{base}{n}");
                    n += 1;
                }
                EnumValue {
                    value: value.to_owned(),
                    rust_name,
                }
            })
            .collect();
        TypeBody::Enum { values }
    }

    /// The fields of an object schema, in the spec's (alphabetical) order.
    pub(crate) fn fields(
        &mut self,
        schema: &Schema,
        place: &Place<'_>,
    ) -> Result<Vec<Field>, ModelError> {
        let v = view(schema);
        let Some(properties) = v.properties else {
            return Ok(Vec::new());
        };
        let required: BTreeSet<&str> = v.required.iter().map(String::as_str).collect();
        let props_source = place.at("properties");
        let mut used_names = BTreeSet::new();
        let mut fields = Vec::with_capacity(properties.len());
        for (json_name, prop) in properties {
            let source = Source {
                file: props_source.file.clone(),
                pointer: props_source.pointer.push(json_name),
            };
            let node = Node::from_boxed(prop);
            let is_tag = place.is_kind && (json_name == "apiVersion" || json_name == "kind");
            let ty = if is_tag {
                TypeRef::String
            } else {
                self.field_type(node, place, &source, json_name)?
            };
            let (doc, default) = match node {
                Node::Schema(s) => (
                    s.schema_data.description.clone(),
                    s.schema_data.default.clone(),
                ),
                Node::Ref(_) => (None, None),
            };
            let base = naming::field_name(json_name);
            let mut rust_name = base.clone();
            let mut n = 2;
            while !used_names.insert(rust_name.clone()) {
                rust_name = format!("{base}_{n}");
                n += 1;
            }
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name,
                doc,
                ty,
                required: required.contains(json_name.as_str()),
                plain: false,
                boxed: false,
                default,
                flatten: false,
                one_of: false,
            });
        }
        Ok(fields)
    }

    fn additional(
        &mut self,
        ap: &AdditionalProperties,
        place: &Place<'_>,
        source: &Source,
        prop: &str,
    ) -> Result<TypeRef, ModelError> {
        match ap {
            AdditionalProperties::Any(_) => Ok(TypeRef::Json),
            AdditionalProperties::Schema(s) => {
                let source = Source {
                    file: source.file.clone(),
                    pointer: source.pointer.push("additionalProperties"),
                };
                self.field_type(Node::from_ref(s), place, &source, prop)
            }
        }
    }

    /// The type of a property (or array item, map value) schema.
    pub(crate) fn field_type(
        &mut self,
        node: Node<'_>,
        place: &Place<'_>,
        source: &Source,
        prop: &str,
    ) -> Result<TypeRef, ModelError> {
        let schema = match node {
            Node::Ref(reference) => return self.reference(reference, source),
            Node::Schema(s) => s,
        };
        let v = view(schema);
        if flag(schema, INT_OR_STRING) {
            return Ok(TypeRef::Extern("IntOrString".into()));
        }
        if let [single] = v.all_of {
            if v.typ.is_none() && v.properties.is_none() {
                return self.field_type(Node::from_ref(single), place, source, prop);
            }
        }
        // A node with a type declares its shape outside the junctors (structural schemas, as
        // every CRD's, require it): `oneOf`/`anyOf`/`allOf`/`not` beside it only validate.
        if v.typ.is_none()
            && (v.has_not || !v.one_of.is_empty() || !v.any_of.is_empty() || v.all_of.len() > 1)
        {
            return self.unsupported(source, "oneOf/anyOf/not or a multi-part allOf".into());
        }
        match v.typ {
            Some("string") => Ok(match v.format {
                Some("byte") => TypeRef::Bytes,
                Some("date-time") => TypeRef::Extern("Time".into()),
                Some("int-or-string") => TypeRef::Extern("IntOrString".into()),
                _ if !v.enumeration.is_empty() => {
                    let body = self.enum_body(&v.enumeration);
                    let (id, rust_name) = self.reserve_inline(place, source, prop);
                    self.insert_inline(id, rust_name, body, schema, place, source)
                }
                _ => TypeRef::String,
            }),
            Some("integer") => Ok(match v.format {
                Some("int32") => TypeRef::I32,
                _ => TypeRef::I64,
            }),
            Some("number") => Ok(TypeRef::F64),
            Some("boolean") => Ok(TypeRef::Bool),
            Some("array") => match v.items {
                Some(items) => {
                    let source = Source {
                        file: source.file.clone(),
                        pointer: source.pointer.push("items"),
                    };
                    let item = self.field_type(Node::from_boxed(items), place, &source, prop)?;
                    Ok(TypeRef::Array(Box::new(item)))
                }
                None => Ok(TypeRef::Array(Box::new(TypeRef::Json))),
            },
            Some("object") | None if v.properties.is_some_and(|p| !p.is_empty()) => {
                // The parent's name is claimed first, so nested objects are named after
                // their whole path (`HTTPRouteSpecRulesMatches`).
                let (id, rust_name) = self.reserve_inline(place, source, prop);
                let fields_place = Place {
                    type_id: place.type_id,
                    rust_name: &rust_name,
                    module: place.module,
                    source: source.clone(),
                    is_kind: false,
                };
                let mut fields = self.fields(schema, &fields_place)?;
                if flag(schema, EMBEDDED_RESOURCE) {
                    add_embedded_resource_fields(&mut fields);
                }
                if flag(schema, PRESERVE) {
                    self.add_unknown_fields(&mut fields);
                }
                let body = TypeBody::Struct { fields };
                Ok(self.insert_inline(id, rust_name, body, schema, place, source))
            }
            Some("object") => match v.additional_properties {
                Some(ap) => Ok(TypeRef::Map(Box::new(
                    self.additional(ap, place, source, prop)?,
                ))),
                None => Ok(TypeRef::Json),
            },
            None => Ok(TypeRef::Json),
            Some(other) => self.unsupported(source, format!("type {other:?}")),
        }
    }

    fn reference(&mut self, reference: &str, source: &Source) -> Result<TypeRef, ModelError> {
        let Some(name) = ref_target(reference) else {
            return self.unsupported(source, format!("non-local $ref {reference:?}"));
        };
        if externs::is_apimachinery(name) {
            return match externs::runtime_type(name) {
                Some(t) => Ok(TypeRef::Extern(t.into())),
                None => Err(ModelError::UnknownExtern {
                    name: name.to_owned(),
                    message: format!(
                        "referenced at {} {}; kubegen-runtime has no hand-written type for it",
                        source.file.display(),
                        source.pointer
                    ),
                }),
            };
        }
        if let Some(path) = self.externals.get(name) {
            return Ok(TypeRef::Extern(path.clone()));
        }
        Ok(TypeRef::Named(name.to_owned()))
    }

    /// Reserves the id and Rust name of a type for an inline schema, named after its parent
    /// and property.
    fn reserve_inline(
        &mut self,
        place: &Place<'_>,
        source: &Source,
        prop: &str,
    ) -> (TypeId, String) {
        let id = format!("{}.{}", place.type_id, source.pointer.as_str());
        let wanted = format!("{}{}", place.rust_name, naming::type_name(prop));
        let rust_name = self.claim_name(place.module, wanted);
        (id, rust_name)
    }

    /// Registers the type reserved with [`Converter::reserve_inline`].
    fn insert_inline(
        &mut self,
        id: TypeId,
        rust_name: String,
        body: TypeBody,
        schema: &Schema,
        place: &Place<'_>,
        source: &Source,
    ) -> TypeRef {
        self.inline.insert(
            id.clone(),
            TypeDef {
                id: id.clone(),
                rust_name,
                module: place.module.clone(),
                doc: schema.schema_data.description.clone(),
                body,
                gvk: None,
                resource: None,
                source: source.clone(),
            },
        );
        TypeRef::Named(id)
    }
}

const INT_OR_STRING: &str = "x-kubernetes-int-or-string";
const PRESERVE: &str = "x-kubernetes-preserve-unknown-fields";
const EMBEDDED_RESOURCE: &str = "x-kubernetes-embedded-resource";

/// An embedded resource (`x-kubernetes-embedded-resource`) always has `apiVersion`, `kind`
/// and `metadata`, declared or not.
fn add_embedded_resource_fields(fields: &mut Vec<Field>) {
    let implied = [
        ("apiVersion", "api_version", TypeRef::String),
        ("kind", "kind", TypeRef::String),
        ("metadata", "metadata", TypeRef::Json),
    ];
    for (json_name, rust_name, ty) in implied {
        if fields.iter().any(|f| f.json_name == json_name) {
            continue;
        }
        fields.push(Field {
            json_name: json_name.into(),
            rust_name: rust_name.into(),
            doc: None,
            ty,
            required: false,
            plain: false,
            boxed: false,
            default: None,
            flatten: false,
            one_of: false,
        });
    }
    fields.sort_by(|a, b| a.json_name.cmp(&b.json_name));
}

/// Names of the properties a `*List` kind has: it is an alias of the runtime's `List<T>`.
const LIST_PROPERTIES: [&str; 4] = ["apiVersion", "items", "kind", "metadata"];

/// If a struct is a list (`apiVersion`, `items: [T]`, `kind`, `metadata: ListMeta`), its item.
pub(super) fn list_item(fields: &[Field]) -> Option<TypeRef> {
    let names: Vec<&str> = fields.iter().map(|f| f.json_name.as_str()).collect();
    if names != LIST_PROPERTIES {
        return None;
    }
    let meta = fields.iter().find(|f| f.json_name == "metadata")?;
    if meta.ty != TypeRef::Extern(externs::LIST_META.into()) {
        return None;
    }
    match &fields.iter().find(|f| f.json_name == "items")?.ty {
        TypeRef::Array(item) if matches!(**item, TypeRef::Named(_)) => Some((**item).clone()),
        _ => None,
    }
}
