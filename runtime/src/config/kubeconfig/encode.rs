//! `Serialize` for the kubeconfig structs, written against the serde traits alone (generic
//! code is compiled only where a program writes a kubeconfig). Output as the format has
//! it: fields in declaration order, absent optional fields left out, `name` and the
//! required fields always written.

use serde_core::ser::{Serialize, SerializeStruct, Serializer};

use super::{
    AuthInfo, AuthProvider, Cluster, Context, ExecConfig, ExecEnvVar, Kubeconfig, NamedAuthInfo,
    NamedCluster, NamedContext,
};

/// Writes `value` under `key` when it is present, and skips the field otherwise.
fn opt<S: SerializeStruct, T: Serialize>(
    out: &mut S,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(v) => out.serialize_field(key, v),
        None => out.skip_field(key),
    }
}

/// How many of the optional fields are present (the length given to `serialize_struct`).
fn present(options: &[bool]) -> usize {
    options.iter().filter(|p| **p).count()
}

impl Serialize for Kubeconfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 3 + present(&[
            self.api_version.is_some(),
            self.kind.is_some(),
            self.current_context.is_some(),
            self.preferences.is_some(),
            self.extensions.is_some(),
        ]);
        let mut out = serializer.serialize_struct("Kubeconfig", len)?;
        opt(&mut out, "apiVersion", &self.api_version)?;
        opt(&mut out, "kind", &self.kind)?;
        out.serialize_field("clusters", &self.clusters)?;
        out.serialize_field("users", &self.users)?;
        out.serialize_field("contexts", &self.contexts)?;
        opt(&mut out, "current-context", &self.current_context)?;
        opt(&mut out, "preferences", &self.preferences)?;
        opt(&mut out, "extensions", &self.extensions)?;
        out.end()
    }
}

impl Serialize for NamedCluster {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("NamedCluster", 2)?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("cluster", &self.cluster)?;
        out.end()
    }
}

impl Serialize for Cluster {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = present(&[
            self.server.is_some(),
            self.tls_server_name.is_some(),
            self.insecure_skip_tls_verify.is_some(),
            self.certificate_authority.is_some(),
            self.certificate_authority_data.is_some(),
            self.proxy_url.is_some(),
            self.disable_compression.is_some(),
            self.extensions.is_some(),
        ]);
        let mut out = serializer.serialize_struct("Cluster", len)?;
        opt(&mut out, "server", &self.server)?;
        opt(&mut out, "tls-server-name", &self.tls_server_name)?;
        opt(
            &mut out,
            "insecure-skip-tls-verify",
            &self.insecure_skip_tls_verify,
        )?;
        opt(
            &mut out,
            "certificate-authority",
            &self.certificate_authority,
        )?;
        opt(
            &mut out,
            "certificate-authority-data",
            &self.certificate_authority_data,
        )?;
        opt(&mut out, "proxy-url", &self.proxy_url)?;
        opt(&mut out, "disable-compression", &self.disable_compression)?;
        opt(&mut out, "extensions", &self.extensions)?;
        out.end()
    }
}

impl Serialize for NamedAuthInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("NamedAuthInfo", 2)?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("user", &self.user)?;
        out.end()
    }
}

impl Serialize for AuthInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = present(&[
            self.client_certificate.is_some(),
            self.client_certificate_data.is_some(),
            self.client_key.is_some(),
            self.client_key_data.is_some(),
            self.token.is_some(),
            self.token_file.is_some(),
            self.impersonate.is_some(),
            self.impersonate_uid.is_some(),
            self.impersonate_groups.is_some(),
            self.impersonate_user_extra.is_some(),
            self.username.is_some(),
            self.password.is_some(),
            self.auth_provider.is_some(),
            self.exec.is_some(),
        ]);
        let mut out = serializer.serialize_struct("AuthInfo", len)?;
        opt(&mut out, "client-certificate", &self.client_certificate)?;
        opt(
            &mut out,
            "client-certificate-data",
            &self.client_certificate_data,
        )?;
        opt(&mut out, "client-key", &self.client_key)?;
        opt(&mut out, "client-key-data", &self.client_key_data)?;
        opt(&mut out, "token", &self.token)?;
        opt(&mut out, "tokenFile", &self.token_file)?;
        opt(&mut out, "as", &self.impersonate)?;
        opt(&mut out, "as-uid", &self.impersonate_uid)?;
        opt(&mut out, "as-groups", &self.impersonate_groups)?;
        opt(&mut out, "as-user-extra", &self.impersonate_user_extra)?;
        opt(&mut out, "username", &self.username)?;
        opt(&mut out, "password", &self.password)?;
        opt(&mut out, "auth-provider", &self.auth_provider)?;
        opt(&mut out, "exec", &self.exec)?;
        out.end()
    }
}

impl Serialize for AuthProvider {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 1 + present(&[self.config.is_some()]);
        let mut out = serializer.serialize_struct("AuthProvider", len)?;
        out.serialize_field("name", &self.name)?;
        opt(&mut out, "config", &self.config)?;
        out.end()
    }
}

impl Serialize for ExecConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 2 + present(&[
            self.args.is_some(),
            self.env.is_some(),
            self.install_hint.is_some(),
            self.provide_cluster_info.is_some(),
            self.interactive_mode.is_some(),
        ]);
        let mut out = serializer.serialize_struct("ExecConfig", len)?;
        out.serialize_field("command", &self.command)?;
        opt(&mut out, "args", &self.args)?;
        opt(&mut out, "env", &self.env)?;
        out.serialize_field("apiVersion", &self.api_version)?;
        opt(&mut out, "installHint", &self.install_hint)?;
        opt(&mut out, "provideClusterInfo", &self.provide_cluster_info)?;
        opt(&mut out, "interactiveMode", &self.interactive_mode)?;
        out.end()
    }
}

impl Serialize for ExecEnvVar {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("ExecEnvVar", 2)?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("value", &self.value)?;
        out.end()
    }
}

impl Serialize for NamedContext {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("NamedContext", 2)?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("context", &self.context)?;
        out.end()
    }
}

impl Serialize for Context {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 2 + present(&[self.namespace.is_some(), self.extensions.is_some()]);
        let mut out = serializer.serialize_struct("Context", len)?;
        out.serialize_field("cluster", &self.cluster)?;
        out.serialize_field("user", &self.user)?;
        opt(&mut out, "namespace", &self.namespace)?;
        opt(&mut out, "extensions", &self.extensions)?;
        out.end()
    }
}
