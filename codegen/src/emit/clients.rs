//! Typed clients: per group-version a client with one accessor per resource (`client/mod.rs`),
//! per resource a thin typed shell over the runtime's generic `ResourceClient<K>` with exactly
//! the verbs and subresources the spec lists, in a file of its own (`client/pods.rs`, as
//! client-go's `typed/core/v1/pod.go`).
//!
//! The shells are `#[inline]` and return the runtime's futures unchanged, so the generic code
//! is compiled where a program uses it, not once per resource in this crate.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs};
use super::names::{module_path, path_tokens, Imports};
use super::ModuleFile;
use crate::model::{ClientDef, Model, ModuleId, OperationDef, SubClientDef};

const REST: &str = "kubegen_runtime::rest";
const META: &str = "kubegen_runtime::meta";
/// `AppsV1Client` for `apps::v1`.
pub(crate) fn group_client_name(id: &ModuleId) -> String {
    format!(
        "{}{}Client",
        crate::model::naming::type_name(&id.group),
        crate::model::naming::type_name(&id.version)
    )
}

/// `apps_v1` for `apps::v1`.
pub(crate) fn accessor_name(id: &ModuleId) -> String {
    format!("{}_{}", id.group, id.version)
}

/// The clients of each module.
pub(crate) fn by_module(model: &Model) -> BTreeMap<&ModuleId, Vec<&ClientDef>> {
    let mut out: BTreeMap<&ModuleId, Vec<&ClientDef>> = BTreeMap::new();
    for c in model.clients() {
        out.entry(&c.module).or_default().push(c);
    }
    out
}

/// A type path usable from a client file, plus the feature it needs when it lives in another
/// module (such types are written in full: an import would need the feature too).
fn type_path(
    model: &Model,
    from: &ModuleId,
    id: &str,
    imports: &mut Imports,
) -> (TokenStream, Option<String>) {
    let Some(def) = model.type_def(id) else {
        // A type of another crate (CRD-only generation maps `Scale` onto kubegen-api).
        return match model.externals().get(id) {
            Some(path) => (imports.name(path), None),
            None => (imports.name("serde_json::Value"), None),
        };
    };
    let path = format!("{}::{}", module_path(&def.module), def.rust_name);
    if def.module == *from {
        (imports.name(&path), None)
    } else {
        (path_tokens(&path), Some(def.module.feature()))
    }
}

fn op<'a>(ops: &'a [OperationDef], action: &str) -> Option<&'a OperationDef> {
    ops.iter()
        .find(|o| o.action == action && !o.all_namespaces)
        .or_else(|| ops.iter().find(|o| o.action == action))
}

/// A method's doc comment: what it does, a note of kubegen's own, then the HTTP request it
/// sends (`GET /api/v1/namespaces/{namespace}/pods`).
fn method_doc(summary: &str, note: &str, request: Option<(&str, &str, &str)>) -> TokenStream {
    let mut text = capitalize(summary.trim());
    if !text.ends_with('.') {
        text.push('.');
    }
    if !note.is_empty() {
        text.push_str("\n\n");
        text.push_str(note);
    }
    if let Some((method, path, query)) = request {
        text.push_str(&format!("\n\n`{method} {path}{query}`"));
    }
    doc_attrs(Some(&text))
}

/// The doc of a subresource method: the operation's description (or `summary`) and request.
fn op_doc(summary: &str, op: Option<&OperationDef>) -> TokenStream {
    let description = op
        .and_then(|o| o.description.clone())
        .unwrap_or_else(|| summary.to_owned());
    method_doc(
        &description,
        "",
        op.map(|o| (o.method.as_str(), o.path.as_str(), "")),
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `pods` in `core/v1`: the stem of a resource's client file.
pub(crate) fn file_stem(c: &ClientDef) -> String {
    c.accessor.clone()
}

fn api_version(model: &Model, id: &ModuleId) -> String {
    let group = &model.modules()[id].api_group;
    if group.is_empty() {
        id.version.clone()
    } else {
        format!("{group}/{}", id.version)
    }
}

/// The files of a module's `client/` directory (`mod.rs` first, then one per resource) and
/// the names the module re-exports from it.
pub(crate) fn module_files(
    model: &Model,
    id: &ModuleId,
    clients: &[&ClientDef],
) -> (Vec<ModuleFile>, Vec<String>) {
    let api_version = api_version(model, id);
    let mut files = vec![group_file(model, id, clients, &api_version)];
    let mut exports = vec![group_client_name(id)];
    for c in clients {
        exports.extend(resource_exports(model, id, c));
        files.push(ModuleFile {
            name: format!("{}.rs", file_stem(c)),
            about: format!(
                "The typed client of `{}` (`{api_version}`)",
                c.resource.plural
            ),
            tokens: resource_file(model, id, c, &api_version),
        });
    }
    (files, exports)
}

/// The public items of a resource's client file.
fn resource_exports(model: &Model, id: &ModuleId, c: &ClientDef) -> Vec<String> {
    let mut names = vec![c.rust_name.clone()];
    if has_log(c) {
        names.push(log_options_name(model, id, c));
    }
    names
}

fn has_log(c: &ClientDef) -> bool {
    c.subresources.iter().any(|s| s.def.name == "log")
}

/// `client/mod.rs`: the group-version client and its accessors.
fn group_file(
    model: &Model,
    id: &ModuleId,
    clients: &[&ClientDef],
    api_version: &str,
) -> ModuleFile {
    let mut imports = Imports::default();
    for c in clients {
        for name in resource_exports(model, id, c) {
            imports.reserve(&name);
        }
    }
    let group_client = format_ident!("{}", group_client_name(id));
    imports.reserve(&group_client.to_string());
    let module_doc = inner_doc_attrs(&format!("Typed clients of `{api_version}`."));
    let group_doc = doc_attrs(Some(&format!(
        "The `{api_version}` API (client-go's `{}Interface`): one accessor per resource.",
        group_client_name(id).trim_end_matches("Client")
    )));
    let client_ty = imports.name(&format!("{REST}::Client"));
    let accessors: Vec<TokenStream> = clients.iter().map(|c| accessor(c, &mut imports)).collect();
    let mods = clients.iter().map(|c| {
        let file = format_ident!("{}", file_stem(c));
        let names = resource_exports(model, id, c);
        let names = names.iter().map(|n| format_ident!("{}", n));
        quote! {
            mod #file;
            pub use self::#file::{#(#names),*};
        }
    });
    let uses = imports.use_items();
    ModuleFile {
        name: "mod.rs".into(),
        about: format!("The typed clients of `{api_version}`"),
        tokens: quote! {
            #module_doc
            #uses

            #(#mods)*

            #group_doc
            #[derive(Clone, Debug)]
            pub struct #group_client {
                client: #client_ty,
            }

            impl #group_client {
                /// A client for this group-version over a REST client.
                pub fn new(client: #client_ty) -> Self {
                    Self { client }
                }

                /// The REST client underneath.
                pub fn rest_client(&self) -> &#client_ty {
                    &self.client
                }

                #(#accessors)*
            }
        },
    }
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
    imports: &mut Imports,
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
    let to_query = imports.name(&format!("{REST}::ToQuery"));
    let doc = doc_attrs(Some(&format!("Query parameters of `GET {}`.", get.path)));
    Some(quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #name {
            #(#fields)*
        }

        impl #to_query for #name {
            fn append_query(&self, query: &mut Vec<(String, String)>) {
                #(#pushes)*
            }
        }
    })
}

/// The accessors of one resource on the group-version client.
fn accessor(c: &ClientDef, imports: &mut Imports) -> TokenStream {
    let name = format_ident!("{}", c.accessor);
    let client = format_ident!("{}", c.rust_name);
    let resource_client = imports.name(&format!("{REST}::ResourceClient"));
    let plural = &c.resource.plural;
    if c.resource.namespaced {
        let all = format_ident!("{}_all", c.accessor);
        let lists_all = c.resource.operations.iter().any(|o| o.all_namespaces);
        let all_fn = lists_all.then(|| {
            let doc = format!(" `{plural}` across all namespaces (for list and watch).");
            quote! {
                #[doc = #doc]
                pub fn #all(&self) -> #client {
                    #client::new(#resource_client::all(self.client.clone()))
                }
            }
        });
        let doc = format!(" `{plural}` in `namespace`.");
        quote! {
            #[doc = #doc]
            pub fn #name(&self, namespace: &str) -> #client {
                #client::new(#resource_client::namespaced(self.client.clone(), namespace))
            }
            #all_fn
        }
    } else {
        let doc = format!(" `{plural}` (cluster-scoped).");
        quote! {
            #[doc = #doc]
            pub fn #name(&self) -> #client {
                #client::new(#resource_client::cluster(self.client.clone()))
            }
        }
    }
}

/// A parameter of a typed method: its name and type.
#[derive(Clone, Copy)]
enum Param {
    /// `name: &str`, the object's name.
    Name,
    /// Options of the request: the parameter's name and the type's full path.
    Options(&'static str, &'static str),
    /// `object: &K`, the resource's kind.
    Object,
    /// `patch: &Patch`.
    Patch,
}

/// What a typed method answers.
#[derive(Clone, Copy)]
enum Answer {
    /// The object (`K`).
    Object,
    /// A list (`List<K>`).
    List,
    /// A stream of watch events (`WatchStream<K>`).
    Watch,
    /// The deleted object or the server's `Status` (`ObjectOrStatus<K>`).
    Deleted,
    /// The deleted list or the server's `Status` (`ObjectOrStatus<List<K>>`).
    DeletedList,
}

/// Where a method's first doc paragraph comes from.
#[derive(Clone, Copy)]
enum Summary {
    /// The operation's description in the spec, or this text when it has none.
    Spec(&'static str),
    /// kubegen's own words (the method has no operation of its own in the spec).
    Own(&'static str),
}

/// One method of a resource's typed client, printed when the resource lists `verb`. The
/// method calls the runtime's `ResourceClient` method of the same name with its parameters
/// in order. `{kind}` in texts is replaced by the resource's kind.
struct VerbMethod {
    /// The discovery verb the resource must list.
    verb: &'static str,
    /// The method's name, also that of the `ResourceClient` method it calls.
    method: &'static str,
    summary: Summary,
    /// A paragraph of kubegen's own after the summary (empty for none).
    note: &'static str,
    /// The HTTP method the request uses.
    http: &'static str,
    /// The `x-kubernetes-action` of the operation whose path the request uses.
    action: &'static str,
    /// Appended to that path in the doc (`?watch=true`).
    query: &'static str,
    params: &'static [Param],
    answer: Answer,
}

const LIST_OPTIONS: Param = Param::Options("options", "kubegen_runtime::rest::ListOptions");

/// The verbs of a resource as typed methods, in the order they are printed.
const VERB_METHODS: &[VerbMethod] = &[
    VerbMethod {
        verb: "get",
        method: "get",
        summary: Summary::Spec("read the specified {kind}"),
        note: "",
        http: "GET",
        action: "get",
        query: "",
        params: &[
            Param::Name,
            Param::Options("options", "kubegen_runtime::rest::GetOptions"),
        ],
        answer: Answer::Object,
    },
    VerbMethod {
        verb: "list",
        method: "list",
        summary: Summary::Spec("list objects of kind {kind}"),
        note: "",
        http: "GET",
        action: "list",
        query: "",
        params: &[LIST_OPTIONS],
        answer: Answer::List,
    },
    VerbMethod {
        verb: "list",
        method: "list_all",
        summary: Summary::Own(
            "Lists every object, page by page (`limit` + `continue`), into one list. When a \
             continue token expires mid-way the list is read again in one request, as \
             client-go's pager does.",
        ),
        note: "",
        http: "GET",
        action: "list",
        query: "?limit=…&continue=…",
        params: &[LIST_OPTIONS],
        answer: Answer::List,
    },
    VerbMethod {
        verb: "watch",
        method: "watch",
        summary: Summary::Own(
            "Watches changes to objects of kind {kind}: set `resource_version` to a list's and \
             `allow_watch_bookmarks` for progress markers.",
        ),
        note: "",
        http: "GET",
        action: "list",
        query: "?watch=true",
        params: &[LIST_OPTIONS],
        answer: Answer::Watch,
    },
    VerbMethod {
        verb: "create",
        method: "create",
        summary: Summary::Spec("create a {kind}"),
        note: "",
        http: "POST",
        action: "post",
        query: "",
        params: &[
            Param::Options("options", "kubegen_runtime::rest::CreateOptions"),
            Param::Object,
        ],
        answer: Answer::Object,
    },
    VerbMethod {
        verb: "update",
        method: "update",
        summary: Summary::Spec("replace the specified {kind}"),
        note: "",
        http: "PUT",
        action: "put",
        query: "",
        params: &[
            Param::Options("options", "kubegen_runtime::rest::UpdateOptions"),
            Param::Object,
        ],
        answer: Answer::Object,
    },
    VerbMethod {
        verb: "patch",
        method: "patch",
        summary: Summary::Spec("partially update the specified {kind}"),
        note: "",
        http: "PATCH",
        action: "patch",
        query: "",
        params: &[
            Param::Name,
            Param::Options("options", "kubegen_runtime::rest::PatchOptions"),
            Param::Patch,
        ],
        answer: Answer::Object,
    },
    VerbMethod {
        verb: "patch",
        method: "apply",
        summary: Summary::Own(
            "Server-side applies `object` (named by its metadata) as `options.field_manager`; \
             only the fields set in `object` are claimed. Use `PatchOptions::apply(manager)` \
             and `.force()` to take over fields other managers own.",
        ),
        note: "Sent as `application/apply-patch+yaml`.",
        http: "PATCH",
        action: "patch",
        query: "",
        params: &[
            Param::Options("options", "kubegen_runtime::rest::PatchOptions"),
            Param::Object,
        ],
        answer: Answer::Object,
    },
    VerbMethod {
        verb: "delete",
        method: "delete",
        summary: Summary::Spec("delete a {kind}"),
        note: "Answers the object (still present while finalizers run) or the server's `Status`.",
        http: "DELETE",
        action: "delete",
        query: "",
        params: &[
            Param::Name,
            Param::Options("options", "kubegen_runtime::meta::DeleteOptions"),
        ],
        answer: Answer::Deleted,
    },
    VerbMethod {
        verb: "deletecollection",
        method: "delete_collection",
        summary: Summary::Spec("delete collection of {kind}"),
        note: "",
        http: "DELETE",
        action: "deletecollection",
        query: "",
        params: &[
            Param::Options("list_options", "kubegen_runtime::rest::ListOptions"),
            Param::Options("options", "kubegen_runtime::meta::DeleteOptions"),
        ],
        answer: Answer::DeletedList,
    },
];

impl VerbMethod {
    /// The method, for a resource whose kind is `k`.
    fn emit(&self, c: &ClientDef, k: &TokenStream, imports: &mut Imports) -> TokenStream {
        let kind = &c.resource.kind;
        let op = op(&c.resource.operations, self.action);
        let summary = match self.summary {
            Summary::Spec(fallback) => op
                .and_then(|o| o.description.clone())
                .unwrap_or_else(|| fallback.replace("{kind}", kind)),
            Summary::Own(text) => text.replace("{kind}", kind),
        };
        let doc = method_doc(
            &summary,
            self.note,
            op.map(|o| (self.http, o.path.as_str(), self.query)),
        );
        let method = format_ident!("{}", self.method);
        let (params, args): (Vec<TokenStream>, Vec<TokenStream>) = self
            .params
            .iter()
            .map(|param| {
                let (name, ty) = match *param {
                    Param::Name => ("name", quote!(str)),
                    Param::Options(name, path) => (name, imports.name(path)),
                    Param::Object => ("object", k.clone()),
                    Param::Patch => ("patch", imports.name(&format!("{REST}::Patch"))),
                };
                let name = format_ident!("{}", name);
                (quote!(#name: &'a #ty), quote!(#name))
            })
            .unzip();
        let result = imports.name(&format!("{REST}::Result"));
        let answer = match self.answer {
            Answer::Object => k.clone(),
            Answer::List => {
                let list = imports.name(&format!("{META}::List"));
                quote!(#list<#k>)
            }
            Answer::Watch => {
                let stream = imports.name(&format!("{REST}::WatchStream"));
                quote!(#stream<#k>)
            }
            Answer::Deleted => {
                let either = imports.name(&format!("{REST}::ObjectOrStatus"));
                quote!(#either<#k>)
            }
            Answer::DeletedList => {
                let either = imports.name(&format!("{REST}::ObjectOrStatus"));
                let list = imports.name(&format!("{META}::List"));
                quote!(#either<#list<#k>>)
            }
        };
        let future = imports.name("std::future::Future");
        quote! {
            #doc
            #[inline]
            pub fn #method<'a>(&'a self, #(#params),*) -> impl #future<Output = #result<#answer>> + 'a {
                self.inner.#method(#(#args),*)
            }
        }
    }
}

/// A resource's file: its typed client, and the options of its `log` subresource if any.
fn resource_file(model: &Model, id: &ModuleId, c: &ClientDef, api_version: &str) -> TokenStream {
    let mut imports = Imports::default();
    for name in resource_exports(model, id, c) {
        imports.reserve(&name);
    }
    let client = format_ident!("{}", c.rust_name);
    let (k, _) = type_path(model, id, &c.kind, &mut imports);
    let kind_name = &c.resource.kind;
    let mut methods: Vec<TokenStream> = VERB_METHODS
        .iter()
        .filter(|v| c.resource.has_verb(v.verb))
        .map(|v| v.emit(c, &k, &mut imports))
        .collect();
    let mut unsupported = Vec::new();
    for sub in &c.subresources {
        match subresource_methods(model, id, c, sub, &k, &mut imports) {
            Some(tokens) => methods.push(tokens),
            None => unsupported.push(sub.def.name.clone()),
        }
    }
    let options = log_options_struct(model, id, c, &mut imports);
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
    let module_doc = inner_doc_attrs(&format!(
        "The typed client of `{}` (`{api_version}`).",
        c.resource.plural
    ));
    let resource_client = imports.name(&format!("{REST}::ResourceClient"));
    let uses = imports.use_items();
    quote! {
        #module_doc
        #uses

        #doc
        #[derive(Clone, Debug)]
        pub struct #client {
            inner: #resource_client<#k>,
        }

        impl #client {
            /// A client over the generic one (the group-version client's accessors make it).
            pub(super) fn new(inner: #resource_client<#k>) -> Self {
                Self { inner }
            }

            /// The generic client underneath, for requests without a typed method.
            pub fn inner(&self) -> &#resource_client<#k> {
                &self.inner
            }

            #(#methods)*
        }

        #options
    }
}

/// What a subresource method takes after the object's name and the options.
#[derive(Clone, Copy)]
enum SubresourceInput {
    Nothing,
    /// `body: &B`, the subresource's type.
    Body,
    /// `patch: &Patch`.
    Patch,
}

/// One method of a subresource, printed when the subresource lists `verb`: named
/// `{verb}_{stem}` (unless [`SUBRESOURCE_NAMED_METHODS`] names it), it calls the runtime's
/// `ResourceClient::{runtime}` with the object's name, the subresource's, the options and
/// the input. `{sub}` in the summary is replaced by the subresource's name.
struct SubresourceMethod {
    /// The discovery verb the subresource must list.
    verb: &'static str,
    /// The doc's first paragraph when the operation has no description.
    summary: &'static str,
    /// The `x-kubernetes-action` of the operation the method sends.
    action: &'static str,
    runtime: &'static str,
    /// The options type's full path.
    options: &'static str,
    input: SubresourceInput,
}

/// The verbs of a subresource as typed methods, in the order they are printed.
const SUBRESOURCE_METHODS: &[SubresourceMethod] = &[
    SubresourceMethod {
        verb: "get",
        summary: "read {sub} of the specified object",
        action: "get",
        runtime: "get_subresource",
        options: "kubegen_runtime::rest::GetOptions",
        input: SubresourceInput::Nothing,
    },
    SubresourceMethod {
        verb: "update",
        summary: "replace {sub} of the specified object",
        action: "put",
        runtime: "update_subresource",
        options: "kubegen_runtime::rest::UpdateOptions",
        input: SubresourceInput::Body,
    },
    SubresourceMethod {
        verb: "patch",
        summary: "partially update {sub} of the specified object",
        action: "patch",
        runtime: "patch_subresource",
        options: "kubegen_runtime::rest::PatchOptions",
        input: SubresourceInput::Patch,
    },
    SubresourceMethod {
        verb: "create",
        summary: "create {sub} of the specified object",
        action: "post",
        runtime: "create_subresource",
        options: "kubegen_runtime::rest::CreateOptions",
        input: SubresourceInput::Body,
    },
];

/// Subresource methods named as client-go names them rather than `{verb}_{stem}`.
struct NamedSubresourceMethod {
    verb: &'static str,
    subresource: &'static str,
    method: &'static str,
    /// The server answers a `Status`, not the subresource's type.
    answers_status: bool,
}

const SUBRESOURCE_NAMED_METHODS: &[NamedSubresourceMethod] = &[
    NamedSubresourceMethod {
        verb: "create",
        subresource: "eviction",
        method: "evict",
        answers_status: true,
    },
    NamedSubresourceMethod {
        verb: "create",
        subresource: "binding",
        method: "bind",
        answers_status: true,
    },
    NamedSubresourceMethod {
        verb: "create",
        subresource: "token",
        method: "create_token",
        answers_status: false,
    },
];

/// Methods for one subresource, or `None` when it has no typed form (connect verbs).
fn subresource_methods(
    model: &Model,
    id: &ModuleId,
    c: &ClientDef,
    sub: &SubClientDef,
    k: &TokenStream,
    imports: &mut Imports,
) -> Option<TokenStream> {
    let name = sub.def.name.as_str();
    let ops = &sub.def.operations;
    let has = |verb: &str| sub.def.verbs.iter().any(|v| v == verb);
    if ops.iter().any(|o| o.action == "connect") {
        // Behind the `connect` feature: full paths, so no import goes unused without it.
        return super::connect::methods(c, sub, &super::names::path_tokens(REST));
    }
    if name == "log" && has("get") {
        let result = imports.name(&format!("{REST}::Result"));
        let get = op(ops, "get");
        let options_ty = format_ident!("{}", log_options_name(model, id, c));
        let doc = op_doc("read log of the specified Pod", get);
        let byte_stream = imports.name(&format!("{REST}::ByteStream"));
        let to_query = imports.name(&format!("{REST}::ToQuery"));
        return Some(quote! {
            #doc
            ///
            /// The body as a stream of bytes; with `follow` set it stays open and yields lines as
            /// the container writes them.
            pub async fn log(&self, name: &str, options: &#options_ty) -> #result<#byte_stream> {
                let mut query = Vec::new();
                #to_query::append_query(options, &mut query);
                let pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                self.inner.stream_subresource(name, "log", &pairs).await
            }
        });
    }
    let (body, feature) = match &sub.body {
        Some(body) if body == &c.kind => (k.clone(), None),
        Some(body) => type_path(model, id, body, imports),
        None => return None,
    };
    // Methods behind a feature name runtime items in full: an import used only by them
    // would be unused without the feature.
    let gated = feature.is_some();
    let cfg = feature.map(|f| quote!(#[cfg(feature = #f)]));
    let mut name_of = |full: &str| {
        if gated {
            path_tokens(full)
        } else {
            imports.name(full)
        }
    };
    let future = name_of("std::future::Future");
    let result = name_of(&format!("{REST}::Result"));
    let mut out = TokenStream::new();
    for method in SUBRESOURCE_METHODS.iter().filter(|m| has(m.verb)) {
        let doc = op_doc(
            &method.summary.replace("{sub}", name),
            op(ops, method.action),
        );
        let options = name_of(method.options);
        let runtime = format_ident!("{}", method.runtime);
        if method.verb == "update" && name == "status" && sub.body.as_ref() == Some(&c.kind) {
            out.extend(quote! {
                #doc
                ///
                /// Only the status is written; the object is named by its metadata.
                #[inline]
                pub fn update_status<'a>(&'a self, options: &'a #options, object: &'a #k) -> impl #future<Output = #result<#k>> + 'a {
                    self.inner.update_status(options, object)
                }
            });
            continue;
        }
        let (input, input_ty) = match method.input {
            SubresourceInput::Nothing => (None, None),
            SubresourceInput::Body => (Some(format_ident!("body")), Some(body.clone())),
            SubresourceInput::Patch => (
                Some(format_ident!("patch")),
                Some(name_of(&format!("{REST}::Patch"))),
            ),
        };
        let input_param = input.as_ref().map(|i| quote!(, #i: &'a #input_ty));
        let input_arg = input.as_ref().map(|i| quote!(, #i));
        let (ident, answer) = match SUBRESOURCE_NAMED_METHODS
            .iter()
            .find(|named| named.verb == method.verb && named.subresource == name)
        {
            Some(named) => (
                format_ident!("{}", named.method),
                if named.answers_status {
                    name_of(&format!("{META}::Status"))
                } else {
                    body.clone()
                },
            ),
            None => (format_ident!("{}_{}", method.verb, sub.stem), body.clone()),
        };
        out.extend(quote! {
            #doc
            #cfg
            #[inline]
            pub fn #ident<'a>(&'a self, name: &'a str, options: &'a #options #input_param) -> impl #future<Output = #result<#answer>> + 'a {
                self.inner.#runtime(name, #name, options #input_arg)
            }
        });
    }
    Some(out)
}
