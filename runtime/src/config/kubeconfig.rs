//! The kubeconfig file format (`clientcmd/api/v1`), and reading one file of it.
//!
//! Field names follow the file format exactly (mostly kebab-case, a few camelCase), so a
//! kubeconfig that kubectl accepts parses here. Unknown fields are ignored like kubectl
//! does. Relative file paths are resolved against the folder of the file that holds them
//! as soon as the file is read, so merging files never changes what a path points to.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ConfigError, Secret};
use crate::meta::serde_helpers::null_as_default;

/// A whole kubeconfig: named clusters, users and contexts, and the current context.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Kubeconfig {
    #[serde(
        default,
        rename = "apiVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub clusters: Vec<NamedCluster>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub users: Vec<NamedAuthInfo>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub contexts: Vec<NamedContext>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_context: Option<String>,
    /// Kept for round-tripping; not interpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<serde_yaml_ng::Value>,
    /// Kept for round-tripping; not interpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_yaml_ng::Value>,
}

/// A cluster entry with its name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedCluster {
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cluster: Cluster,
}

/// How to reach and trust one API server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    /// `https://host:port`, possibly with a path prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Name to verify the server certificate against instead of the URL's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_server_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_skip_tls_verify: Option<bool>,
    /// Path of a PEM file of CA certificates (relative to the kubeconfig's folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority: Option<PathBuf>,
    /// Base64 of PEM CA certificates; wins over `certificate-authority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority_data: Option<String>,
    /// `http`, `https` or `socks5` proxy for this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_compression: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_yaml_ng::Value>,
}

/// A user entry with its name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedAuthInfo {
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub user: AuthInfo,
}

/// Credentials of one user. Secrets are wrapped so `Debug` never shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuthInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_data: Option<Secret<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret<String>>,
    /// A file holding the bearer token; re-read periodically since tokens rotate.
    #[serde(default, rename = "tokenFile", skip_serializing_if = "Option::is_none")]
    pub token_file: Option<PathBuf>,
    /// User to impersonate.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub impersonate: Option<String>,
    #[serde(default, rename = "as-uid", skip_serializing_if = "Option::is_none")]
    pub impersonate_uid: Option<String>,
    #[serde(default, rename = "as-groups", skip_serializing_if = "Option::is_none")]
    pub impersonate_groups: Option<Vec<String>>,
    #[serde(
        default,
        rename = "as-user-extra",
        skip_serializing_if = "Option::is_none"
    )]
    pub impersonate_user_extra: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret<String>>,
    /// Legacy in-tree auth providers (gcp, oidc, azure): recognised only to say they are
    /// unsupported, since they were removed from client-go in favour of exec plugins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<AuthProvider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecConfig>,
}

/// A legacy auth provider entry; its config may hold tokens, so it is redacted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthProvider {
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Secret<BTreeMap<String, String>>>,
}

/// An exec credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecConfig {
    /// The program to run; a relative path with a separator is resolved against the
    /// kubeconfig's folder, a bare name is looked up on `PATH`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Extra environment variables, added to this process's environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<ExecEnvVar>>,
    /// The ExecCredential version to ask for and accept.
    #[serde(default, deserialize_with = "null_as_default")]
    pub api_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_hint: Option<String>,
    /// Whether to pass the cluster's details in `KUBERNETES_EXEC_INFO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provide_cluster_info: Option<bool>,
    /// `Never`, `IfAvailable` or `Always`; we never have a terminal, so `Always` fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactive_mode: Option<String>,
}

/// One `name`/`value` environment variable of an exec plugin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecEnvVar {
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: String,
}

/// A context entry with its name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedContext {
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub context: Context,
}

/// A (cluster, user, namespace) triple.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    #[serde(default, deserialize_with = "null_as_default")]
    pub cluster: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_yaml_ng::Value>,
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
        let mut config = Self::parse(&text).map_err(|(field, source)| ConfigError::Parse {
            path: path.to_owned(),
            field,
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

    /// Parses kubeconfig YAML text; on error returns the field path and the YAML error.
    pub fn parse(text: &str) -> Result<Self, (String, serde_yaml_ng::Error)> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let de = serde_yaml_ng::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            (field, e.into_inner())
        })
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
        let (field, err) =
            Kubeconfig::parse("users:\n- name: u\n  user:\n    as-groups: 3\n").unwrap_err();
        assert_eq!(field, "users[0].user.as-groups");
        assert!(err.to_string().contains("line"), "{err}");
    }

    #[test]
    fn token_is_redacted_in_debug() {
        let k = Kubeconfig::parse("users:\n- name: u\n  user:\n    token: sekret\n").unwrap();
        assert!(!format!("{k:?}").contains("sekret"));
    }
}
