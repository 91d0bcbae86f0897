//! Typed informers and listers (client-go's `informers` and `listers` packages): per
//! group-version an accessor on the shared informer factory, per listable and watchable
//! resource a typed informer and a typed lister over the runtime's generic ones. Every method
//! is `#[inline]`: the informer machinery it reaches (reflector, decoding, cache) is then
//! compiled only for the resources a program uses, not for every resource in this crate.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::clients::group_client_name;
use super::docs::{doc_attrs, inner_doc_attrs};
use super::names::path_tokens;
use crate::model::{ClientDef, Model, ModuleId};

/// Whether a resource gets an informer: it must be listable and watchable.
pub fn has_informer(c: &ClientDef) -> bool {
    c.resource.has_verb("list") && c.resource.has_verb("watch")
}

/// `AppsV1Informers` for `apps::v1`.
pub fn group_informers_name(id: &ModuleId) -> String {
    group_client_name(id).replace("Client", "Informers")
}

/// The `informers.rs` of one module, or `None` when no resource there can be watched.
pub fn module_file(
    model: &Model,
    id: &ModuleId,
    clients: &[&ClientDef],
) -> Option<(TokenStream, Vec<String>)> {
    let clients: Vec<&&ClientDef> = clients.iter().filter(|c| has_informer(c)).collect();
    if clients.is_empty() {
        return None;
    }
    let cache = path_tokens("kubegen_runtime::cache");
    let rest = path_tokens("kubegen_runtime::rest");
    let group = format_ident!("{}", group_informers_name(id));
    let api_version = {
        let g = &model.modules()[id].api_group;
        if g.is_empty() {
            id.version.clone()
        } else {
            format!("{g}/{}", id.version)
        }
    };
    let module_doc = inner_doc_attrs(&format!("Typed informers and listers of `{api_version}`."));
    let group_doc = doc_attrs(Some(&format!(
        "The informers of `{api_version}` from a shared informer factory: asking twice for the \
         same resource gives the same informer."
    )));
    let mut exported = vec![group_informers_name(id)];
    let mut accessors = Vec::new();
    let mut items = Vec::new();
    for c in clients {
        let kind_def = &model.types()[&c.kind];
        let k = format_ident!("{}", kind_def.rust_name);
        let informer = format_ident!("{}Informer", kind_def.rust_name);
        let lister = format_ident!("{}Lister", kind_def.rust_name);
        exported.push(informer.to_string());
        exported.push(lister.to_string());
        let accessor = format_ident!("{}", c.accessor);
        let plural = &c.resource.plural;
        let doc = format!(" The shared informer of `{plural}`.");
        accessors.push(quote! {
            #[doc = #doc]
            #[inline]
            pub fn #accessor(&self) -> #informer {
                #informer { informer: self.factory.informer::<super::#k>() }
            }
        });
        let informer_doc = doc_attrs(Some(&format!(
            "The shared informer of `{plural}`: one list+watch, one cache, any number of handlers."
        )));
        let lister_doc = doc_attrs(Some(&format!(
            "Reads `{plural}` from the informer's cache, never from the server."
        )));
        let scoped = if c.resource.namespaced {
            let ns_fn = format_ident!("{}", c.accessor);
            quote! {
                /// The objects of one namespace (through the namespace index).
                #[inline]
                pub fn #ns_fn(&self, namespace: &str) -> #cache::NamespaceLister<super::#k> {
                    self.lister.namespace(namespace)
                }
            }
        } else {
            quote! {
                /// The object named `name`.
                #[inline]
                pub fn get(&self, name: &str) -> Option<std::sync::Arc<super::#k>> {
                    self.lister.get(name)
                }
            }
        };
        items.push(quote! {
            #informer_doc
            #[derive(Clone)]
            pub struct #informer {
                informer: #cache::SharedIndexInformer<super::#k>,
            }

            impl #informer {
                /// The informer itself: add event handlers and indexers, wait for sync.
                #[inline]
                pub fn informer(&self) -> #cache::SharedIndexInformer<super::#k> {
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
                lister: #cache::Lister<super::#k>,
            }

            impl #lister {
                /// Every cached object the selector matches, in all namespaces.
                #[inline]
                pub fn list(&self, selector: &kubegen_runtime::meta::labels::Selector) -> Vec<std::sync::Arc<super::#k>> {
                    self.lister.list(selector)
                }

                #scoped
            }
        });
    }
    let tokens = quote! {
        #module_doc

        #group_doc
        #[derive(Clone, Copy)]
        pub struct #group<'a> {
            factory: &'a #cache::SharedInformerFactory<#rest::Client>,
        }

        impl<'a> #group<'a> {
            /// The informers of this group-version in `factory`.
            #[inline]
            pub fn new(factory: &'a #cache::SharedInformerFactory<#rest::Client>) -> Self {
                Self { factory }
            }

            #(#accessors)*
        }

        #(#items)*
    };
    Some((tokens, exported))
}
