//! The default loading chain and turning a kubeconfig context into a [`Config`].
//!
//! Order (as kube-rs and the issue specify): an explicit kubeconfig path → the files of
//! `KUBECONFIG`, merged by kubectl's rules → in-cluster → `~/.kube/config`. When nothing
//! applies, the error lists every source tried and why it did not apply.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::exec::ExecAuth;
use super::incluster::{self, InClusterEnv};
use super::{
    AuthConfig, AuthInfo, ClientCertFiles, Cluster, Config, ConfigError, Impersonate, Kubeconfig,
    Secret, TlsConfig, Uri,
};

/// What kubectl's `--context`, `--cluster`, `--user` and `--namespace` flags override.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// The context to use instead of `current-context`.
    pub context: Option<String>,
    /// The cluster to use instead of the context's.
    pub cluster: Option<String>,
    /// The user to use instead of the context's.
    pub user: Option<String>,
    /// The namespace to use instead of the context's.
    pub namespace: Option<String>,
}

/// Finds and loads a configuration. Its environment inputs are fields, filled from the
/// process by [`Loader::from_env`], so tests (and embedders) can set them explicitly.
#[derive(Clone, Debug, Default)]
pub struct Loader {
    /// A kubeconfig file given by the caller (kubectl's `--kubeconfig`); must exist.
    pub explicit_path: Option<PathBuf>,
    /// The `--context`-style overrides.
    pub overrides: Overrides,
    /// The value of `KUBECONFIG`: a list of files separated like `PATH`.
    pub kubeconfig_env: Option<OsString>,
    /// The home folder, for `~/.kube/config`.
    pub home: Option<PathBuf>,
    /// The in-cluster environment (service-account files and `KUBERNETES_SERVICE_*`).
    pub in_cluster: InClusterEnv,
}

impl Loader {
    /// A loader reading `KUBECONFIG`, `HOME` and the in-cluster environment of this process.
    pub fn from_env() -> Self {
        Self {
            explicit_path: None,
            overrides: Overrides::default(),
            kubeconfig_env: std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()),
            home: home_dir(),
            in_cluster: InClusterEnv::from_env(),
        }
    }

    /// Sets the explicit kubeconfig path.
    pub fn explicit_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.explicit_path = Some(path.into());
        self
    }

    /// Sets the context/cluster/user/namespace overrides.
    pub fn overrides(mut self, overrides: Overrides) -> Self {
        self.overrides = overrides;
        self
    }

    /// Runs the chain and returns the first configuration that applies.
    pub fn load(&self) -> Result<Config, ConfigError> {
        let mut tried = Vec::new();
        if let Some(path) = &self.explicit_path {
            let kubeconfig = Kubeconfig::read(path)?;
            return config_from_kubeconfig(&kubeconfig, &self.overrides);
        }
        if let Some(list) = &self.kubeconfig_env {
            match self.load_kubeconfig_env(list)? {
                Some(kubeconfig) => return config_from_kubeconfig(&kubeconfig, &self.overrides),
                None => tried.push(format!(
                    "KUBECONFIG={} (no listed file exists)",
                    list.to_string_lossy()
                )),
            }
        } else {
            tried.push("KUBECONFIG (not set)".to_owned());
        }
        if self.in_cluster.is_set() {
            match incluster::load(&self.in_cluster) {
                Ok(mut config) => {
                    if let Some(ns) = &self.overrides.namespace {
                        config.default_namespace = ns.clone();
                    }
                    return Ok(config);
                }
                Err(e) => tried.push(format!("in-cluster ({e})")),
            }
        } else {
            tried.push("in-cluster (KUBERNETES_SERVICE_HOST/PORT not set)".to_owned());
        }
        match &self.home {
            Some(home) => {
                let path = home.join(".kube").join("config");
                if path.is_file() {
                    let kubeconfig = Kubeconfig::read(&path)?;
                    return config_from_kubeconfig(&kubeconfig, &self.overrides);
                }
                tried.push(format!("{} (does not exist)", path.display()));
            }
            None => tried.push("~/.kube/config (no home folder)".to_owned()),
        }
        Err(ConfigError::NotFound { tried })
    }

    /// Reads and merges the files listed in `KUBECONFIG`; `None` when none exists.
    /// Missing files are skipped (as kubectl does); unreadable or malformed ones fail.
    fn load_kubeconfig_env(&self, list: &OsString) -> Result<Option<Kubeconfig>, ConfigError> {
        let mut seen: Vec<PathBuf> = Vec::new();
        let mut configs = Vec::new();
        for path in std::env::split_paths(list) {
            if path.as_os_str().is_empty() || seen.contains(&path) {
                continue;
            }
            seen.push(path.clone());
            if !path.exists() {
                tracing::debug!(path = %path.display(), "KUBECONFIG file does not exist; skipped");
                continue;
            }
            configs.push(Kubeconfig::read(&path)?);
        }
        Ok((!configs.is_empty()).then(|| Kubeconfig::merge(configs)))
    }
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Resolves the selected context of a kubeconfig into a [`Config`].
pub(crate) fn config_from_kubeconfig(
    kubeconfig: &Kubeconfig,
    overrides: &Overrides,
) -> Result<Config, ConfigError> {
    let available = || kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let context_name = overrides
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ConfigError::NoCurrentContext {
            available: available(),
        })?;
    let context = kubeconfig
        .context(&context_name)
        .ok_or_else(|| ConfigError::UnknownContext {
            name: context_name.clone(),
            available: available(),
        })?;
    let cluster_name = overrides.cluster.as_deref().unwrap_or(&context.cluster);
    let cluster = kubeconfig
        .cluster(cluster_name)
        .ok_or_else(|| ConfigError::UnknownCluster {
            name: cluster_name.to_owned(),
            context: context_name.clone(),
        })?;
    let user_name = overrides.user.as_deref().unwrap_or(&context.user);
    // A context without a user authenticates with nothing (or TLS only), as kubectl does.
    let default_user = AuthInfo::default();
    let user = if user_name.is_empty() {
        &default_user
    } else {
        kubeconfig
            .user(user_name)
            .ok_or_else(|| ConfigError::UnknownUser {
                name: user_name.to_owned(),
                context: context_name.clone(),
            })?
    };

    let server = cluster
        .server
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ConfigError::MissingServer {
            cluster: cluster_name.to_owned(),
        })?;
    let cluster_url =
        parse_url(server, &["http", "https"]).map_err(|reason| ConfigError::InvalidUrl {
            cluster: cluster_name.to_owned(),
            field: "server",
            value: without_credentials(server),
            reason,
        })?;
    let mut config = Config::new(cluster_url);
    config.default_namespace = overrides
        .namespace
        .clone()
        .or_else(|| context.namespace.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into());
    config.tls = tls_config(cluster_name, cluster, user_name, user)?;
    if let Some(proxy) = cluster.proxy_url.as_deref().filter(|p| !p.is_empty()) {
        let schemes = ["http", "https", "socks5", "socks5h"];
        config.proxy_url =
            Some(
                parse_url(proxy, &schemes).map_err(|reason| ConfigError::InvalidUrl {
                    cluster: cluster_name.to_owned(),
                    field: "proxy-url",
                    value: without_credentials(proxy),
                    reason,
                })?,
            );
    }
    if cluster.disable_compression == Some(true) {
        config.compression = false;
    }
    config.auth = auth_config(user_name, user, cluster, &config.tls)?;
    config.impersonate = impersonation(user);
    Ok(config)
}

/// Parses an absolute URL with one of `schemes` and a host.
fn parse_url(value: &str, schemes: &[&str]) -> Result<Uri, String> {
    let uri: Uri = value.trim().parse().map_err(|e| format!("{e}"))?;
    match uri.scheme_str() {
        Some(s) if schemes.contains(&s) => {}
        _ => return Err(format!("the scheme must be one of {}", schemes.join(", "))),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("no host".into());
    }
    Ok(uri)
}

/// A URL as text without `user:password@`, for messages.
fn without_credentials(value: &str) -> String {
    let start = value.find("://").map_or(0, |i| i + 3);
    let end = value[start..]
        .find(['/', '?', '#'])
        .map_or(value.len(), |i| start + i);
    match value[start..end].rfind('@') {
        Some(at) => format!("{}{}", &value[..start], &value[start + at + 1..]),
        None => value.to_owned(),
    }
}

fn decode_b64(field: String, data: &str) -> Result<Vec<u8>, ConfigError> {
    // Kubeconfigs in the wild wrap long base64 lines; whitespace is not data.
    let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|source| ConfigError::Base64 { field, source })
}

fn read_file(path: &Path, what: &'static str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        what,
        source,
    })
}

fn tls_config(
    cluster_name: &str,
    cluster: &Cluster,
    user_name: &str,
    user: &AuthInfo,
) -> Result<TlsConfig, ConfigError> {
    let ca_pem = match (
        &cluster.certificate_authority_data,
        &cluster.certificate_authority,
    ) {
        (Some(data), _) if !data.is_empty() => Some(decode_b64(
            format!("cluster {cluster_name:?} certificate-authority-data"),
            data,
        )?),
        (_, Some(path)) if !path.as_os_str().is_empty() => {
            Some(read_file(path, "certificate-authority")?)
        }
        _ => None,
    };
    let insecure = cluster.insecure_skip_tls_verify.unwrap_or(false);
    if insecure && ca_pem.is_some() {
        return Err(ConfigError::Invalid(format!(
            "cluster {cluster_name:?}: insecure-skip-tls-verify and a certificate authority \
             are both set; choose one"
        )));
    }
    let client_cert_pem = match (&user.client_certificate_data, &user.client_certificate) {
        (Some(data), _) if !data.is_empty() => Some(decode_b64(
            format!("user {user_name:?} client-certificate-data"),
            data,
        )?),
        (_, Some(path)) if !path.as_os_str().is_empty() => {
            Some(read_file(path, "client-certificate")?)
        }
        _ => None,
    };
    let client_key_pem = match (&user.client_key_data, &user.client_key) {
        (Some(data), _) if !data.expose().is_empty() => Some(Secret::new(decode_b64(
            format!("user {user_name:?} client-key-data"),
            data.expose(),
        )?)),
        (_, Some(path)) if !path.as_os_str().is_empty() => {
            Some(Secret::new(read_file(path, "client-key")?))
        }
        _ => None,
    };
    // Re-read as they rotate only when both are files: inline data never changes.
    let client_cert_files = match (&user.client_certificate_data, &user.client_certificate) {
        (Some(data), _) if !data.is_empty() => None,
        (_, Some(cert)) if !cert.as_os_str().is_empty() => {
            match (&user.client_key_data, &user.client_key) {
                (Some(data), _) if !data.expose().is_empty() => None,
                (_, Some(key)) if !key.as_os_str().is_empty() => {
                    Some(ClientCertFiles::new(cert, key))
                }
                _ => None,
            }
        }
        _ => None,
    };
    if client_cert_pem.is_some() != client_key_pem.is_some() {
        return Err(ConfigError::Invalid(format!(
            "user {user_name:?}: a client certificate needs both a certificate and a key"
        )));
    }
    Ok(TlsConfig {
        ca_pem,
        insecure_skip_verify: insecure,
        server_name: cluster.tls_server_name.clone().filter(|s| !s.is_empty()),
        client_cert_pem,
        client_key_pem,
        client_cert_files,
    })
}

fn auth_config(
    user_name: &str,
    user: &AuthInfo,
    cluster: &Cluster,
    tls: &TlsConfig,
) -> Result<AuthConfig, ConfigError> {
    let mut methods: Vec<(&str, AuthConfig)> = Vec::new();
    // As client-go: a token file wins over an inline token (it is the fresher source).
    if let Some(path) = user
        .token_file
        .as_ref()
        .filter(|p| !p.as_os_str().is_empty())
    {
        methods.push(("tokenFile", AuthConfig::TokenFile(path.clone())));
    } else if let Some(token) = user.token.as_ref().filter(|t| !t.expose().is_empty()) {
        methods.push(("token", AuthConfig::Token(token.clone())));
    }
    if let Some(username) = user.username.as_ref().filter(|u| !u.is_empty()) {
        methods.push((
            "username/password",
            AuthConfig::Basic {
                username: username.clone(),
                password: user.password.clone().unwrap_or_default(),
            },
        ));
    }
    if let Some(exec) = &user.exec {
        let cluster_info = exec
            .provide_cluster_info
            .unwrap_or(false)
            .then(|| exec_cluster_info(cluster, tls));
        methods.push((
            "exec",
            AuthConfig::Exec(Box::new(ExecAuth {
                exec: exec.clone(),
                cluster_info,
            })),
        ));
    }
    if let Some(provider) = &user.auth_provider {
        if methods.is_empty() {
            return Err(ConfigError::UnsupportedAuthProvider {
                user: user_name.to_owned(),
                provider: provider.name.clone(),
            });
        }
    }
    if methods.len() > 1 {
        let names: Vec<&str> = methods.iter().map(|(n, _)| *n).collect();
        return Err(ConfigError::Invalid(format!(
            "user {user_name:?}: more than one authentication method ({}); only one is allowed",
            names.join(", ")
        )));
    }
    Ok(methods.pop().map(|(_, m)| m).unwrap_or_default())
}

/// `spec.cluster` of `KUBERNETES_EXEC_INFO`.
fn exec_cluster_info(cluster: &Cluster, tls: &TlsConfig) -> serde_json::Value {
    let mut info = serde_json::json!({
        "server": cluster.server.clone().unwrap_or_default(),
    });
    if let Some(name) = &tls.server_name {
        info["tls-server-name"] = name.clone().into();
    }
    if tls.insecure_skip_verify {
        info["insecure-skip-tls-verify"] = true.into();
    }
    if let Some(ca) = &tls.ca_pem {
        info["certificate-authority-data"] =
            base64::engine::general_purpose::STANDARD.encode(ca).into();
    }
    if let Some(proxy) = &cluster.proxy_url {
        info["proxy-url"] = proxy.clone().into();
    }
    if let Some(ext) = exec_extension(cluster) {
        info["config"] = ext;
    }
    info
}

/// The cluster extension named `client.authentication.k8s.io/exec`, passed to plugins.
fn exec_extension(cluster: &Cluster) -> Option<serde_json::Value> {
    let list = cluster.extensions.as_ref()?.as_array()?;
    let ext = list.iter().find(|e| {
        e.get("name").and_then(|n| n.as_str()) == Some("client.authentication.k8s.io/exec")
    })?;
    ext.get("extension").cloned()
}

fn impersonation(user: &AuthInfo) -> Option<Impersonate> {
    let name = user.impersonate.clone().filter(|s| !s.is_empty());
    let groups = user.impersonate_groups.clone().unwrap_or_default();
    let extra: BTreeMap<String, Vec<String>> =
        user.impersonate_user_extra.clone().unwrap_or_default();
    if name.is_none() && groups.is_empty() && extra.is_empty() && user.impersonate_uid.is_none() {
        return None;
    }
    Some(Impersonate {
        user: name.unwrap_or_default(),
        uid: user.impersonate_uid.clone().filter(|s| !s.is_empty()),
        groups,
        extra,
    })
}
