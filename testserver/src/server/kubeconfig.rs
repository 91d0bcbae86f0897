//! The kubeconfig a test server hands out, matching its security options.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

/// What goes into a kubeconfig.
pub(crate) struct KubeconfigParts<'a> {
    /// `http://127.0.0.1:port` or `https://...`.
    pub server: &'a str,
    /// CA PEM when TLS is on.
    pub ca_pem: Option<&'a str>,
    /// Bearer token.
    pub token: Option<&'a str>,
    /// Client certificate and key PEM.
    pub client: Option<(&'a str, &'a str)>,
}

/// Renders a kubeconfig YAML document with one cluster, user and context.
pub(crate) fn render(p: &KubeconfigParts<'_>) -> String {
    let mut cluster = json!({"server": p.server});
    if let Some(ca) = p.ca_pem {
        cluster["certificate-authority-data"] = json!(STANDARD.encode(ca));
    }
    let mut user = json!({});
    if let Some(t) = p.token {
        user["token"] = json!(t);
    }
    if let Some((cert, key)) = p.client {
        user["client-certificate-data"] = json!(STANDARD.encode(cert));
        user["client-key-data"] = json!(STANDARD.encode(key));
    }
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubegen-testserver", "cluster": cluster}],
        "users": [{"name": "kubegen-testserver", "user": user}],
        "contexts": [{"name": "kubegen-testserver", "context": {"cluster": "kubegen-testserver", "user": "kubegen-testserver", "namespace": "default"}}],
        "current-context": "kubegen-testserver",
        "preferences": {},
    });
    kubegen::yaml::to_string(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_credentials() {
        let y = render(&KubeconfigParts {
            server: "https://127.0.0.1:1",
            ca_pem: Some("CA"),
            token: Some("tok"),
            client: None,
        });
        let v: serde_json::Value = kubegen::yaml::from_str(&y).unwrap();
        assert_eq!(v["clusters"][0]["cluster"]["server"], "https://127.0.0.1:1");
        assert_eq!(v["users"][0]["user"]["token"], "tok");
        assert_eq!(v["current-context"], "kubegen-testserver");
    }
}
