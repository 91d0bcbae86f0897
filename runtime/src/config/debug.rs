//! `Debug` for the configuration types that hold secrets in plain fields: exec plugin
//! arguments and environment values (`--oidc-client-secret=...`), URLs with userinfo or a
//! token in the query, and extension data passed to plugins. What can be shown is shown,
//! so a `{:?}` of a configuration still says what it points at.

use std::fmt;

use super::kubeconfig::{Cluster, ExecConfig, ExecEnvVar};
use super::redact_url;
use super::ExecAuth;

/// Stands for a value that is present but not shown.
const REDACTED: &str = "<redacted>";

/// Prints `REDACTED` as a bare word (not a quoted string).
#[derive(Clone, Copy)]
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A URL kept as text in a kubeconfig, without userinfo or query; text that is not a
/// URL is not shown at all.
struct RedactedUrl<'a>(&'a str);

impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.parse::<http::Uri>() {
            Ok(uri) => fmt::Debug::fmt(&redact_url(&uri), f),
            Err(_) => f.write_str(REDACTED),
        }
    }
}

/// `Some(<redacted>)` or `None`, telling presence without the value.
fn presence<T>(value: &Option<T>) -> Option<Redacted> {
    value.as_ref().map(|_| Redacted)
}

impl fmt::Debug for ExecConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args = self.args.as_ref().map(|a| vec![Redacted; a.len()]);
        f.debug_struct("ExecConfig")
            .field("command", &self.command)
            .field("args", &args)
            .field("env", &self.env)
            .field("api_version", &self.api_version)
            .field("install_hint", &self.install_hint)
            .field("provide_cluster_info", &self.provide_cluster_info)
            .field("interactive_mode", &self.interactive_mode)
            .finish()
    }
}

impl fmt::Debug for ExecEnvVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecEnvVar")
            .field("name", &self.name)
            .field("value", &Redacted)
            .finish()
    }
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("server", &self.server.as_deref().map(RedactedUrl))
            .field("tls_server_name", &self.tls_server_name)
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field("certificate_authority", &self.certificate_authority)
            .field(
                "certificate_authority_data",
                &self.certificate_authority_data,
            )
            .field("proxy_url", &self.proxy_url.as_deref().map(RedactedUrl))
            .field("disable_compression", &self.disable_compression)
            .field("extensions", &presence(&self.extensions))
            .finish()
    }
}

impl fmt::Debug for ExecAuth {
    /// The cluster details handed to the plugin include its `config` extension, which
    /// may hold plugin secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecAuth")
            .field("exec", &self.exec)
            .field("cluster_info", &presence(&self.cluster_info))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::exec::ExecCredential;
    use super::super::kubeconfig::{
        AuthInfo, AuthProvider, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
    };
    use super::super::{AuthConfig, Config, Secret, TlsConfig};
    use super::*;

    /// Every secret below contains this; none may show in any `Debug` output.
    const S: &str = "SeCrEt";

    fn secret(field: &str) -> String {
        format!("{S}-{field}")
    }

    fn exec_config() -> ExecConfig {
        ExecConfig {
            command: "oidc-login".into(),
            args: Some(vec![
                "get-token".into(),
                format!("--oidc-client-secret={}", secret("arg")),
            ]),
            env: Some(vec![ExecEnvVar {
                name: "CLIENT_SECRET".into(),
                value: secret("env"),
            }]),
            api_version: "client.authentication.k8s.io/v1".into(),
            ..Default::default()
        }
    }

    fn exec_auth() -> ExecAuth {
        ExecAuth {
            exec: exec_config(),
            cluster_info: Some(serde_json::json!({
                "server": "https://k.example",
                "config": { "clientSecret": secret("cluster-info") },
            })),
        }
    }

    fn kubeconfig() -> Kubeconfig {
        let url = format!(
            "https://user:{}@k.example:6443/p?token={}",
            secret("url-password"),
            secret("url-query")
        );
        let cluster = Cluster {
            server: Some(url.clone()),
            proxy_url: Some(format!("http://u:{}@proxy:3128", secret("proxy-password"))),
            extensions: Some(serde_json::json!([{
                "name": "client.authentication.k8s.io/exec",
                "extension": { "secret": secret("extension") },
            }])),
            ..Default::default()
        };
        let user = AuthInfo {
            client_key_data: Some(Secret::new(secret("client-key-data"))),
            token: Some(Secret::new(secret("token"))),
            username: Some("jane".into()),
            password: Some(Secret::new(secret("password"))),
            auth_provider: Some(AuthProvider {
                name: "oidc".into(),
                config: Some(Secret::new(BTreeMap::from([
                    ("client-secret".into(), secret("auth-provider")),
                    ("id-token".into(), secret("id-token")),
                ]))),
            }),
            exec: Some(exec_config()),
            ..Default::default()
        };
        Kubeconfig {
            clusters: vec![NamedCluster {
                name: "c".into(),
                cluster,
            }],
            users: vec![NamedAuthInfo {
                name: "u".into(),
                user,
            }],
            contexts: vec![NamedContext {
                name: "ctx".into(),
                context: Context {
                    cluster: "c".into(),
                    user: "u".into(),
                    ..Default::default()
                },
            }],
            current_context: Some("ctx".into()),
            ..Default::default()
        }
    }

    fn configs() -> Vec<Config> {
        let base: http::Uri = format!(
            "https://u:{}@k.example/?t={}",
            secret("base-pw"),
            secret("base-q")
        )
        .parse()
        .unwrap();
        let mut with_tls = Config::new(base.clone());
        with_tls.tls = TlsConfig {
            client_key_pem: Some(Secret::new(secret("key-pem").into_bytes())),
            ..Default::default()
        };
        with_tls.proxy_url = Some(
            format!("socks5://u:{}@proxy:1080", secret("proxy"))
                .parse()
                .unwrap(),
        );
        [
            AuthConfig::Token(Secret::new(secret("bearer"))),
            AuthConfig::Basic {
                username: "jane".into(),
                password: Secret::new(secret("basic")),
            },
            AuthConfig::Exec(Box::new(exec_auth())),
        ]
        .into_iter()
        .map(|auth| Config {
            auth,
            ..with_tls.clone()
        })
        .collect()
    }

    fn assert_hidden(what: &str, debug: String) {
        assert!(!debug.contains(S), "{what} shows a secret: {debug}");
    }

    #[test]
    fn no_secret_reaches_debug() {
        assert_hidden("ExecConfig", format!("{:?}", exec_config()));
        assert_hidden("ExecConfig (pretty)", format!("{:#?}", exec_config()));
        assert_hidden("ExecAuth", format!("{:?}", exec_auth()));
        assert_hidden("Kubeconfig", format!("{:?}", kubeconfig()));
        assert_hidden("Kubeconfig (pretty)", format!("{:#?}", kubeconfig()));
        for config in configs() {
            assert_hidden("Config", format!("{config:?}"));
        }
        let credential = ExecCredential {
            token: Some(Secret::new(secret("exec-token"))),
            client_key_pem: Some(Secret::new(secret("exec-key").into_bytes())),
            ..Default::default()
        };
        assert_hidden("ExecCredential", format!("{credential:?}"));
    }

    #[test]
    fn debug_still_says_what_is_configured() {
        let shown = format!("{:?}", kubeconfig());
        for visible in [
            "oidc-login",
            "CLIENT_SECRET",
            "k.example:6443/p",
            "proxy:3128",
            "jane",
        ] {
            assert!(shown.contains(visible), "{visible} missing from {shown}");
        }
    }
}
