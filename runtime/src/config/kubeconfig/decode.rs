//! The kubeconfig structs read from the parsed YAML tree, field by field, with the file
//! format's names (kebab-case, and the few camelCase ones of `exec` and `tokenFile`).

use std::path::PathBuf;

use super::reader::{Fields, Reader, Result};
use super::{
    AuthInfo, AuthProvider, Cluster, Context, ExecConfig, ExecEnvVar, Kubeconfig, NamedAuthInfo,
    NamedCluster, NamedContext,
};
use crate::config::yaml::Node;
use crate::config::Secret;

pub(super) fn kubeconfig(r: &mut Reader, v: &Node) -> Result<Kubeconfig> {
    let m = r.fields(v, "struct Kubeconfig")?;
    Ok(Kubeconfig {
        api_version: r.field(m, "apiVersion", Reader::opt_string)?.flatten(),
        kind: r.field(m, "kind", Reader::opt_string)?.flatten(),
        clusters: r
            .field(m, "clusters", |r, v| r.list(v, named_cluster))?
            .unwrap_or_default(),
        users: r
            .field(m, "users", |r, v| r.list(v, named_auth_info))?
            .unwrap_or_default(),
        contexts: r
            .field(m, "contexts", |r, v| r.list(v, named_context))?
            .unwrap_or_default(),
        current_context: r.field(m, "current-context", Reader::opt_string)?.flatten(),
        preferences: r.field(m, "preferences", Reader::opt_json)?.flatten(),
        extensions: r.field(m, "extensions", Reader::opt_json)?.flatten(),
    })
}

fn named_cluster(r: &mut Reader, v: &Node) -> Result<NamedCluster> {
    let m = r.fields(v, "struct NamedCluster")?;
    Ok(NamedCluster {
        name: name(r, m)?,
        cluster: r.field(m, "cluster", cluster)?.unwrap_or_default(),
    })
}

fn cluster(r: &mut Reader, v: &Node) -> Result<Cluster> {
    let m = r.fields(v, "struct Cluster")?;
    Ok(Cluster {
        server: r.field(m, "server", Reader::opt_string)?.flatten(),
        tls_server_name: r.field(m, "tls-server-name", Reader::opt_string)?.flatten(),
        insecure_skip_tls_verify: r
            .field(m, "insecure-skip-tls-verify", Reader::opt_bool)?
            .flatten(),
        certificate_authority: r.field(m, "certificate-authority", opt_path)?.flatten(),
        certificate_authority_data: r
            .field(m, "certificate-authority-data", Reader::opt_string)?
            .flatten(),
        proxy_url: r.field(m, "proxy-url", Reader::opt_string)?.flatten(),
        disable_compression: r
            .field(m, "disable-compression", Reader::opt_bool)?
            .flatten(),
        extensions: r.field(m, "extensions", Reader::opt_json)?.flatten(),
    })
}

fn named_auth_info(r: &mut Reader, v: &Node) -> Result<NamedAuthInfo> {
    let m = r.fields(v, "struct NamedAuthInfo")?;
    Ok(NamedAuthInfo {
        name: name(r, m)?,
        user: r.field(m, "user", auth_info)?.unwrap_or_default(),
    })
}

fn auth_info(r: &mut Reader, v: &Node) -> Result<AuthInfo> {
    let m = r.fields(v, "struct AuthInfo")?;
    Ok(AuthInfo {
        client_certificate: r.field(m, "client-certificate", opt_path)?.flatten(),
        client_certificate_data: r
            .field(m, "client-certificate-data", Reader::opt_string)?
            .flatten(),
        client_key: r.field(m, "client-key", opt_path)?.flatten(),
        client_key_data: r.field(m, "client-key-data", opt_secret)?.flatten(),
        token: r.field(m, "token", opt_secret)?.flatten(),
        token_file: r.field(m, "tokenFile", opt_path)?.flatten(),
        impersonate: r.field(m, "as", Reader::opt_string)?.flatten(),
        impersonate_uid: r.field(m, "as-uid", Reader::opt_string)?.flatten(),
        impersonate_groups: r.field(m, "as-groups", Reader::opt_strings)?.flatten(),
        impersonate_user_extra: r
            .field(m, "as-user-extra", |r, v| {
                (!v.is_null())
                    .then(|| r.map(v, Reader::strings))
                    .transpose()
            })?
            .flatten(),
        username: r.field(m, "username", Reader::opt_string)?.flatten(),
        password: r.field(m, "password", opt_secret)?.flatten(),
        auth_provider: r
            .field(m, "auth-provider", |r, v| {
                (!v.is_null()).then(|| auth_provider(r, v)).transpose()
            })?
            .flatten(),
        exec: r
            .field(m, "exec", |r, v| {
                (!v.is_null()).then(|| exec_config(r, v)).transpose()
            })?
            .flatten(),
    })
}

fn auth_provider(r: &mut Reader, v: &Node) -> Result<AuthProvider> {
    let m = r.fields(v, "struct AuthProvider")?;
    Ok(AuthProvider {
        name: name(r, m)?,
        config: r
            .field(m, "config", |r, v| {
                (!v.is_null())
                    .then(|| r.map(v, Reader::string).map(Secret::new))
                    .transpose()
            })?
            .flatten(),
    })
}

fn exec_config(r: &mut Reader, v: &Node) -> Result<ExecConfig> {
    let m = r.fields(v, "struct ExecConfig")?;
    Ok(ExecConfig {
        command: r
            .field(m, "command", Reader::string_or_empty)?
            .unwrap_or_default(),
        args: r.field(m, "args", Reader::opt_strings)?.flatten(),
        env: r
            .field(m, "env", |r, v| {
                (!v.is_null()).then(|| r.list(v, env_var)).transpose()
            })?
            .flatten(),
        api_version: r
            .field(m, "apiVersion", Reader::string_or_empty)?
            .unwrap_or_default(),
        install_hint: r.field(m, "installHint", Reader::opt_string)?.flatten(),
        provide_cluster_info: r
            .field(m, "provideClusterInfo", Reader::opt_bool)?
            .flatten(),
        interactive_mode: r.field(m, "interactiveMode", Reader::opt_string)?.flatten(),
    })
}

fn env_var(r: &mut Reader, v: &Node) -> Result<ExecEnvVar> {
    let m = r.fields(v, "struct ExecEnvVar")?;
    Ok(ExecEnvVar {
        name: name(r, m)?,
        value: r
            .field(m, "value", Reader::string_or_empty)?
            .unwrap_or_default(),
    })
}

fn named_context(r: &mut Reader, v: &Node) -> Result<NamedContext> {
    let m = r.fields(v, "struct NamedContext")?;
    Ok(NamedContext {
        name: name(r, m)?,
        context: r.field(m, "context", context)?.unwrap_or_default(),
    })
}

fn context(r: &mut Reader, v: &Node) -> Result<Context> {
    let m = r.fields(v, "struct Context")?;
    Ok(Context {
        cluster: r
            .field(m, "cluster", Reader::string_or_empty)?
            .unwrap_or_default(),
        user: r
            .field(m, "user", Reader::string_or_empty)?
            .unwrap_or_default(),
        namespace: r.field(m, "namespace", Reader::opt_string)?.flatten(),
        extensions: r.field(m, "extensions", Reader::opt_json)?.flatten(),
    })
}

/// The `name` of a named entry; `null` or absent is empty.
fn name(r: &mut Reader, m: Fields<'_>) -> Result<String> {
    Ok(r.field(m, "name", Reader::string_or_empty)?
        .unwrap_or_default())
}

fn opt_path(r: &mut Reader, v: &Node) -> Result<Option<PathBuf>> {
    Ok(r.opt_string(v)?.map(PathBuf::from))
}

fn opt_secret(r: &mut Reader, v: &Node) -> Result<Option<Secret<String>>> {
    Ok(r.opt_string(v)?.map(Secret::new))
}
