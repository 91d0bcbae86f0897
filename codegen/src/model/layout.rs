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
/// Smaller ones stay inline: a box costs an allocation and its free (the bulk of decoding
/// time is the allocator's), a 16-byte count header when set and a pointer even when unset.
/// At 48 a realistic pod takes 54 allocations instead of 86 for 8% more heap (8.4 KB).
const BOX_THRESHOLD: usize = 48;

pub(super) fn apply(types: &mut BTreeMap<TypeId, TypeDef>) {
    let mut sizer = Sizer {
        types,
        sizes: BTreeMap::new(),
        owns_heap: BTreeMap::new(),
        boxed: BTreeMap::new(),
        visiting: BTreeSet::new(),
    };
    let ids: Vec<TypeId> = types.keys().cloned().collect();
    for id in &ids {
        sizer.size_of_named(id);
    }
    let decisions = sizer.boxed;
    for (id, flags) in decisions {
        let Some(def) = types.get_mut(&id) else {
            continue;
        };
        match &mut def.body {
            TypeBody::Struct { fields } => {
                for (field, boxed) in fields.iter_mut().zip(flags) {
                    field.boxed = boxed;
                }
            }
            TypeBody::Union { variants } => {
                for (variant, boxed) in variants.iter_mut().zip(flags) {
                    variant.boxed = boxed;
                }
            }
            TypeBody::OneOf { variants } => {
                for (variant, boxed) in variants.iter_mut().zip(flags) {
                    variant.boxed = boxed;
                }
            }
            _ => {}
        }
    }
    break_cycles(types);
}

/// Decides boxing bottom-up: a type's size is estimated as laid out, with its own large
/// optional members already boxed, so a struct of optional boxed members (`Affinity`,
/// `ContainerState`) is known to be small and is kept inline by its parent.
///
/// A small struct that owns heap data inline (a list, a map, JSON) is boxed all the same:
/// boxed sub-objects are what an informer cache keeps once for all the objects that repeat
/// them (`meta::sharing`), and a projected volume's sources or a security context's
/// capabilities repeat in every pod of a Deployment.
struct Sizer<'a> {
    types: &'a BTreeMap<TypeId, TypeDef>,
    /// Estimated `size_of` of each type as laid out, in bytes; close enough to rank types.
    sizes: BTreeMap<TypeId, usize>,
    /// Whether a type, as laid out, owns heap data outside boxed members and strings.
    owns_heap: BTreeMap<TypeId, bool>,
    /// The boxing of each struct field / union or one-of variant, by index.
    boxed: BTreeMap<TypeId, Vec<bool>>,
    visiting: BTreeSet<TypeId>,
}

impl Sizer<'_> {
    fn size_of_named(&mut self, id: &str) -> usize {
        if let Some(size) = self.sizes.get(id) {
            return *size;
        }
        if !self.visiting.insert(id.to_owned()) {
            return 8; // a cycle: it will be boxed
        }
        let types = self.types;
        let (size, owns_heap) = match types.get(id) {
            Some(def) => self.lay_out(id, def),
            None => (8, true),
        };
        self.visiting.remove(id);
        self.sizes.insert(id.to_owned(), size);
        self.owns_heap.insert(id.to_owned(), owns_heap);
        size
    }

    /// Whether a value of `ty` held inline owns heap data that sharing could not reach:
    /// collections and JSON do; strings are shared one by one, boxed members as a whole.
    fn owns_heap(&mut self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Bytes | TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Json => true,
            TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 | TypeRef::String => false,
            TypeRef::Extern(name) => !matches!(
                name.as_str(),
                "Time" | "MicroTime" | "Quantity" | "IntOrString"
            ),
            TypeRef::Named(id) => {
                self.size_of_named(id);
                // Unknown while its own layout is in progress (a cycle): assume it does.
                self.owns_heap.get(id.as_str()).copied().unwrap_or(true)
            }
        }
    }

    /// Decides the boxing of `def`'s members; returns its size and whether it owns heap data.
    fn lay_out(&mut self, id: &str, def: &TypeDef) -> (usize, bool) {
        let is_kind = def.gvk.is_some();
        match &def.body {
            TypeBody::Struct { fields } => {
                let mut flags = Vec::with_capacity(fields.len());
                let mut total = 0;
                let mut owns_heap = false;
                for field in fields {
                    let inner = self.size_of_ref(&field.ty);
                    let field_owns_heap = self.owns_heap(&field.ty);
                    // Fields of top-level kinds (`spec`, `status`) stay inline: there is one
                    // per object and they are nearly always set. A one-of field is small
                    // already: its members are the boxed ones.
                    let boxed = field.boxed
                        || (matches!(field.ty, TypeRef::Named(_))
                            && !field.required
                            && !is_kind
                            && !field.one_of
                            && (inner > BOX_THRESHOLD || field_owns_heap));
                    owns_heap |= !boxed && field_owns_heap;
                    flags.push(boxed);
                    total += match (boxed, field.plain) {
                        (true, _) => 8,
                        (false, true) => inner,
                        (false, false) => Self::optional_size(&field.ty, inner),
                    };
                }
                self.boxed.insert(id.to_owned(), flags);
                (total.next_multiple_of(8), owns_heap)
            }
            TypeBody::List { .. } => (96, true),
            TypeBody::Alias(ty) => (self.size_of_ref(ty), self.owns_heap(ty)),
            // A union or one-of enum is as large as its largest variant: box the large ones
            // (`Option<VolumeSource>` is 56 bytes, not the 3.2 KB of its sources inline).
            TypeBody::Union { variants } => {
                let members: Vec<_> = variants.iter().map(|v| (&v.ty, v.boxed)).collect();
                self.lay_out_variants(id, &members)
            }
            TypeBody::OneOf { variants } => {
                let members: Vec<_> = variants.iter().map(|v| (&v.ty, v.boxed)).collect();
                self.lay_out_variants(id, &members)
            }
            // Its member for unlisted values holds a string: laid out like a string field.
            TypeBody::Enum { .. } => (self.size_of_ref(&TypeRef::String), false),
        }
    }

    fn lay_out_variants(&mut self, id: &str, variants: &[(&TypeRef, bool)]) -> (usize, bool) {
        let mut flags = Vec::with_capacity(variants.len());
        let mut largest = 0;
        let mut owns_heap = false;
        for (ty, boxed) in variants {
            let size = self.size_of_ref(ty);
            let variant_owns_heap = self.owns_heap(ty);
            let boxed = match ty {
                TypeRef::Named(_) => size > BOX_THRESHOLD || variant_owns_heap,
                _ => *boxed,
            };
            owns_heap |= !boxed && variant_owns_heap;
            flags.push(boxed);
            largest = largest.max(if boxed { 8 } else { size });
        }
        self.boxed.insert(id.to_owned(), flags);
        (8 + largest, owns_heap)
    }

    /// Size of `Option<T>` for a `T` of `inner` bytes: the same where `T` has a niche (strings,
    /// vectors, structs, enums), one word more for numbers.
    fn optional_size(ty: &TypeRef, inner: usize) -> usize {
        match ty {
            TypeRef::I32 => 8,
            TypeRef::I64 | TypeRef::F64 => 16,
            _ => inner,
        }
    }

    fn size_of_ref(&mut self, ty: &TypeRef) -> usize {
        match ty {
            TypeRef::Bool => 1,
            TypeRef::I32 => 4,
            TypeRef::I64 | TypeRef::F64 => 8,
            TypeRef::String => 16,
            TypeRef::Bytes | TypeRef::Array(_) | TypeRef::Map(_) => 24,
            TypeRef::Json => 32,
            TypeRef::Extern(name) => match name.as_str() {
                "ObjectMeta" => 264,
                "ListMeta" => 96,
                "LabelSelector" => 48,
                "Time" | "MicroTime" => 8,
                "Quantity" | "IntOrString" => 16,
                _ => 32,
            },
            TypeRef::Named(id) => self.size_of_named(id),
        }
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
