//! Exec credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`).
//!
//! The plugin is a program that prints an `ExecCredential` JSON object on stdout. We pass
//! it `KUBERNETES_EXEC_INFO` (and the cluster's details when `provideClusterInfo` is set),
//! never give it a terminal, and check that it answers in the version we asked for. The
//! `rest` layer caches the credential until its `expirationTimestamp` and runs the plugin
//! again after the server answers 401.

mod credential;
mod process;

use super::{ExecConfig, Secret};
use crate::meta::Time;
use credential::parse_credential;
use process::RunError;

const V1: &str = "client.authentication.k8s.io/v1";
const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// An exec plugin as configured, plus what it may be told about the cluster. `Debug`
/// hides the plugin's arguments, environment values and the cluster details.
#[derive(Clone, PartialEq)]
pub struct ExecAuth {
    /// The plugin's kubeconfig entry.
    pub exec: ExecConfig,
    /// `spec.cluster` of `KUBERNETES_EXEC_INFO`, set when `provideClusterInfo` is true.
    pub cluster_info: Option<serde_json::Value>,
}

/// The credential a plugin returned.
#[derive(Clone, Debug, Default)]
pub struct ExecCredential {
    /// A bearer token.
    pub token: Option<Secret<String>>,
    /// A PEM client certificate (with `client_key_pem`).
    pub client_certificate_pem: Option<Vec<u8>>,
    /// The PEM key of `client_certificate_pem`.
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
    /// The kubeconfig asks for an ExecCredential version this client does not speak.
    #[error(
        "exec plugin {command:?}: unsupported apiVersion {api_version:?} (want {V1} or {V1BETA1})"
    )]
    UnsupportedVersion {
        /// The plugin's program.
        command: String,
        /// The version asked for.
        api_version: String,
    },
    /// The plugin needs a terminal (`interactiveMode: Always`).
    #[error("exec plugin {command:?} needs an interactive terminal (interactiveMode: Always), which this client never has")]
    NeedsTerminal {
        /// The plugin's program.
        command: String,
    },
    /// The program could not be started (not found, not executable).
    #[error("exec plugin {command:?} could not be started: {source}{hint}")]
    Spawn {
        /// The plugin's program.
        command: String,
        /// The kubeconfig's `installHint`, if any, after a line break.
        hint: String,
        /// The error of starting it.
        #[source]
        source: std::io::Error,
    },
    /// The program exited with a failure.
    #[error("exec plugin {command:?} failed ({status}): {stderr}")]
    Failed {
        /// The plugin's program.
        command: String,
        /// How it exited.
        status: std::process::ExitStatus,
        /// What it wrote to stderr.
        stderr: String,
    },
    /// The program printed something that is not a usable ExecCredential.
    #[error("exec plugin {command:?} printed an invalid ExecCredential: {reason}")]
    InvalidOutput {
        /// The plugin's program.
        command: String,
        /// What is wrong with it (never the output itself, which may hold a secret).
        reason: String,
    },
    /// Reading the plugin's output or waiting for it to exit failed.
    #[error("exec plugin {command:?}: reading its output: {source}")]
    Io {
        /// The plugin's program.
        command: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The plugin did not finish in time (it was killed).
    #[error("exec plugin {command:?} did not finish within {after:?}; it was stopped")]
    TimedOut {
        /// The plugin's program.
        command: String,
        /// The time it was given.
        after: std::time::Duration,
    },
}

/// How long a plugin may run before it is stopped: long enough for a login in a browser,
/// short enough that a hung plugin does not hold every request for ever.
pub const EXEC_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

impl ExecAuth {
    /// Runs the plugin once and parses what it prints; a plugin still running after
    /// [`EXEC_TIMEOUT`] is stopped.
    pub async fn run(&self) -> Result<ExecCredential, ExecError> {
        self.run_with_timeout(EXEC_TIMEOUT).await
    }

    /// Like [`Self::run`], stopping the plugin after `timeout`.
    pub async fn run_with_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> Result<ExecCredential, ExecError> {
        match tokio::time::timeout(timeout, self.run_once()).await {
            Ok(result) => result,
            Err(_) => Err(ExecError::TimedOut {
                command: self.exec.command.clone(),
                after: timeout,
            }),
        }
    }

    async fn run_once(&self) -> Result<ExecCredential, ExecError> {
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
        let mut cmd = std::process::Command::new(&cfg.command);
        cmd.args(cfg.args.iter().flatten())
            .envs(cfg.env.iter().flatten().map(|e| (&e.name, &e.value)))
            .env("KUBERNETES_EXEC_INFO", info.to_string());
        tracing::debug!(command = %cfg.command, "running exec credential plugin");
        let output = process::output(cmd).await.map_err(|e| match e {
            RunError::Spawn(source) => ExecError::Spawn {
                command: command.clone(),
                hint: cfg
                    .install_hint
                    .as_deref()
                    .map(|h| format!("\n{h}"))
                    .unwrap_or_default(),
                source,
            },
            RunError::Io(source) => ExecError::Io {
                command: command.clone(),
                source,
            },
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
        if output.stdout_truncated {
            return Err(ExecError::InvalidOutput {
                command,
                reason: format!("it printed more than {} bytes", process::STDOUT_MAX),
            });
        }
        parse_credential(&command, &cfg.api_version, &output.stdout)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::config::ExecEnvVar;

    fn plugin(script: &str, hint: Option<&str>) -> ExecAuth {
        ExecAuth {
            exec: ExecConfig {
                command: "sh".into(),
                args: Some(vec![
                    "-c".into(),
                    script.into(),
                    "plugin".into(),
                    "tok".into(),
                ]),
                env: Some(vec![ExecEnvVar {
                    name: "SUFFIX".into(),
                    value: "-from-env".into(),
                }]),
                api_version: V1.into(),
                install_hint: hint.map(Into::into),
                ..Default::default()
            },
            cluster_info: Some(serde_json::json!({"server": "https://k.example"})),
        }
    }

    #[tokio::test]
    async fn runs_with_args_env_and_cluster_info() {
        // $1 is the first argument after the script; the info must name the cluster.
        let script = r#"case "$KUBERNETES_EXEC_INFO" in *'"server":"https://k.example"'*) ;; *) exit 9;; esac
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s%s"}}' "$1" "$SUFFIX""#;
        let cred = plugin(script, None).run().await.unwrap();
        assert_eq!(cred.token.unwrap().expose(), "tok-from-env");
    }

    #[tokio::test]
    async fn a_failing_plugin_reports_its_status_and_stderr() {
        let e = plugin("echo 'login required' >&2; exit 4", None)
            .run()
            .await
            .unwrap_err();
        assert!(matches!(e, ExecError::Failed { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("\"sh\"") && msg.contains("login required"),
            "{msg}"
        );
        assert!(msg.contains('4'), "{msg}");
    }

    #[tokio::test]
    async fn a_hung_plugin_times_out_with_an_error_naming_it() {
        let started = std::time::Instant::now();
        let e = plugin("exec sleep 30", None)
            .run_with_timeout(std::time::Duration::from_millis(300))
            .await
            .unwrap_err();
        assert!(matches!(e, ExecError::TimedOut { .. }), "{e:?}");
        assert!(e.to_string().contains("\"sh\""), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_plugin_printing_without_end_is_refused() {
        let e = plugin("head -c 3000000 /dev/zero", None)
            .run()
            .await
            .unwrap_err();
        assert!(matches!(e, ExecError::InvalidOutput { .. }), "{e:?}");
        assert!(e.to_string().contains("more than"), "{e}");
    }

    #[tokio::test]
    async fn a_missing_plugin_names_it_and_gives_the_hint() {
        let mut auth = plugin("", Some("install it with: brew install x"));
        auth.exec.command = "/nonexistent/kubegen-get-token".into();
        let msg = auth.run().await.unwrap_err().to_string();
        assert!(msg.contains("/nonexistent/kubegen-get-token"), "{msg}");
        assert!(msg.ends_with("\ninstall it with: brew install x"), "{msg}");
    }

    #[tokio::test]
    async fn interactive_always_and_unknown_versions_are_refused_before_running() {
        let mut auth = plugin("exit 1", None);
        auth.exec.interactive_mode = Some("Always".into());
        assert!(matches!(
            auth.run().await,
            Err(ExecError::NeedsTerminal { .. })
        ));
        let mut auth = plugin("exit 1", None);
        auth.exec.api_version = "client.authentication.k8s.io/v1alpha1".into();
        assert!(matches!(
            auth.run().await,
            Err(ExecError::UnsupportedVersion { .. })
        ));
    }
}
