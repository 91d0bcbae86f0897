//! In-cluster configuration: the API server from the service environment variables, trust
//! from the service account's `ca.crt`, identity from its (rotating) token file.

use std::path::{Path, PathBuf};

use super::{AuthConfig, Config, ConfigError, TlsConfig, Uri};

/// Where a pod's service-account files are mounted.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The inputs of in-cluster configuration, separate from the process so tests can set them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InClusterEnv {
    /// `KUBERNETES_SERVICE_HOST`.
    pub host: Option<String>,
    /// `KUBERNETES_SERVICE_PORT`.
    pub port: Option<String>,
    /// Folder holding `token`, `ca.crt` and `namespace`.
    pub service_account_dir: PathBuf,
}

impl InClusterEnv {
    /// Reads the two environment variables; the folder is [`SERVICE_ACCOUNT_DIR`].
    pub fn from_env() -> Self {
        Self {
            host: std::env::var("KUBERNETES_SERVICE_HOST")
                .ok()
                .filter(|s| !s.is_empty()),
            port: std::env::var("KUBERNETES_SERVICE_PORT")
                .ok()
                .filter(|s| !s.is_empty()),
            service_account_dir: PathBuf::from(SERVICE_ACCOUNT_DIR),
        }
    }

    /// True when both variables are set: we run in a pod.
    pub fn is_set(&self) -> bool {
        self.host.is_some() && self.port.is_some()
    }
}

/// Builds the in-cluster configuration, or says which input is missing.
pub(crate) fn load(env: &InClusterEnv) -> Result<Config, ConfigError> {
    let (Some(host), Some(port)) = (&env.host, &env.port) else {
        return Err(ConfigError::InCluster(
            "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set".into(),
        ));
    };
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.clone()
    };
    let raw = format!("https://{host}:{port}");
    let url = raw
        .parse::<Uri>()
        .map_err(|e| ConfigError::InCluster(format!("invalid server address {raw:?}: {e}")))?;
    let dir: &Path = &env.service_account_dir;
    let token_path = dir.join("token");
    if !token_path.is_file() {
        return Err(ConfigError::InCluster(format!(
            "service-account token {} does not exist",
            token_path.display()
        )));
    }
    let ca_path = dir.join("ca.crt");
    let ca = std::fs::read(&ca_path).map_err(|source| ConfigError::ReadFile {
        path: ca_path,
        what: "service-account CA",
        source,
    })?;
    let namespace = std::fs::read_to_string(dir.join("namespace"))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    let mut config = Config::new(url);
    config.default_namespace = namespace;
    config.tls = TlsConfig {
        ca_pem: Some(ca),
        ..TlsConfig::default()
    };
    config.auth = AuthConfig::TokenFile(token_path);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_from_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "tok").unwrap();
        std::fs::write(dir.path().join("ca.crt"), "pem").unwrap();
        std::fs::write(dir.path().join("namespace"), "kube-system\n").unwrap();
        let env = InClusterEnv {
            host: Some("fd00::1".into()),
            port: Some("443".into()),
            service_account_dir: dir.path().to_owned(),
        };
        let c = load(&env).unwrap();
        assert_eq!(c.cluster_url.to_string(), "https://[fd00::1]:443/");
        assert_eq!(c.default_namespace, "kube-system");
        assert!(matches!(c.auth, AuthConfig::TokenFile(ref p) if p.ends_with("token")));
        assert_eq!(c.tls.ca_pem.as_deref(), Some(&b"pem"[..]));
    }

    #[test]
    fn missing_env_is_an_error() {
        let e = load(&InClusterEnv::default()).unwrap_err();
        assert!(e.to_string().contains("KUBERNETES_SERVICE_HOST"));
    }
}
