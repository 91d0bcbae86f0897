//! The crate around the types: `Cargo.toml` with one feature per group-version, `lib.rs`, and
//! one module per group and per group-version.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use quote::{format_ident, quote};

use super::docs::own_inner_doc_attrs;
use super::{clients, format_file, informers, types, EmitError, Output};
use crate::model::{naming, Model, ModuleId};

/// The `kubegen_runtime::GENERATED_CODE_LEVEL` the emitted code is written against.
pub const GENERATED_CODE_LEVEL: u32 = 3;

/// What the generated crate is called and what it depends on.
#[derive(Clone, Debug)]
pub struct CrateSettings {
    /// Package name in `Cargo.toml`.
    pub crate_name: String,
    /// Package version.
    pub crate_version: String,
    /// The `[dependencies]` lines, as TOML (the runtime, serde_core, and serde_json as an
    /// optional dependency, which must stay optional: the features of group-versions with JSON
    /// fields turn it on).
    pub dependencies: String,
    /// Extra `[package]` lines (e.g. `edition.workspace = true`).
    pub package_extra: String,
    /// What the spec is, for the crate docs (`Kubernetes v1.36`).
    pub source_description: String,
}

impl Default for CrateSettings {
    fn default() -> Self {
        Self {
            crate_name: "kubegen-api".into(),
            crate_version: "0.1.0".into(),
            dependencies: "kubegen-runtime = { version = \"0.1\", default-features = false }\nserde_core = \"1\"\nserde_json = { version = \"1\", optional = true }\n".into(),
            package_extra: "edition = \"2021\"\n".into(),
            source_description: "a Kubernetes API server".into(),
        }
    }
}

pub(super) fn emit_crate(model: &Model, settings: &CrateSettings) -> Result<Output, EmitError> {
    let mut out = Output::default();
    out.files
        .insert(PathBuf::from("Cargo.toml"), cargo_toml(model, settings));
    out.files
        .insert(PathBuf::from("src/lib.rs"), lib_rs(model, settings)?);
    out.files
        .insert(PathBuf::from("src/clientset.rs"), clientset_rs(model)?);
    out.files.insert(
        PathBuf::from("src/informer_factory.rs"),
        informer_factory_rs(model)?,
    );

    let mut groups: BTreeMap<&str, Vec<&ModuleId>> = BTreeMap::new();
    for id in model.modules().keys() {
        groups.entry(&id.group).or_default().push(id);
    }
    for (group, versions) in &groups {
        let items = versions.iter().map(|id| {
            let feature = id.feature();
            let version = format_ident!("{}", id.version);
            let doc = format!(" `{}` types.", api_version(model, id));
            quote! {
                #[doc = #doc]
                #[cfg(feature = #feature)]
                pub mod #version;
            }
        });
        let api_group = model.modules()[versions[0]].api_group.clone();
        let group_doc = if api_group.is_empty() {
            " The core API group (`/api/v1`).".to_owned()
        } else {
            format!(" The `{api_group}` API group.")
        };
        let tokens = quote! {
            #![doc = #group_doc]
            #(#items)*
        };
        let path = format!("src/{group}/mod.rs");
        out.files
            .insert(PathBuf::from(&path), format_file(&path, tokens)?);
    }

    let clients = clients::by_module(model);
    for (id, module) in model.modules() {
        let dir = format!("src/{}/{}", id.group, id.version);
        let mut used_files = BTreeSet::new();
        let mut mods = Vec::new();
        for type_id in &module.types {
            let def = &model.types()[type_id];
            let mut file = naming::file_name(&def.rust_name);
            let base = file.clone();
            let mut n = 2;
            while !used_files.insert(file.clone()) {
                file = format!("{base}_{n}");
                n += 1;
            }
            let path = format!("{dir}/{file}.rs");
            let tokens = types::type_file(model, def)?;
            out.files
                .insert(PathBuf::from(&path), format_file(&path, tokens)?);
            mods.push((file, def.rust_name.clone()));
        }
        let decls = mods.iter().map(|(file, name)| {
            let file = format_ident!("{}", file);
            let name = format_ident!("{}", name);
            quote! {
                mod #file;
                pub use self::#file::#name;
            }
        });
        let client_decl = clients.get(id).map(|cs| {
            let path = format!("{dir}/client.rs");
            let tokens = clients::module_file(model, id, cs);
            let names = std::iter::once(clients::group_client_name(id))
                .chain(cs.iter().map(|c| c.rust_name.clone()))
                .chain(clients::extra_exports(model, id, cs))
                .map(|n| format_ident!("{}", n));
            let file = format_file(&path, tokens).map(|f| (path, f));
            (
                quote! {
                    #[cfg(feature = "client")]
                    mod client;
                    #[cfg(feature = "client")]
                    pub use self::client::{#(#names),*};
                },
                file,
            )
        });
        let client_decl = match client_decl {
            Some((decl, file)) => {
                let (path, contents) = file?;
                out.files.insert(PathBuf::from(path), contents);
                decl
            }
            None => quote!(),
        };
        let informer_decl = match clients
            .get(id)
            .and_then(|cs| informers::module_file(model, id, cs))
        {
            Some((tokens, names)) => {
                let path = format!("{dir}/informers.rs");
                out.files
                    .insert(PathBuf::from(&path), format_file(&path, tokens)?);
                let names = names.iter().map(|n| format_ident!("{}", n));
                quote! {
                    #[cfg(feature = "informers")]
                    mod informers;
                    #[cfg(feature = "informers")]
                    pub use self::informers::{#(#names),*};
                }
            }
            None => quote!(),
        };
        let doc = format!(" Types of `{}`.", api_version(model, id));
        let tokens = quote! {
            #![doc = #doc]
            #(#decls)*
            #client_decl
            #informer_decl
        };
        let path = format!("{dir}/mod.rs");
        out.files
            .insert(PathBuf::from(&path), format_file(&path, tokens)?);
    }
    Ok(out)
}

fn api_version(model: &Model, id: &ModuleId) -> String {
    let group = &model.modules()[id].api_group;
    if group.is_empty() {
        id.version.clone()
    } else {
        format!("{group}/{}", id.version)
    }
}

fn cargo_toml(model: &Model, settings: &CrateSettings) -> String {
    let mut s = String::new();
    s.push_str(
        "# Generated by kubegen. Do not edit: regenerate with `cargo run -p kubegen --release`.\n",
    );
    s.push_str("[package]\n");
    let _ = writeln!(s, "name = {:?}", settings.crate_name);
    let _ = writeln!(s, "version = {:?}", settings.crate_version);
    let _ = writeln!(
        s,
        "description = \"Kubernetes API types generated by kubegen from {}\"",
        settings.source_description
    );
    s.push_str(&settings.package_extra);
    s.push_str("\n[dependencies]\n");
    s.push_str(&settings.dependencies);
    s.push_str("\n[features]\ndefault = [\"all\", \"client\", \"http2\", \"informers\"]\n");
    s.push_str("# Typed clients and the clientset (the runtime's HTTP/TLS stack).\n");
    s.push_str("client = [\"kubegen-runtime/client\"]\n");
    s.push_str("# HTTP/2 to the API server (without it: HTTP/1.1 only, a smaller build).\n");
    s.push_str("http2 = [\"client\", \"kubegen-runtime/http2\"]\n");
    s.push_str("# Typed informers and listers.\n");
    s.push_str("informers = [\"client\", \"kubegen-runtime/cache\"]\n");
    s.push_str("# Every group-version's types.\n");
    let features: Vec<String> = model.modules().keys().map(ModuleId::feature).collect();
    let _ = writeln!(
        s,
        "all = [{}]",
        features
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (id, module) in model.modules() {
        let mut deps: Vec<String> = module
            .depends_on
            .iter()
            .map(|d| format!("{:?}", d.feature()))
            .collect();
        if module.uses_json {
            // `serde_json::Value` fields, and the runtime's undeclared-fields support.
            deps.push("\"dep:serde_json\"".into());
            deps.push("\"kubegen-runtime/json\"".into());
        }
        let _ = writeln!(s, "{} = [{}]", id.feature(), deps.join(", "));
    }
    s
}

/// The crate-level example, compiled as a doc test of `kubegen-api` (other crates generated
/// from other specs may not have its resources).
const KUBEGEN_API_EXAMPLE: &str = "\n\n# Example\n\nList the pods of a namespace with the cluster kubectl would use:\n\n```no_run\nuse kubegen_api::Clientset;\nuse kubegen_runtime::rest::ListOptions;\n\n# async fn run() -> Result<(), kubegen_runtime::rest::Error> {\nlet clientset = Clientset::try_default()?;\nlet pods = clientset.core_v1().pods(\"default\").list(&ListOptions::default()).await?;\nfor pod in &pods.items {\n    println!(\"{}\", pod.metadata.name.as_deref().unwrap_or_default());\n}\n# Ok(())\n# }\n```";

fn lib_rs(model: &Model, settings: &CrateSettings) -> Result<String, EmitError> {
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for id in model.modules().keys() {
        groups.entry(&id.group).or_default().push(id.feature());
    }
    let mods = groups.iter().map(|(group, features)| {
        let group = format_ident!("{}", group);
        if features.len() == 1 {
            let f = &features[0];
            quote! {
                #[cfg(feature = #f)]
                #[rustfmt::skip]
                pub mod #group;
            }
        } else {
            quote! {
                #[cfg(any(#(feature = #features),*))]
                #[rustfmt::skip]
                pub mod #group;
            }
        }
    });
    let doc = own_inner_doc_attrs(
        &(format!(
            "Kubernetes API types generated by kubegen from {}.\n\n\
         One module per API group and version (`core::v1::Pod`, `apps::v1::Deployment`), each \
         behind a cargo feature of the same name (`core-v1`, `apps-v1`); `all` (the default) \
         turns on every one. Features of groups that use types of other groups turn those on. \
         `client` adds the typed clients and the `Clientset`, `informers` the typed informers \
         and listers (both default); without them only the types and `kubegen_runtime::meta` are \
         compiled.\n\n\
         The apimachinery types (`ObjectMeta`, `Time`, `Quantity`...) come from \
         `kubegen_runtime::meta`, re-exported here as `meta`.",
            settings.source_description
        ) + if settings.crate_name == "kubegen-api" {
            KUBEGEN_API_EXAMPLE
        } else {
            ""
        }),
    );
    let level = GENERATED_CODE_LEVEL;
    let level_message = format!(
        "this code was generated by kubegen {} for kubegen-runtime's GENERATED_CODE_LEVEL \
         {level}; use a kubegen-runtime of that level or regenerate with a matching kubegen",
        env!("CARGO_PKG_VERSION")
    );
    let tokens = quote! {
        #doc
        // The docs are the API server's descriptions, written as Go doc text, not Markdown.
        #![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        pub use kubegen_runtime::meta;
        // The runtime interface this code was generated for: a clear error instead of type
        // errors deep in generated files when the runtime is incompatible.
        const _: () = assert!(
            kubegen_runtime::GENERATED_CODE_LEVEL == #level,
            #level_message
        );
        // Emitted files are prettyplease's; `cargo fmt` must not rewrite them.
        #[cfg(feature = "client")]
        #[rustfmt::skip]
        mod clientset;
        #[cfg(feature = "client")]
        pub use clientset::Clientset;
        #[cfg(feature = "informers")]
        #[rustfmt::skip]
        mod informer_factory;
        #[cfg(feature = "informers")]
        pub use informer_factory::InformerFactoryExt;
        #(#mods)*
    };
    format_file("src/lib.rs", tokens)
}

fn clientset_rs(model: &Model) -> Result<String, EmitError> {
    let clients = clients::by_module(model);
    let accessors = clients.keys().map(|id| {
        let feature = id.feature();
        let name = format_ident!("{}", clients::accessor_name(id));
        let client = format_ident!("{}", clients::group_client_name(id));
        let group = format_ident!("{}", id.group);
        let version = format_ident!("{}", id.version);
        let doc = format!(" The `{}` API.", api_version(model, id));
        quote! {
            #[doc = #doc]
            #[cfg(feature = #feature)]
            pub fn #name(&self) -> crate::#group::#version::#client {
                crate::#group::#version::#client::new(self.client.clone())
            }
        }
    });
    let tokens = quote! {
        //! The clientset: one client per group-version over one shared REST client.
        use kubegen_runtime::config::Config;
        use kubegen_runtime::rest::{Client, Result};

        /// Every group-version's typed client over one REST client (client-go's
        /// `kubernetes.Clientset`). Cheap to clone: clones share the connection pool and the
        /// rate limiter.
        #[derive(Clone, Debug)]
        pub struct Clientset {
            client: Client,
        }

        impl Clientset {
            /// A clientset over an existing REST client.
            pub fn new(client: Client) -> Self {
                Self { client }
            }

            /// A clientset for a loaded configuration.
            pub fn from_config(config: Config) -> Result<Self> {
                Client::new(config).map(Self::new)
            }

            /// A clientset configured the way kubectl finds a cluster: `KUBECONFIG`, then
            /// in-cluster service account, then `~/.kube/config`.
            pub fn try_default() -> Result<Self> {
                Client::try_default().map(Self::new)
            }

            /// The REST client underneath.
            pub fn rest_client(&self) -> &Client {
                &self.client
            }

            #(#accessors)*
        }
    };
    format_file("src/clientset.rs", tokens)
}

fn informer_factory_rs(model: &Model) -> Result<String, EmitError> {
    let clients = clients::by_module(model);
    let modules: Vec<&ModuleId> = clients
        .iter()
        .filter(|(_, cs)| cs.iter().any(|c| informers::has_informer(c)))
        .map(|(id, _)| *id)
        .collect();
    let decls = modules.iter().map(|id| {
        let feature = id.feature();
        let name = format_ident!("{}", clients::accessor_name(id));
        let informers_ty = format_ident!("{}", informers::group_informers_name(id));
        let group = format_ident!("{}", id.group);
        let version = format_ident!("{}", id.version);
        let doc = format!(" The informers of `{}`.", api_version(model, id));
        (
            quote! {
                #[doc = #doc]
                #[cfg(feature = #feature)]
                fn #name(&self) -> crate::#group::#version::#informers_ty<'_>;
            },
            quote! {
                #[cfg(feature = #feature)]
                fn #name(&self) -> crate::#group::#version::#informers_ty<'_> {
                    crate::#group::#version::#informers_ty::new(self)
                }
            },
        )
    });
    let (decls, impls): (Vec<_>, Vec<_>) = decls.unzip();
    let tokens = quote! {
        //! Typed access to the shared informer factory: `factory.core_v1().pods().lister()`.
        use kubegen_runtime::cache::SharedInformerFactory;
        use kubegen_runtime::rest::Client;

        /// Group-version accessors on [`SharedInformerFactory`] (client-go's generated
        /// `informers.SharedInformerFactory`). Import this trait to use them.
        pub trait InformerFactoryExt {
            #(#decls)*
        }

        impl InformerFactoryExt for SharedInformerFactory<Client> {
            #(#impls)*
        }
    };
    format_file("src/informer_factory.rs", tokens)
}
