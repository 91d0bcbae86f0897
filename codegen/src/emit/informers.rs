//! Typed informers and listers (client-go's `informers` and `listers` packages): per
//! group-version an accessor on the shared informer factory (`informers/mod.rs`), per listable
//! and watchable resource a typed informer and a typed lister over the runtime's generic ones,
//! in a file of its own (`informers/pods.rs`). Every method
//! is `#[inline]`: the informer machinery it reaches (reflector, decoding, cache) is then
//! compiled only for the resources a program uses, not for every resource in this crate.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::clients::group_client_name;
use super::docs::{doc_attrs, inner_doc_attrs};
use super::names::{module_path, Imports};
use super::ModuleFile;
use crate::model::{ClientDef, Model, ModuleId};

const CACHE: &str = "kubegen_runtime::cache";
const REST: &str = "kubegen_runtime::rest";

/// Whether a resource gets an informer: it must be listable and watchable.
pub(crate) fn has_informer(c: &ClientDef) -> bool {
    c.resource.has_verb("list") && c.resource.has_verb("watch")
}

/// `AppsV1Informers` for `apps::v1`.
pub(crate) fn group_informers_name(id: &ModuleId) -> String {
    group_client_name(id).replace("Client", "Informers")
}

/// `pods` in `core/v1`: the stem of a resource's informer file (as its client file's).
fn file_stem(c: &ClientDef) -> String {
    super::clients::file_stem(c)
}

/// The files of a module's `informers/` directory (`mod.rs` first, then one per watchable
/// resource) and the names the module re-exports from it; `None` when no resource there can
/// be watched.
pub(crate) fn module_files(
    model: &Model,
    id: &ModuleId,
    clients: &[&ClientDef],
) -> Option<(Vec<ModuleFile>, Vec<String>)> {
    let clients: Vec<&ClientDef> = clients
        .iter()
        .copied()
        .filter(|c| has_informer(c))
        .collect();
    if clients.is_empty() {
        return None;
    }
    let api_version = {
        let g = &model.modules()[id].api_group;
        if g.is_empty() {
            id.version.clone()
        } else {
            format!("{g}/{}", id.version)
        }
    };
    let mut files = vec![group_file(model, id, &clients, &api_version)];
    let mut exports = vec![group_informers_name(id)];
    for c in &clients {
        exports.extend(resource_exports(model, c));
        files.push(ModuleFile {
            name: format!("{}.rs", file_stem(c)),
            about: format!(
                "The typed informer and lister of `{}` (`{api_version}`)",
                c.resource.plural
            ),
            tokens: resource_file(model, c, &api_version),
        });
    }
    Some((files, exports))
}

/// `PodInformer` and `PodLister`.
fn resource_exports(model: &Model, c: &ClientDef) -> [String; 2] {
    let kind = &model.types()[&c.kind].rust_name;
    [format!("{kind}Informer"), format!("{kind}Lister")]
}

/// The kind of a resource, as the files of `informers/` name it.
fn kind_path(model: &Model, c: &ClientDef, imports: &mut Imports) -> TokenStream {
    let def = &model.types()[&c.kind];
    imports.name(&format!("{}::{}", module_path(&def.module), def.rust_name))
}

/// `informers/mod.rs`: the group-version's informers on a shared informer factory.
fn group_file(
    model: &Model,
    id: &ModuleId,
    clients: &[&ClientDef],
    api_version: &str,
) -> ModuleFile {
    let mut imports = Imports::default();
    let group = format_ident!("{}", group_informers_name(id));
    imports.reserve(&group.to_string());
    for c in clients {
        for name in resource_exports(model, c) {
            imports.reserve(&name);
        }
    }
    let module_doc = inner_doc_attrs(&format!("Typed informers and listers of `{api_version}`."));
    let group_doc = doc_attrs(Some(&format!(
        "The informers of `{api_version}` from a shared informer factory: asking twice for the \
         same resource gives the same informer."
    )));
    let factory = imports.name(&format!("{CACHE}::SharedInformerFactory"));
    let client = imports.name(&format!("{REST}::Client"));
    let mut mods = Vec::new();
    let mut accessors = Vec::new();
    for c in clients {
        let k = kind_path(model, c, &mut imports);
        let [informer, lister] = resource_exports(model, c).map(|n| format_ident!("{}", n));
        let file = format_ident!("{}", file_stem(c));
        mods.push(quote! {
            mod #file;
            pub use self::#file::{#informer, #lister};
        });
        let accessor = format_ident!("{}", c.accessor);
        let doc = format!(" The shared informer of `{}`.", c.resource.plural);
        accessors.push(quote! {
            #[doc = #doc]
            #[inline]
            pub fn #accessor(&self) -> #informer {
                #informer::new(self.factory.informer::<#k>())
            }
        });
    }
    let uses = imports.use_items();
    ModuleFile {
        name: "mod.rs".into(),
        about: format!("The typed informers and listers of `{api_version}`"),
        tokens: quote! {
            #module_doc
            #uses

            #(#mods)*

            #group_doc
            #[derive(Clone, Copy)]
            pub struct #group<'a> {
                factory: &'a #factory<#client>,
            }

            impl<'a> #group<'a> {
                /// The informers of this group-version in `factory`.
                #[inline]
                pub fn new(factory: &'a #factory<#client>) -> Self {
                    Self { factory }
                }

                #(#accessors)*
            }
        },
    }
}

/// A resource's file: its typed informer and lister.
fn resource_file(model: &Model, c: &ClientDef, api_version: &str) -> TokenStream {
    let mut imports = Imports::default();
    for name in resource_exports(model, c) {
        imports.reserve(&name);
    }
    let k = kind_path(model, c, &mut imports);
    let [informer, lister] = resource_exports(model, c).map(|n| format_ident!("{}", n));
    let plural = &c.resource.plural;
    let module_doc = inner_doc_attrs(&format!(
        "The typed informer and lister of `{plural}` (`{api_version}`)."
    ));
    let informer_doc = doc_attrs(Some(&format!(
        "The shared informer of `{plural}`: one list+watch, one cache, any number of handlers."
    )));
    let lister_doc = doc_attrs(Some(&format!(
        "Reads `{plural}` from the informer's cache, never from the server."
    )));
    let shared = imports.name(&format!("{CACHE}::SharedIndexInformer"));
    let generic_lister = imports.name(&format!("{CACHE}::Lister"));
    let selector = imports.name("kubegen_runtime::meta::labels::Selector");
    let arc = imports.name("std::sync::Arc");
    let scoped = if c.resource.namespaced {
        let ns_fn = format_ident!("{}", c.accessor);
        let ns_lister = imports.name(&format!("{CACHE}::NamespaceLister"));
        quote! {
            /// The objects of one namespace (through the namespace index).
            #[inline]
            pub fn #ns_fn(&self, namespace: &str) -> #ns_lister<#k> {
                self.lister.namespace(namespace)
            }
        }
    } else {
        quote! {
            /// The object named `name`.
            #[inline]
            pub fn get(&self, name: &str) -> Option<#arc<#k>> {
                self.lister.get(name)
            }
        }
    };
    let uses = imports.use_items();
    quote! {
        #module_doc
        #uses

        #informer_doc
        #[derive(Clone)]
        pub struct #informer {
            informer: #shared<#k>,
        }

        impl #informer {
            /// The informer of the factory (the group-version's accessors make it).
            #[inline]
            pub(super) fn new(informer: #shared<#k>) -> Self {
                Self { informer }
            }

            /// The informer itself: add event handlers and indexers, wait for sync.
            #[inline]
            pub fn informer(&self) -> #shared<#k> {
                self.informer.clone()
            }

            /// A lister over the informer's cache.
            #[inline]
            pub fn lister(&self) -> #lister {
                #lister { lister: self.informer.lister() }
            }
        }

        #lister_doc
        #[derive(Clone, Debug)]
        pub struct #lister {
            lister: #generic_lister<#k>,
        }

        impl #lister {
            /// Every cached object the selector matches, in all namespaces.
            #[inline]
            pub fn list(&self, selector: &#selector) -> Vec<#arc<#k>> {
                self.lister.list(selector)
            }

            #scoped
        }
    }
}
