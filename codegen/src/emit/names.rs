//! Which names a generated file imports and which it must spell out in full.
//!
//! A file refers to its own type, types of its own module, types of other modules and the
//! runtime's meta types. Each gets a short name through a `use` unless the short name is
//! already taken in the file, in which case it is written as a full path.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Model, ModuleId, TypeBody, TypeDef, TypeRef};

/// The names one file uses, resolved.
pub(crate) struct Names {
    /// Full path by short name, for names that are imported.
    imports: BTreeMap<String, String>,
    /// Token paths by (kind, key): key is a TypeId or an extern name.
    paths: BTreeMap<String, TokenStream>,
}

const META: &str = "kubegen_runtime::meta";

pub(crate) fn path_tokens(path: &str) -> TokenStream {
    let segments = path.split("::").map(|s| format_ident!("{}", s));
    quote!(#(#segments)::*)
}

pub(crate) fn module_path(module: &ModuleId) -> String {
    format!("crate::{}::{}", module.group, module.version)
}

fn collect_refs(ty: &TypeRef, out: &mut BTreeSet<TypeRef>) {
    match ty {
        TypeRef::Array(inner) => collect_refs(inner, out),
        TypeRef::Map(inner) => {
            out.insert(TypeRef::Extern("Map".into()));
            collect_refs(inner, out);
        }
        TypeRef::String => {
            out.insert(TypeRef::Extern("CompactString".into()));
        }
        other => {
            out.insert(other.clone());
        }
    }
}

impl Names {
    /// Resolves every name `def` needs: its field types, the extra extern (meta) names, and
    /// the support items its impls use, given as full paths (`serde::Serialize`,
    /// `kubegen_runtime::meta::serde_impl`) and looked up by that full path in [`Names::path`].
    pub(crate) fn resolve(
        model: &Model,
        def: &TypeDef,
        extra_externs: &[&str],
        support: &[&str],
    ) -> Names {
        let mut refs = BTreeSet::new();
        match &def.body {
            TypeBody::Struct { fields } => fields.iter().for_each(|f| {
                if f.boxed && !f.flatten {
                    refs.insert(TypeRef::Extern("Shared".into()));
                }
                collect_refs(&f.ty, &mut refs)
            }),
            TypeBody::List { item } | TypeBody::Alias(item) => collect_refs(item, &mut refs),
            TypeBody::Union { variants } => {
                variants.iter().for_each(|v| collect_refs(&v.ty, &mut refs))
            }
            TypeBody::OneOf { variants } => variants.iter().for_each(|v| {
                if v.boxed {
                    refs.insert(TypeRef::Extern("Shared".into()));
                }
                collect_refs(&v.ty, &mut refs)
            }),
            // The member holding a value the schema does not list.
            TypeBody::Enum { .. } => {
                refs.insert(TypeRef::Extern("CompactString".into()));
            }
        }
        let mut taken: BTreeSet<String> = BTreeSet::new();
        taken.insert(def.rust_name.clone());
        let mut names = Names {
            imports: BTreeMap::new(),
            paths: BTreeMap::new(),
        };
        // Priority: own module, then the runtime, then other modules (all sorted): the
        // outcome depends only on the set of names, never on visiting order.
        let mut wanted: Vec<(u8, String, String, String)> = Vec::new(); // (rank, short, full, key)
        for r in &refs {
            match r {
                TypeRef::Named(id) => {
                    let Some(target) = model.type_def(id) else {
                        continue;
                    };
                    if target.id == def.id {
                        names
                            .paths
                            .insert(id.clone(), path_tokens(&target.rust_name));
                        continue;
                    }
                    let rank = if target.module == def.module { 0 } else { 2 };
                    let full = if target.module == def.module {
                        format!("super::{}", target.rust_name)
                    } else {
                        format!("{}::{}", module_path(&target.module), target.rust_name)
                    };
                    wanted.push((rank, target.rust_name.clone(), full, id.clone()));
                }
                TypeRef::Extern(name) => {
                    // A full path (`kubegen_api::autoscaling::v1::Scale`) names a type of
                    // another generated crate; a bare name, one of the runtime's meta types.
                    let (short, full) = match name.rsplit_once("::") {
                        Some((_, short)) => (short.to_owned(), name.clone()),
                        None => (name.clone(), format!("{META}::{name}")),
                    };
                    wanted.push((1, short, full, name.clone()))
                }
                TypeRef::Bytes => {
                    let name = "ByteString".to_owned();
                    wanted.push((1, name.clone(), format!("{META}::{name}"), name))
                }
                _ => {}
            }
        }
        for name in extra_externs {
            wanted.push((
                1,
                (*name).to_owned(),
                format!("{META}::{name}"),
                (*name).to_owned(),
            ));
        }
        for full in support {
            let short = full.rsplit_once("::").map_or(*full, |(_, short)| short);
            wanted.push((1, short.to_owned(), (*full).to_owned(), (*full).to_owned()));
        }
        wanted.sort();
        wanted.dedup();
        for (_, short, full, key) in wanted {
            if taken.insert(short.clone()) {
                names.paths.insert(key, path_tokens(&short));
                names.imports.insert(short, full);
            } else {
                let full = full.replacen("super::", &format!("{}::", module_path(&def.module)), 1);
                names.paths.insert(key, path_tokens(&full));
            }
        }
        names
    }

    /// The tokens naming a generated type or meta type.
    pub(crate) fn path(&self, key: &str) -> TokenStream {
        self.paths
            .get(key)
            .cloned()
            .unwrap_or_else(|| path_tokens(key))
    }

    /// `use` items for the imported names, grouped by parent path: std first, then other
    /// crates, then this crate, then the parent module.
    pub(crate) fn use_items(&self) -> TokenStream {
        use_items(self.imports.values())
    }
}

/// The names a hand-shaped file (a client, an informer) imports, collected as the emitter
/// asks for them: the first full path to claim a short name gets it, later ones with the same
/// short name are spelled out in full.
#[derive(Default)]
pub(crate) struct Imports {
    /// Full path by short name.
    imports: BTreeMap<String, String>,
}

impl Imports {
    /// Keeps `short` from being imported: the file defines an item of that name.
    pub(crate) fn reserve(&mut self, short: &str) {
        self.imports.entry(short.to_owned()).or_default();
    }

    /// The tokens naming `full` (`kubegen_runtime::rest::GetOptions`) in this file.
    pub(crate) fn name(&mut self, full: &str) -> TokenStream {
        let short = full.rsplit_once("::").map_or(full, |(_, short)| short);
        match self.imports.get(short) {
            Some(existing) if existing == full => path_tokens(short),
            Some(_) => path_tokens(full),
            None => {
                self.imports.insert(short.to_owned(), full.to_owned());
                path_tokens(short)
            }
        }
    }

    /// `use` items for what was asked for, grouped as [`Names::use_items`] groups them.
    pub(crate) fn use_items(&self) -> TokenStream {
        use_items(self.imports.values().filter(|full| !full.is_empty()))
    }
}

/// `use` items for full paths, grouped by parent path: std first, then other crates, then
/// this crate, then the parent module.
fn use_items<'a>(paths: impl Iterator<Item = &'a String>) -> TokenStream {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for full in paths {
        if let Some((parent, last)) = full.rsplit_once("::") {
            groups
                .entry(parent.to_owned())
                .or_default()
                .push(last.to_owned());
        }
    }
    let rank = |parent: &str| match parent.split("::").next() {
        Some("std") => 0,
        Some("crate") => 2,
        Some("super") => 3,
        _ => 1,
    };
    let mut groups: Vec<(String, Vec<String>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    let items = groups.into_iter().map(|(parent, mut leaves)| {
        leaves.sort();
        let parent = path_tokens(&parent);
        let leaves = leaves.iter().map(|l| format_ident!("{}", l));
        if leaves.len() == 1 {
            quote!(use #parent::#(#leaves)*;)
        } else {
            quote!(use #parent::{#(#leaves),*};)
        }
    });
    quote!(#(#items)*)
}
