//! Typed clients: per group-version a client with one accessor per resource, per resource a
//! thin typed shell over the runtime's generic `ResourceClient<K>` with exactly the verbs and
//! subresources the spec lists.
//!
//! The shells are `#[inline]` and return the runtime's futures unchanged, so the generic code
//! is compiled where a program uses it, not once per resource in this crate.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs};
use super::names::{module_path, path_tokens};
use crate::model::{ClientDef, Model, ModuleId, OperationDef, SubClientDef};

const REST: &str = "kubegen_runtime::rest";

/// `AppsV1Client` for `apps::v1`.
pub fn group_client_name(id: &ModuleId) -> String {
    format!(
        "{}{}Client",
        crate::model::naming::type_name(&id.group),
        crate::model::naming::type_name(&id.version)
    )
}

/// `apps_v1` for `apps::v1`.
pub fn accessor_name(id: &ModuleId) -> String {
    format!("{}_{}", id.group, id.version)
}

/// The clients of each module.
pub fn by_module(model: &Model) -> BTreeMap<&ModuleId, Vec<&ClientDef>> {
    let mut out: BTreeMap<&ModuleId, Vec<&ClientDef>> = BTreeMap::new();
    for c in model.clients() {
        out.entry(&c.module).or_default().push(c);
    }
    out
}

/// A type path usable from a module's `client.rs`, plus the feature it needs when it lives in
/// another module.
fn type_path(model: &Model, from: &ModuleId, id: &str) -> (TokenStream, Option<String>) {
    let Some(def) = model.type_def(id) else {
        // A type of another crate (CRD-only generation maps `Scale` onto kubegen-api).
        return match model.externals().get(id) {
            Some(path) => (path_tokens(path), None),
            None => (quote!(serde_json::Value), None),
        };
    };
    if def.module == *from {
        let name = format_ident!("{}", def.rust_name);
        (quote!(super::#name), None)
    } else {
        let path = path_tokens(&format!("{}::{}", module_path(&def.module), def.rust_name));
        (path, Some(def.module.feature()))
    }
}

fn op<'a>(ops: &'a [OperationDef], action: &str) -> Option<&'a OperationDef> {
    ops.iter()
        .find(|o| o.action == action && !o.all_namespaces)
        .or_else(|| ops.iter().find(|o| o.action == action))
}

/// Doc comment: what the operation does, then its HTTP method and path.
fn op_doc(summary: &str, op: Option<&OperationDef>) -> TokenStream {
    let mut text = String::new();
    let description = op
        .and_then(|o| o.description.clone())
        .unwrap_or_else(|| summary.to_owned());
    text.push_str(&capitalize(&description));
    if !text.ends_with('.') {
        text.push('.');
    }
    if let Some(op) = op {
        text.push_str(&format!("\n\n`{} {}`", op.method, op.path));
    }
    doc_attrs(Some(&text))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The `client.rs` of one module.
pub fn module_file(model: &Model, id: &ModuleId, clients: &[&ClientDef]) -> TokenStream {
    let api_version = {
        let group = &model.modules()[id].api_group;
        if group.is_empty() {
            id.version.clone()
        } else {
            format!("{group}/{}", id.version)
        }
    };
    let group_client = format_ident!("{}", group_client_name(id));
    let module_doc = inner_doc_attrs(&format!("Typed clients of `{api_version}`."));
    let group_doc = doc_attrs(Some(&format!(
        "The `{api_version}` API (client-go's `{}Interface`): one accessor per resource.",
        group_client_name(id).trim_end_matches("Client").to_owned() + "V"
    )));
    let rest = path_tokens(REST);
    let accessors = clients.iter().map(|c| accessor(c, &rest));
    let resource_clients = clients.iter().map(|c| resource_client(model, id, c, &rest));
    let option_structs = clients
        .iter()
        .filter_map(|c| log_options_struct(model, id, c, &rest));
    quote! {
        #module_doc
        use std::future::Future;

        #group_doc
        #[derive(Clone, Debug)]
        pub struct #group_client {
            client: #rest::Client,
        }

        impl #group_client {
            /// A client for this group-version over a REST client.
            pub fn new(client: #rest::Client) -> Self {
                Self { client }
            }

            /// The REST client underneath.
            pub fn rest_client(&self) -> &#rest::Client {
                &self.client
            }

            #(#accessors)*
        }

        #(#resource_clients)*

        #(#option_structs)*
    }
}

/// Further public items of a module's `client.rs` (option structs).
pub fn extra_exports(model: &Model, id: &ModuleId, clients: &[&ClientDef]) -> Vec<String> {
    clients
        .iter()
        .filter(|c| c.subresources.iter().any(|s| s.def.name == "log"))
        .map(|c| log_options_name(model, id, c))
        .collect()
}

/// `PodLogOptions`, unless the module already has a type of that name.
fn log_options_name(model: &Model, id: &ModuleId, c: &ClientDef) -> String {
    let kind = &model.types()[&c.kind].rust_name;
    let wanted = format!("{kind}LogOptions");
    let taken = model
        .types()
        .values()
        .any(|t| t.module == *id && t.rust_name == wanted);
    if taken {
        format!("{kind}LogQuery")
    } else {
        wanted
    }
}

/// The options of a resource's `log` subresource, typed from the operation's query
/// parameters.
fn log_options_struct(
    model: &Model,
    id: &ModuleId,
    c: &ClientDef,
    rest: &TokenStream,
) -> Option<TokenStream> {
    let sub = c.subresources.iter().find(|s| s.def.name == "log")?;
    let get = op(&sub.def.operations, "get")?;
    let name = format_ident!("{}", log_options_name(model, id, c));
    let params: Vec<_> = get.params.iter().filter(|p| p.name != "pretty").collect();
    let fields = params.iter().map(|p| {
        let field = format_ident!("{}", crate::model::naming::field_name(&p.name));
        let ty = match p.ty.as_str() {
            "integer" => quote!(i64),
            "boolean" => quote!(bool),
            _ => quote!(String),
        };
        let doc = doc_attrs(p.description.as_deref());
        quote! {
            #doc
            pub #field: Option<#ty>,
        }
    });
    let pushes = params.iter().map(|p| {
        let field = format_ident!("{}", crate::model::naming::field_name(&p.name));
        let wire = &p.name;
        quote! {
            if let Some(v) = &self.#field {
                query.push((#wire.to_owned(), v.to_string()));
            }
        }
    });
    let doc = doc_attrs(Some(&format!("Query parameters of `GET {}`.", get.path)));
    Some(quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #name {
            #(#fields)*
        }

        impl #rest::ToQuery for #name {
            fn append_query(&self, query: &mut Vec<(String, String)>) {
                #(#pushes)*
            }
        }
    })
}

fn accessor(c: &ClientDef, rest: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", c.accessor);
    let client = format_ident!("{}", c.rust_name);
    let plural = &c.resource.plural;
    if c.resource.namespaced {
        let all = format_ident!("{}_all", c.accessor);
        let lists_all = c.resource.operations.iter().any(|o| o.all_namespaces);
        let all_fn = lists_all.then(|| {
            let doc = format!(" `{plural}` across all namespaces (for list and watch).");
            quote! {
                #[doc = #doc]
                pub fn #all(&self) -> #client {
                    #client { inner: #rest::ResourceClient::all(self.client.clone()) }
                }
            }
        });
        let doc = format!(" `{plural}` in `namespace`.");
        quote! {
            #[doc = #doc]
            pub fn #name(&self, namespace: &str) -> #client {
                #client { inner: #rest::ResourceClient::namespaced(self.client.clone(), namespace) }
            }
            #all_fn
        }
    } else {
        let doc = format!(" `{plural}` (cluster-scoped).");
        quote! {
            #[doc = #doc]
            pub fn #name(&self) -> #client {
                #client { inner: #rest::ResourceClient::cluster(self.client.clone()) }
            }
        }
    }
}

fn resource_client(model: &Model, id: &ModuleId, c: &ClientDef, rest: &TokenStream) -> TokenStream {
    let client = format_ident!("{}", c.rust_name);
    let (k, _) = type_path(model, id, &c.kind);
    let ops = &c.resource.operations;
    let kind_name = &c.resource.kind;
    let meta = path_tokens("kubegen_runtime::meta");
    let mut methods = Vec::new();
    let has = |verb: &str| c.resource.has_verb(verb);
    if has("get") {
        let doc = op_doc(&format!("read the specified {kind_name}"), op(ops, "get"));
        methods.push(quote! {
            #doc
            #[inline]
            pub fn get<'a>(&'a self, name: &'a str, options: &'a #rest::GetOptions) -> impl Future<Output = #rest::Result<#k>> + 'a {
                self.inner.get(name, options)
            }
        });
    }
    if has("list") {
        let doc = op_doc(
            &format!("list objects of kind {kind_name}"),
            op(ops, "list"),
        );
        let all_doc = doc_attrs(Some(
            "Lists every object, page by page (`limit` + `continue`), into one list. When a \
             continue token expires mid-way the list is read again in one request, as client-go's \
             pager does.",
        ));
        methods.push(quote! {
            #doc
            #[inline]
            pub fn list<'a>(&'a self, options: &'a #rest::ListOptions) -> impl Future<Output = #rest::Result<#meta::List<#k>>> + 'a {
                self.inner.list(options)
            }
            #all_doc
            #[inline]
            pub fn list_all<'a>(&'a self, options: &'a #rest::ListOptions) -> impl Future<Output = #rest::Result<#meta::List<#k>>> + 'a {
                self.inner.list_all(options)
            }
        });
    }
    if has("watch") {
        let doc = doc_attrs(Some(&format!(
            "Watches changes to objects of kind {kind_name} (`watch=true` on the list path): set \
             `resource_version` to a list's and `allow_watch_bookmarks` for progress markers."
        )));
        methods.push(quote! {
            #doc
            #[inline]
            pub fn watch<'a>(&'a self, options: &'a #rest::ListOptions) -> impl Future<Output = #rest::Result<#rest::WatchStream<#k>>> + 'a {
                self.inner.watch(options)
            }
        });
    }
    if has("create") {
        let doc = op_doc(&format!("create a {kind_name}"), op(ops, "post"));
        methods.push(quote! {
            #doc
            #[inline]
            pub fn create<'a>(&'a self, options: &'a #rest::CreateOptions, object: &'a #k) -> impl Future<Output = #rest::Result<#k>> + 'a {
                self.inner.create(options, object)
            }
        });
    }
    if has("update") {
        let doc = op_doc(
            &format!("replace the specified {kind_name}"),
            op(ops, "put"),
        );
        methods.push(quote! {
            #doc
            #[inline]
            pub fn update<'a>(&'a self, options: &'a #rest::UpdateOptions, object: &'a #k) -> impl Future<Output = #rest::Result<#k>> + 'a {
                self.inner.update(options, object)
            }
        });
    }
    if has("patch") {
        let patch_op = op(ops, "patch");
        let doc = op_doc(
            &format!("partially update the specified {kind_name}"),
            patch_op,
        );
        let path = patch_op
            .map(|o| format!("\n\n`PATCH {}` with `application/apply-patch+yaml`", o.path))
            .unwrap_or_default();
        let apply_doc = doc_attrs(Some(&format!(
            "Server-side applies `object` (named by its metadata) as `options.field_manager`; \
             only the fields set in `object` are claimed. Use `PatchOptions::apply(manager)` and \
             `.force()` to take over fields other managers own.{path}"
        )));
        methods.push(quote! {
            #doc
            #[inline]
            pub fn patch<'a>(&'a self, name: &'a str, options: &'a #rest::PatchOptions, patch: &'a #rest::Patch) -> impl Future<Output = #rest::Result<#k>> + 'a {
                self.inner.patch(name, options, patch)
            }
            #apply_doc
            #[inline]
            pub fn apply<'a>(&'a self, options: &'a #rest::PatchOptions, object: &'a #k) -> impl Future<Output = #rest::Result<#k>> + 'a {
                self.inner.apply(options, object)
            }
        });
    }
    if has("delete") {
        let doc = op_doc(&format!("delete a {kind_name}"), op(ops, "delete"));
        methods.push(quote! {
            #doc
            ///
            /// Answers the object (still present while finalizers run) or the server's `Status`.
            #[inline]
            pub fn delete<'a>(&'a self, name: &'a str, options: &'a #meta::DeleteOptions) -> impl Future<Output = #rest::Result<#rest::ObjectOrStatus<#k>>> + 'a {
                self.inner.delete(name, options)
            }
        });
    }
    if has("deletecollection") {
        let doc = op_doc(
            &format!("delete collection of {kind_name}"),
            op(ops, "deletecollection"),
        );
        methods.push(quote! {
            #doc
            #[inline]
            pub fn delete_collection<'a>(&'a self, list_options: &'a #rest::ListOptions, options: &'a #meta::DeleteOptions) -> impl Future<Output = #rest::Result<#rest::ObjectOrStatus<#meta::List<#k>>>> + 'a {
                self.inner.delete_collection(list_options, options)
            }
        });
    }
    let mut unsupported = Vec::new();
    for sub in &c.subresources {
        match subresource_methods(model, id, c, sub, &k, rest) {
            Some(tokens) => methods.push(tokens),
            None => unsupported.push(sub.def.name.clone()),
        }
    }
    let scope = if c.resource.namespaced {
        "namespaced"
    } else {
        "cluster-scoped"
    };
    let mut doc = format!(
        "Typed client for `{}` ({scope}, kind `{kind_name}`).\n\nVerbs: {}.",
        c.resource.plural,
        c.resource.verbs.join(", ")
    );
    if !unsupported.is_empty() {
        doc.push_str(&format!(
            "\n\nNot offered as typed methods yet: {} (connect verbs such as exec, attach, \
             port-forward and proxy stream over upgraded connections). Use \
             [`Self::inner`] to reach the REST client for them.",
            unsupported
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let doc = doc_attrs(Some(&doc));
    quote! {
        #doc
        #[derive(Clone, Debug)]
        pub struct #client {
            inner: #rest::ResourceClient<#k>,
        }

        impl #client {
            /// The generic client underneath, for requests without a typed method.
            pub fn inner(&self) -> &#rest::ResourceClient<#k> {
                &self.inner
            }

            #(#methods)*
        }
    }
}

/// Methods for one subresource, or `None` when it has no typed form (connect verbs).
fn subresource_methods(
    model: &Model,
    id: &ModuleId,
    c: &ClientDef,
    sub: &SubClientDef,
    k: &TokenStream,
    rest: &TokenStream,
) -> Option<TokenStream> {
    let name = sub.def.name.as_str();
    let ops = &sub.def.operations;
    let has = |verb: &str| sub.def.verbs.iter().any(|v| v == verb);
    if ops.iter().any(|o| o.action == "connect") {
        return super::connect::methods(c, sub, rest);
    }
    let meta = path_tokens("kubegen_runtime::meta");
    if name == "log" && has("get") {
        let get = op(ops, "get");
        let options_ty = format_ident!("{}", log_options_name(model, id, c));
        let doc = op_doc("read log of the specified Pod", get);
        return Some(quote! {
            #doc
            ///
            /// The body as a stream of bytes; with `follow` set it stays open and yields lines as
            /// the container writes them.
            pub async fn log(&self, name: &str, options: &#options_ty) -> #rest::Result<#rest::ByteStream> {
                let mut query = Vec::new();
                #rest::ToQuery::append_query(options, &mut query);
                let pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                self.inner.stream_subresource(name, "log", &pairs).await
            }
        });
    }
    let (body, feature) = match &sub.body {
        Some(body) if body == &c.kind => (k.clone(), None),
        Some(body) => type_path(model, id, body),
        None => return None,
    };
    let cfg = feature.map(|f| quote!(#[cfg(feature = #f)]));
    let stem = &sub.stem;
    let mut out = TokenStream::new();
    if has("get") {
        let method = format_ident!("get_{}", stem);
        let doc = op_doc(
            &format!("read {name} of the specified object"),
            op(ops, "get"),
        );
        out.extend(quote! {
            #doc
            #cfg
            #[inline]
            pub fn #method<'a>(&'a self, name: &'a str, options: &'a #rest::GetOptions) -> impl Future<Output = #rest::Result<#body>> + 'a {
                self.inner.get_subresource(name, #name, options)
            }
        });
    }
    if has("update") {
        let method = format_ident!("update_{}", stem);
        let doc = op_doc(
            &format!("replace {name} of the specified object"),
            op(ops, "put"),
        );
        if name == "status" && sub.body.as_ref() == Some(&c.kind) {
            out.extend(quote! {
                #doc
                ///
                /// Only the status is written; the object is named by its metadata.
                #[inline]
                pub fn update_status<'a>(&'a self, options: &'a #rest::UpdateOptions, object: &'a #k) -> impl Future<Output = #rest::Result<#k>> + 'a {
                    self.inner.update_status(options, object)
                }
            });
        } else {
            out.extend(quote! {
                #doc
                #cfg
                #[inline]
                pub fn #method<'a>(&'a self, name: &'a str, options: &'a #rest::UpdateOptions, body: &'a #body) -> impl Future<Output = #rest::Result<#body>> + 'a {
                    self.inner.update_subresource(name, #name, options, body)
                }
            });
        }
    }
    if has("patch") {
        let method = format_ident!("patch_{}", stem);
        let doc = op_doc(
            &format!("partially update {name} of the specified object"),
            op(ops, "patch"),
        );
        out.extend(quote! {
            #doc
            #cfg
            #[inline]
            pub fn #method<'a>(&'a self, name: &'a str, options: &'a #rest::PatchOptions, patch: &'a #rest::Patch) -> impl Future<Output = #rest::Result<#body>> + 'a {
                self.inner.patch_subresource(name, #name, options, patch)
            }
        });
    }
    if has("create") {
        let (method, answer) = match name {
            "eviction" => (format_ident!("evict"), quote!(#meta::Status)),
            "binding" => (format_ident!("bind"), quote!(#meta::Status)),
            "token" => (format_ident!("create_token"), body.clone()),
            _ => (format_ident!("create_{}", stem), body.clone()),
        };
        let doc = op_doc(
            &format!("create {name} of the specified object"),
            op(ops, "post"),
        );
        out.extend(quote! {
            #doc
            #cfg
            #[inline]
            pub fn #method<'a>(&'a self, name: &'a str, options: &'a #rest::CreateOptions, body: &'a #body) -> impl Future<Output = #rest::Result<#answer>> + 'a {
                self.inner.create_subresource(name, #name, options, body)
            }
        });
    }
    Some(out)
}
