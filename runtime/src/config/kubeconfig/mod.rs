//! The kubeconfig file format (`clientcmd/api/v1`), and reading one file of it.
//!
//! Field names follow the file format exactly (mostly kebab-case, a few camelCase), so a
//! kubeconfig that kubectl accepts parses here. Unknown fields are ignored like kubectl
//! does. Relative file paths are resolved against the folder of the file that holds them
//! as soon as the file is read, so merging files never changes what a path points to.
//!
//! Reading and writing are written by hand (`decode`, `encode`) rather than derived: the
//! YAML is parsed by `granit-parser` (the workspace's one YAML parser) into a node tree
//! (`config::yaml`, which knows only YAML) that keeps each node's line and column and each
//! scalar's exact text, and the structs are read from it by kubeconfig's own rules
//! (`reader`, `decode`). That keeps both the build and the compiled code of a program that
//! only loads its kubeconfig small; errors name the field's path, line and column.
//!
//! `preferences` and `extensions` are kept as JSON values (`serde_json::Value`): what
//! kubectl keeps of them is JSON too (`runtime.RawExtension`). Their scalars are typed by
//! the YAML 1.2 core schema, and their maps come back with keys sorted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod decode;
mod encode;
mod parse_error;
mod reader;

pub use parse_error::ParseError;

use super::{yaml, ConfigError, Secret};

/// A whole kubeconfig: named clusters, users and contexts, and the current context.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kubeconfig {
    /// `v1`.
    pub api_version: Option<String>,
    /// `Config`.
    pub kind: Option<String>,
    /// The API servers, by name.
    pub clusters: Vec<NamedCluster>,
    /// The credentials, by name.
    pub users: Vec<NamedAuthInfo>,
    /// Cluster-user-namespace triples, by name.
    pub contexts: Vec<NamedContext>,
    /// The context used unless another is asked for.
    pub current_context: Option<String>,
    /// Kept for round-tripping, as JSON (YAML 1.2 core-schema scalars, sorted map keys);
    /// not interpreted.
    pub preferences: Option<serde_json::Value>,
    /// Kept for round-tripping, as JSON like `preferences`; not interpreted.
    pub extensions: Option<serde_json::Value>,
}

/// A cluster entry with its name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamedCluster {
    /// The name contexts refer to it by.
    pub name: String,
    /// The cluster.
    pub cluster: Cluster,
}

/// How to reach and trust one API server.
///
/// `Debug` shows `server` and `proxy-url` without userinfo or query, which may hold a
/// password or token.
#[derive(Clone, Default, PartialEq)]
pub struct Cluster {
    /// `https://host:port`, possibly with a path prefix.
    pub server: Option<String>,
    /// Name to verify the server certificate against instead of the URL's host.
    pub tls_server_name: Option<String>,
    /// Skip verifying the server certificate (insecure: for tests only).
    pub insecure_skip_tls_verify: Option<bool>,
    /// Path of a PEM file of CA certificates (relative to the kubeconfig's folder).
    pub certificate_authority: Option<PathBuf>,
    /// Base64 of PEM CA certificates; wins over `certificate-authority`.
    pub certificate_authority_data: Option<String>,
    /// `http`, `https` or `socks5` proxy for this cluster.
    pub proxy_url: Option<String>,
    /// Do not ask the server for compressed responses.
    pub disable_compression: Option<bool>,
    /// Named extensions (`[{name, extension}]`), as JSON; the one named
    /// `client.authentication.k8s.io/exec` is passed to exec plugins.
    pub extensions: Option<serde_json::Value>,
}

/// A user entry with its name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamedAuthInfo {
    /// The name contexts refer to it by.
    pub name: String,
    /// The credentials.
    pub user: AuthInfo,
}

/// Credentials of one user. Secrets are wrapped so `Debug` never shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthInfo {
    /// Path of a PEM client certificate (relative to the kubeconfig's folder).
    pub client_certificate: Option<PathBuf>,
    /// Base64 of a PEM client certificate; wins over `client-certificate`.
    pub client_certificate_data: Option<String>,
    /// Path of the PEM key of the client certificate.
    pub client_key: Option<PathBuf>,
    /// Base64 of the PEM key; wins over `client-key`.
    pub client_key_data: Option<Secret<String>>,
    /// A bearer token.
    pub token: Option<Secret<String>>,
    /// A file holding the bearer token; re-read periodically since tokens rotate.
    pub token_file: Option<PathBuf>,
    /// User to impersonate.
    pub impersonate: Option<String>,
    /// UID to impersonate.
    pub impersonate_uid: Option<String>,
    /// Groups to impersonate.
    pub impersonate_groups: Option<Vec<String>>,
    /// Extra fields of the impersonated user.
    pub impersonate_user_extra: Option<BTreeMap<String, Vec<String>>>,
    /// User name of basic authentication.
    pub username: Option<String>,
    /// Password of basic authentication.
    pub password: Option<Secret<String>>,
    /// Legacy in-tree auth providers (gcp, oidc, azure): recognised only to say they are
    /// unsupported, since they were removed from client-go in favour of exec plugins.
    pub auth_provider: Option<AuthProvider>,
    /// A plugin that prints the credential.
    pub exec: Option<ExecConfig>,
}

/// A legacy auth provider entry; its config may hold tokens, so it is redacted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthProvider {
    /// The provider (`gcp`, `oidc`, `azure`).
    pub name: String,
    /// Its settings, which may hold tokens.
    pub config: Option<Secret<BTreeMap<String, String>>>,
}

/// An exec credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`).
///
/// `Debug` hides the arguments and environment values (`--client-secret=...` is common),
/// as client-go's `ExecConfig.String()` does.
#[derive(Clone, Default, PartialEq)]
pub struct ExecConfig {
    /// The program to run; a relative path with a separator is resolved against the
    /// kubeconfig's folder, a bare name is looked up on `PATH`.
    pub command: String,
    /// The program's arguments.
    pub args: Option<Vec<String>>,
    /// Extra environment variables, added to this process's environment.
    pub env: Option<Vec<ExecEnvVar>>,
    /// The ExecCredential version to ask for and accept.
    pub api_version: String,
    /// Shown when the program is not found (how to install it).
    pub install_hint: Option<String>,
    /// Whether to pass the cluster's details in `KUBERNETES_EXEC_INFO`.
    pub provide_cluster_info: Option<bool>,
    /// `Never`, `IfAvailable` or `Always`; we never have a terminal, so `Always` fails.
    pub interactive_mode: Option<String>,
}

/// One `name`/`value` environment variable of an exec plugin; `Debug` hides the value.
#[derive(Clone, Default, PartialEq)]
pub struct ExecEnvVar {
    /// The variable's name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A context entry with its name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamedContext {
    /// The name `current-context` refers to it by.
    pub name: String,
    /// The context.
    pub context: Context,
}

/// A (cluster, user, namespace) triple.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// The cluster's name.
    pub cluster: String,
    /// The user's name.
    pub user: String,
    /// The namespace requests default to.
    pub namespace: Option<String>,
    /// Kept for round-tripping, as JSON; not interpreted.
    pub extensions: Option<serde_json::Value>,
}

impl Kubeconfig {
    /// Reads and parses one kubeconfig file, resolving its relative paths against its folder.
    ///
    /// An empty file is an empty kubeconfig, as kubectl treats it. A parse error names the
    /// file, the field path (`users[0].user.exec.args`) and the line.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            what: "kubeconfig",
            source,
        })?;
        let mut config = Self::parse(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            field: source.field().to_owned(),
            source,
        })?;
        let base = path
            .parent()
            .map(Path::to_owned)
            .unwrap_or_else(|| PathBuf::from("."));
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        config.resolve_paths(&base);
        Ok(config)
    }

    /// Parses kubeconfig YAML (or JSON) text; an error names the field path (`.` for the
    /// document), the line and the column.
    ///
    /// As kubectl: only the first document of a multi-document stream is read, and a text
    /// with no document (empty, only comments) or a `null` one is an empty kubeconfig.
    /// Anchors and aliases are resolved; a key given twice in one mapping is an error.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let root =
            yaml::parse(text).map_err(|e| ParseError::new(".".to_owned(), e.message, e.mark))?;
        match root {
            None => Ok(Self::default()),
            Some(root) => decode::kubeconfig(&mut reader::Reader::new(), &root),
        }
    }

    /// Makes every relative file reference absolute against `base` (the file's folder).
    fn resolve_paths(&mut self, base: &Path) {
        let resolve = |p: &mut Option<PathBuf>| {
            if let Some(path) = p {
                if !path.as_os_str().is_empty() && path.is_relative() {
                    *path = base.join(&*path);
                }
            }
        };
        for c in &mut self.clusters {
            resolve(&mut c.cluster.certificate_authority);
        }
        for u in &mut self.users {
            resolve(&mut u.user.client_certificate);
            resolve(&mut u.user.client_key);
            resolve(&mut u.user.token_file);
            if let Some(exec) = &mut u.user.exec {
                // As kubectl: only a command with a path separator is a file path;
                // a bare name is looked up on PATH when run.
                let cmd = Path::new(&exec.command);
                if cmd.is_relative() && exec.command.contains(std::path::MAIN_SEPARATOR) {
                    exec.command = base.join(cmd).to_string_lossy().into_owned();
                }
            }
        }
    }

    /// The cluster named `name`, if any.
    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.cluster)
    }

    /// The user named `name`, if any.
    pub fn user(&self, name: &str) -> Option<&AuthInfo> {
        self.users.iter().find(|u| u.name == name).map(|u| &u.user)
    }

    /// The context named `name`, if any.
    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.context)
    }

    /// Merges kubeconfigs by kubectl's rules, earliest first: the first file to name a
    /// cluster, user or context wins that name whole, and `current-context` comes from the
    /// first file that sets it.
    pub fn merge(configs: impl IntoIterator<Item = Kubeconfig>) -> Kubeconfig {
        fn add<T>(into: &mut Vec<T>, from: Vec<T>, name: impl Fn(&T) -> &str) {
            for item in from {
                if !into.iter().any(|have| name(have) == name(&item)) {
                    into.push(item);
                }
            }
        }
        let mut merged = Kubeconfig::default();
        for config in configs {
            add(&mut merged.clusters, config.clusters, |c| &c.name);
            add(&mut merged.users, config.users, |u| &u.name);
            add(&mut merged.contexts, config.contexts, |c| &c.name);
            if merged.current_context.as_deref().unwrap_or("").is_empty() {
                merged.current_context = config.current_context;
            }
            if merged.preferences.is_none() {
                merged.preferences = config.preferences;
            }
            if merged.api_version.is_none() {
                merged.api_version = config.api_version;
            }
            if merged.kind.is_none() {
                merged.kind = config.kind;
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_first_wins() {
        let a = Kubeconfig::parse(
            "current-context: ''\nclusters:\n- name: c\n  cluster: {server: 'https://a'}\n",
        )
        .unwrap();
        let b = Kubeconfig::parse(
            "current-context: b\nclusters:\n- name: c\n  cluster: {server: 'https://b'}\n- name: d\n  cluster: {server: 'https://d'}\n",
        )
        .unwrap();
        let m = Kubeconfig::merge([a, b]);
        assert_eq!(m.cluster("c").unwrap().server.as_deref(), Some("https://a"));
        assert_eq!(m.cluster("d").unwrap().server.as_deref(), Some("https://d"));
        assert_eq!(m.current_context.as_deref(), Some("b"));
    }

    #[test]
    fn parse_error_names_the_field() {
        let err = Kubeconfig::parse("users:\n- name: u\n  user:\n    as-groups: 3\n").unwrap_err();
        assert_eq!(err.field(), "users[0].user.as-groups");
        assert_eq!((err.line(), err.column()), (4, 16));
    }

    #[test]
    fn token_is_redacted_in_debug() {
        let k = Kubeconfig::parse("users:\n- name: u\n  user:\n    token: sekret\n").unwrap();
        assert!(!format!("{k:?}").contains("sekret"));
    }
}
