//! Exec credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`).
//!
//! The plugin is a program that prints an `ExecCredential` JSON object on stdout. We pass
//! it `KUBERNETES_EXEC_INFO` (and the cluster's details when `provideClusterInfo` is set),
//! never give it a terminal, and check that it answers in the version we asked for. The
//! `rest` layer caches the credential until its `expirationTimestamp` and runs the plugin
//! again after the server answers 401.

use std::process::Stdio;

use serde::Deserialize;

use super::{ExecConfig, Secret};
use crate::meta::Time;

const V1: &str = "client.authentication.k8s.io/v1";
const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// An exec plugin as configured, plus what it may be told about the cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecAuth {
    pub exec: ExecConfig,
    /// `spec.cluster` of `KUBERNETES_EXEC_INFO`, set when `provideClusterInfo` is true.
    pub cluster_info: Option<serde_json::Value>,
}

/// The credential a plugin returned.
#[derive(Clone, Debug, Default)]
pub struct ExecCredential {
    pub token: Option<Secret<String>>,
    pub client_certificate_pem: Option<Vec<u8>>,
    pub client_key_pem: Option<Secret<Vec<u8>>>,
    /// When the credential stops being valid; `None` means until the server rejects it.
    pub expiration: Option<Time>,
}

impl ExecCredential {
    /// True when the credential has an expiry that has passed.
    pub fn is_expired(&self) -> bool {
        self.expiration.is_some_and(|exp| Time::now() >= exp)
    }
}

/// Why running an exec plugin gave no credential. Never carries the plugin's stdout,
/// which may hold a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    #[error(
        "exec plugin {command:?}: unsupported apiVersion {api_version:?} (want {V1} or {V1BETA1})"
    )]
    UnsupportedVersion {
        command: String,
        api_version: String,
    },
    #[error("exec plugin {command:?} needs an interactive terminal (interactiveMode: Always), which this client never has")]
    NeedsTerminal { command: String },
    #[error("exec plugin {command:?} could not be started: {source}{hint}")]
    Spawn {
        command: String,
        hint: String,
        #[source]
        source: std::io::Error,
    },
    #[error("exec plugin {command:?} failed ({status}): {stderr}")]
    Failed {
        command: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("exec plugin {command:?} printed an invalid ExecCredential: {reason}")]
    InvalidOutput { command: String, reason: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCredential {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: Option<WireStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireStatus {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    client_certificate_data: Option<String>,
    #[serde(default)]
    client_key_data: Option<String>,
    #[serde(default)]
    expiration_timestamp: Option<Time>,
}

impl ExecAuth {
    /// Runs the plugin once and parses what it prints.
    pub async fn run(&self) -> Result<ExecCredential, ExecError> {
        let cfg = &self.exec;
        let command = cfg.command.clone();
        if cfg.api_version != V1 && cfg.api_version != V1BETA1 {
            return Err(ExecError::UnsupportedVersion {
                command,
                api_version: cfg.api_version.clone(),
            });
        }
        if cfg.interactive_mode.as_deref() == Some("Always") {
            return Err(ExecError::NeedsTerminal { command });
        }
        let mut spec = serde_json::json!({ "interactive": false });
        if let Some(cluster) = &self.cluster_info {
            spec["cluster"] = cluster.clone();
        }
        let info = serde_json::json!({
            "apiVersion": cfg.api_version,
            "kind": "ExecCredential",
            "spec": spec,
        });
        let mut cmd = tokio::process::Command::new(&cfg.command);
        cmd.args(cfg.args.iter().flatten())
            .envs(cfg.env.iter().flatten().map(|e| (&e.name, &e.value)))
            .env("KUBERNETES_EXEC_INFO", info.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        tracing::debug!(command = %cfg.command, "running exec credential plugin");
        let output = cmd.output().await.map_err(|source| ExecError::Spawn {
            command: command.clone(),
            hint: cfg
                .install_hint
                .as_deref()
                .map(|h| format!("\n{h}"))
                .unwrap_or_default(),
            source,
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stderr: String = stderr.trim().chars().take(1024).collect();
            return Err(ExecError::Failed {
                command,
                status: output.status,
                stderr,
            });
        }
        parse_credential(&command, &cfg.api_version, &output.stdout)
    }
}

/// Parses and checks a plugin's stdout.
fn parse_credential(
    command: &str,
    want_version: &str,
    stdout: &[u8],
) -> Result<ExecCredential, ExecError> {
    let invalid = |reason: String| ExecError::InvalidOutput {
        command: command.to_owned(),
        reason,
    };
    // The serde error names only line and column, never the content.
    let wire: WireCredential = serde_json::from_slice(stdout)
        .map_err(|e| invalid(format!("not JSON: line {} column {}", e.line(), e.column())))?;
    if wire.kind != "ExecCredential" {
        return Err(invalid(format!(
            "kind is {:?}, not ExecCredential",
            wire.kind
        )));
    }
    if wire.api_version != want_version {
        return Err(invalid(format!(
            "apiVersion is {:?}, but {want_version:?} was asked for",
            wire.api_version
        )));
    }
    let status = wire.status.ok_or_else(|| invalid("no status".to_owned()))?;
    // PEM data in an ExecCredential is plain text, not base64 as in a kubeconfig.
    let token = status.token.filter(|t| !t.is_empty()).map(Secret::new);
    let cert = status
        .client_certificate_data
        .filter(|c| !c.is_empty())
        .map(String::into_bytes);
    let key = status
        .client_key_data
        .filter(|k| !k.is_empty())
        .map(|k| Secret::new(k.into_bytes()));
    if cert.is_some() != key.is_some() {
        return Err(invalid(
            "clientCertificateData and clientKeyData must be given together".to_owned(),
        ));
    }
    if token.is_none() && cert.is_none() {
        return Err(invalid(
            "status has neither a token nor a client certificate".to_owned(),
        ));
    }
    Ok(ExecCredential {
        token,
        client_certificate_pem: cert,
        client_key_pem: key,
        expiration: status.expiration_timestamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_token_and_expiry() {
        let c = parse_credential(
            "p",
            V1,
            br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"abc","expirationTimestamp":"2000-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(c.token.as_ref().unwrap().expose(), "abc");
        assert!(c.is_expired());
    }

    #[test]
    fn rejects_wrong_version_without_leaking() {
        let e = parse_credential(
            "p",
            V1,
            br#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"sekret"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("v1beta1"));
        assert!(!e.to_string().contains("sekret"));
        let e = parse_credential("p", V1, b"{\"token\": \"sekret\"").unwrap_err();
        assert!(!e.to_string().contains("sekret"), "{e}");
    }
}
