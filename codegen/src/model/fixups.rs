//! Special cases for quirks of the Kubernetes spec.
//!
//! Each fixup checks that the quirk it works around is still there and fails loudly when it is
//! not, so a fixup never silently stops applying (or silently applies to something else).

use std::collections::BTreeMap;

use super::types::Converter;
use super::view::view;
use super::{
    naming, Field, ModelError, OneOfVariant, Source, TypeBody, TypeDef, TypeId, TypeRef, Variant,
};
use crate::spec::Spec;

const APIEXTENSIONS: &str = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";

/// `JSONSchemaPropsOr{Array,Bool,StringArray}` are declared as schemas with no type at all (Go
/// types with custom JSON marshalling); on the wire they are untagged unions.
fn union_fixups() -> Vec<(String, Vec<Variant>)> {
    let props = || TypeRef::Named(format!("{APIEXTENSIONS}JSONSchemaProps"));
    let variant = |name: &str, ty: TypeRef| Variant {
        name: name.into(),
        ty,
        boxed: false,
    };
    vec![
        (
            format!("{APIEXTENSIONS}JSONSchemaPropsOrArray"),
            vec![
                variant("Schema", props()),
                variant("Schemas", TypeRef::Array(Box::new(props()))),
            ],
        ),
        (
            format!("{APIEXTENSIONS}JSONSchemaPropsOrBool"),
            vec![variant("Schema", props()), variant("Bool", TypeRef::Bool)],
        ),
        (
            format!("{APIEXTENSIONS}JSONSchemaPropsOrStringArray"),
            vec![
                variant("Schema", props()),
                variant("Strings", TypeRef::Array(Box::new(TypeRef::String))),
            ],
        ),
    ]
}

/// The union bodies to use instead of converting these schemas, after checking each quirk.
pub(super) fn unions(spec: &Spec) -> Result<BTreeMap<String, TypeBody>, ModelError> {
    let mut out = BTreeMap::new();
    for (name, variants) in union_fixups() {
        let Some(entry) = spec.schema(&name) else {
            // Not every spec has apiextensions (a CRD-only spec, a small fixture).
            continue;
        };
        let v = view(&entry.schema);
        if v.typ.is_some() || v.properties.is_some() || v.items.is_some() || !v.one_of.is_empty() {
            let source = Source {
                file: entry.file.clone(),
                pointer: entry.pointer.clone(),
            };
            return Err(ModelError::FixupNoLongerApplies {
                file: source.file,
                pointer: source.pointer,
                message: format!(
                    "{name} now declares its shape; the untagged-union fixup must be revisited"
                ),
            });
        }
        out.insert(name, TypeBody::Union { variants });
    }
    Ok(out)
}

/// A struct whose object-valued members are mutually exclusive ("only one of its members may
/// be specified": Go embeds a `...Source` struct). Its members become one enum field, so an
/// unset member costs nothing instead of an 8-byte slot each.
struct OneOfFixup {
    /// The struct's schema.
    schema: &'static str,
    /// Its fields outside the group, kept as they are.
    plain: &'static [&'static str],
    /// The Rust name of the enum, in the struct's module; must be free there.
    enum_name: &'static str,
    /// The struct's field holding the enum.
    field: &'static str,
    /// Doc comments of the enum and of the field.
    enum_doc: &'static str,
    field_doc: &'static str,
}

/// Every one-of struct.
const ONE_OFS: &[OneOfFixup] = &[
    OneOfFixup {
        schema: "io.k8s.api.core.v1.Volume",
        plain: &["name"],
        enum_name: "VolumeSource",
        field: "source",
        enum_doc: "Where a volume's contents come from: exactly one of these sources. On the wire \
                   the source is a key of the `Volume` object itself (`{\"name\": \"x\", \
                   \"configMap\": {...}}`).",
        field_doc: "The volume's source; the API allows exactly one. `None` when the object \
                    names none (or only sources this version does not know).",
    },
    OneOfFixup {
        schema: "io.k8s.api.core.v1.PersistentVolumeSpec",
        plain: &[
            "accessModes",
            "capacity",
            "claimRef",
            "mountOptions",
            "nodeAffinity",
            "persistentVolumeReclaimPolicy",
            "storageClassName",
            "volumeAttributesClassName",
            "volumeMode",
        ],
        enum_name: "PersistentVolumeSource",
        field: "source",
        enum_doc: "Where a persistent volume's storage is: exactly one of these sources. On the \
                   wire the source is a key of the `PersistentVolumeSpec` object itself.",
        field_doc: "The persistent volume's source; the API allows exactly one. `None` when the \
                    object names none (or only sources this version does not know).",
    },
];

/// Turns each one-of struct's group of members into one field holding a new enum type,
/// after checking that the group is still what the fixup expects.
pub(super) fn one_ofs(
    types: &mut BTreeMap<TypeId, TypeDef>,
    converter: &mut Converter,
) -> Result<(), ModelError> {
    for fixup in ONE_OFS {
        let Some(def) = types.get(fixup.schema) else {
            continue; // a spec without this group-version (CRD-only, a small fixture)
        };
        let (variants, kept) = one_of_members(fixup, def, types)?;
        let fail = |message: String| ModelError::FixupNoLongerApplies {
            file: def.source.file.clone(),
            pointer: def.source.pointer.clone(),
            message,
        };
        let enum_id = format!("{}.{}", fixup.schema, fixup.field);
        if types.contains_key(&enum_id) {
            return Err(fail(format!("{enum_id} already names a type")));
        }
        let module = def.module.clone();
        let rust_name = converter.claim_name(&module, fixup.enum_name.to_owned());
        if rust_name != fixup.enum_name {
            return Err(fail(format!(
                "{} already names a type in {module}; the one-of fixup of {} must pick another \
                 enum name",
                fixup.enum_name, fixup.schema
            )));
        }
        let enum_def = TypeDef {
            id: enum_id.clone(),
            rust_name,
            module,
            doc: Some(fixup.enum_doc.to_owned()),
            body: TypeBody::OneOf { variants },
            gvk: None,
            resource: None,
            source: def.source.clone(),
        };
        let mut fields = kept;
        fields.push(Field {
            json_name: String::new(),
            rust_name: fixup.field.to_owned(),
            doc: Some(fixup.field_doc.to_owned()),
            ty: TypeRef::Named(enum_id.clone()),
            required: false,
            plain: false,
            boxed: false,
            default: None,
            flatten: false,
            one_of: true,
        });
        if let Some(def) = types.get_mut(fixup.schema) {
            def.body = TypeBody::Struct { fields };
        }
        types.insert(enum_id, enum_def);
    }
    Ok(())
}

/// The group's members as enum variants, and the struct's other fields; an error when the
/// struct no longer has the expected shape.
fn one_of_members(
    fixup: &OneOfFixup,
    def: &TypeDef,
    types: &BTreeMap<TypeId, TypeDef>,
) -> Result<(Vec<OneOfVariant>, Vec<Field>), ModelError> {
    let fail = |message: String| ModelError::FixupNoLongerApplies {
        file: def.source.file.clone(),
        pointer: def.source.pointer.clone(),
        message: format!(
            "{}: {message}; the one-of fixup must be revisited",
            fixup.schema
        ),
    };
    let TypeBody::Struct { fields } = &def.body else {
        return Err(fail("no longer an object".into()));
    };
    if def.gvk.is_some() {
        return Err(fail("now a kind".into()));
    }
    let mut variants = Vec::new();
    let mut kept = Vec::new();
    for field in fields {
        if fixup.plain.contains(&field.json_name.as_str()) {
            if field.plain || field.flatten || field.rust_name == fixup.field {
                return Err(fail(format!("field {:?} cannot be kept", field.json_name)));
            }
            kept.push(field.clone());
            continue;
        }
        let is_struct = match &field.ty {
            TypeRef::Named(id) => matches!(
                types.get(id).map(|t| &t.body),
                Some(TypeBody::Struct { .. })
            ),
            _ => false,
        };
        if !is_struct || field.required || field.flatten {
            return Err(fail(format!(
                "member {:?} is not an optional object",
                field.json_name
            )));
        }
        variants.push(OneOfVariant {
            json_name: field.json_name.clone(),
            rust_name: naming::type_name(&field.json_name),
            doc: field.doc.clone(),
            ty: field.ty.clone(),
            boxed: false,
        });
    }
    if kept.len() != fixup.plain.len() {
        return Err(fail(format!(
            "some of the fields {:?} are gone",
            fixup.plain
        )));
    }
    if variants.len() < 2 {
        return Err(fail("fewer than two members are left".into()));
    }
    let mut names: Vec<&str> = variants.iter().map(|v| v.rust_name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(fail("two members have the same variant name".into()));
    }
    Ok((variants, kept))
}
