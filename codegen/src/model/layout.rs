//! Memory layout decisions: which fields are stored behind a `Box`.
//!
//! An optional field holding a large struct costs its whole size in every parent even when
//! unset (k8s-openapi's `Volume` is 3.2 KB because its 30 optional volume sources are inline).
//! Boxing such fields makes an unset one cost 8 bytes. Fields of top-level kinds (`spec`,
//! `status`) stay inline: there is one per object and they are nearly always set. Cycles of
//! inline containment (`JSONSchemaProps`) are broken with a `Box` too.

use std::collections::{BTreeMap, BTreeSet};

use super::{TypeBody, TypeDef, TypeId, TypeRef};

/// Optional (not API-required) struct fields larger than this many bytes (estimated) are
/// boxed; required ones are nearly always set, so boxing them would only add an allocation.
const BOX_THRESHOLD: usize = 16;

pub(super) fn apply(types: &mut BTreeMap<TypeId, TypeDef>) {
    let sizes = estimate_sizes(types);
    for def in types.values_mut() {
        let is_kind = def.gvk.is_some();
        // A union is as large as its largest variant: box the large ones.
        if let TypeBody::Union { variants } = &mut def.body {
            for v in variants {
                if let TypeRef::Named(id) = &v.ty {
                    v.boxed = sizes.get(id).copied().unwrap_or(0) > BOX_THRESHOLD;
                }
            }
        }
        // So is a one-of enum: `Option<VolumeSource>` is 16 bytes with boxed sources.
        if let TypeBody::OneOf { variants } = &mut def.body {
            for v in variants {
                if let TypeRef::Named(id) = &v.ty {
                    v.boxed = sizes.get(id).copied().unwrap_or(0) > BOX_THRESHOLD;
                }
            }
        }
        if let TypeBody::Struct { fields } = &mut def.body {
            for field in fields {
                if let TypeRef::Named(id) = &field.ty {
                    let size = sizes.get(id).copied().unwrap_or(0);
                    // A one-of field is small already: its members are the boxed ones.
                    if !field.required && !is_kind && !field.one_of && size > BOX_THRESHOLD {
                        field.boxed = true;
                    }
                }
            }
        }
    }
    break_cycles(types);
}

/// Estimated `size_of` of a type, in bytes; close enough to rank types.
fn estimate_sizes(types: &BTreeMap<TypeId, TypeDef>) -> BTreeMap<TypeId, usize> {
    let mut sizes = BTreeMap::new();
    for id in types.keys() {
        let mut visiting = BTreeSet::new();
        size_of_named(id, types, &mut sizes, &mut visiting);
    }
    sizes
}

fn size_of_named(
    id: &str,
    types: &BTreeMap<TypeId, TypeDef>,
    sizes: &mut BTreeMap<TypeId, usize>,
    visiting: &mut BTreeSet<TypeId>,
) -> usize {
    if let Some(size) = sizes.get(id) {
        return *size;
    }
    if !visiting.insert(id.to_owned()) {
        return 8; // a cycle: it will be boxed
    }
    let size = match types.get(id).map(|d| &d.body) {
        Some(TypeBody::Struct { fields }) => fields
            .iter()
            .map(|f| {
                if f.boxed {
                    8
                } else {
                    size_of_ref(&f.ty, types, sizes, visiting) + usize::from(!f.plain) * 8
                }
            })
            .sum(),
        Some(TypeBody::List { .. }) => 96,
        Some(TypeBody::Alias(ty)) => size_of_ref(ty, types, sizes, visiting),
        Some(TypeBody::Union { variants }) => {
            8 + variants
                .iter()
                .map(|v| {
                    if v.boxed {
                        8
                    } else {
                        size_of_ref(&v.ty, types, sizes, visiting)
                    }
                })
                .max()
                .unwrap_or(0)
        }
        Some(TypeBody::OneOf { variants }) => {
            // As laid out by `apply`: large members boxed.
            8 + variants
                .iter()
                .map(|v| match size_of_ref(&v.ty, types, sizes, visiting) {
                    size if v.boxed || size > BOX_THRESHOLD => 8,
                    size => size,
                })
                .max()
                .unwrap_or(0)
        }
        Some(TypeBody::Enum { .. }) => 1,
        None => 8,
    };
    visiting.remove(id);
    sizes.insert(id.to_owned(), size);
    size
}

fn size_of_ref(
    ty: &TypeRef,
    types: &BTreeMap<TypeId, TypeDef>,
    sizes: &mut BTreeMap<TypeId, usize>,
    visiting: &mut BTreeSet<TypeId>,
) -> usize {
    match ty {
        TypeRef::Bool => 1,
        TypeRef::I32 => 4,
        TypeRef::I64 | TypeRef::F64 => 8,
        TypeRef::String => 16,
        TypeRef::Bytes | TypeRef::Array(_) | TypeRef::Map(_) => 24,
        TypeRef::Json => 32,
        TypeRef::Extern(name) => match name.as_str() {
            "ObjectMeta" => 360,
            "ListMeta" => 96,
            "LabelSelector" => 48,
            "Time" | "MicroTime" => 8,
            _ => 32,
        },
        TypeRef::Named(id) => size_of_named(id, types, sizes, visiting),
    }
}

/// Boxes the fields (and union variants) that close a cycle of inline containment.
fn break_cycles(types: &mut BTreeMap<TypeId, TypeDef>) {
    loop {
        let Some((owner, index)) = find_cycle_edge(types) else {
            return;
        };
        if let Some(def) = types.get_mut(&owner) {
            match &mut def.body {
                TypeBody::Struct { fields } => fields[index].boxed = true,
                TypeBody::Union { variants } => variants[index].boxed = true,
                TypeBody::OneOf { variants } => variants[index].boxed = true,
                _ => return,
            }
        }
    }
}

/// Inline edges of a type: (edge index, target id).
fn inline_edges(def: &TypeDef) -> Vec<(usize, TypeId)> {
    let mut out = Vec::new();
    match &def.body {
        TypeBody::Struct { fields } => {
            for (i, f) in fields.iter().enumerate() {
                if let (TypeRef::Named(id), false) = (&f.ty, f.boxed) {
                    out.push((i, id.clone()));
                }
            }
        }
        TypeBody::Union { variants } => {
            for (i, v) in variants.iter().enumerate() {
                if let (TypeRef::Named(id), false) = (&v.ty, v.boxed) {
                    out.push((i, id.clone()));
                }
            }
        }
        TypeBody::OneOf { variants } => {
            for (i, v) in variants.iter().enumerate() {
                if let (TypeRef::Named(id), false) = (&v.ty, v.boxed) {
                    out.push((i, id.clone()));
                }
            }
        }
        TypeBody::Alias(TypeRef::Named(id)) => out.push((usize::MAX, id.clone())),
        _ => {}
    }
    out
}

/// Depth-first search for a back edge; returns the owner and index of the edge to box.
fn find_cycle_edge(types: &BTreeMap<TypeId, TypeDef>) -> Option<(TypeId, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        id: &str,
        types: &BTreeMap<TypeId, TypeDef>,
        marks: &mut BTreeMap<TypeId, Mark>,
    ) -> Option<(TypeId, usize)> {
        marks.insert(id.to_owned(), Mark::Visiting);
        let def = types.get(id)?;
        for (index, target) in inline_edges(def) {
            match marks.get(&target) {
                Some(Mark::Visiting) if index != usize::MAX => return Some((id.to_owned(), index)),
                Some(_) => {}
                None => {
                    if let Some(found) = visit(&target, types, marks) {
                        return Some(found);
                    }
                }
            }
        }
        marks.insert(id.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for id in types.keys() {
        if !marks.contains_key(id) {
            if let Some(found) = visit(id, types, &mut marks) {
                return Some(found);
            }
        }
    }
    None
}
