//! Special cases for quirks of the Kubernetes spec.
//!
//! Each fixup checks that the quirk it works around is still there and fails loudly when it is
//! not, so a fixup never silently stops applying (or silently applies to something else).

use std::collections::BTreeMap;

use super::view::view;
use super::{ModelError, Source, TypeBody, TypeRef, Variant};
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
