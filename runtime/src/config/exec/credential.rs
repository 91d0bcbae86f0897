//! Reading the `ExecCredential` a plugin prints, from a JSON tree by hand (no derived
//! impls to compile), with errors that name the field and never its value.

use serde_json::{Map, Value};

use super::{ExecCredential, ExecError};
use crate::config::Secret;
use crate::meta::Time;

/// Parses and checks a plugin's stdout: kind `ExecCredential`, the version asked for, a
/// status with a token or a client certificate and key (PEM text), an optional expiry.
pub(super) fn parse_credential(
    command: &str,
    want_version: &str,
    stdout: &[u8],
) -> Result<ExecCredential, ExecError> {
    let invalid = |reason: String| ExecError::InvalidOutput {
        command: command.to_owned(),
        reason,
    };
    // The serde error names only line and column, never the content.
    let doc: Value = serde_json::from_slice(stdout)
        .map_err(|e| invalid(format!("not JSON: line {} column {}", e.line(), e.column())))?;
    let Value::Object(doc) = doc else {
        return Err(invalid(format!("{} instead of an object", kind_of(&doc))));
    };
    let kind = string(&doc, "kind", "kind").map_err(invalid)?;
    let kind = kind.unwrap_or_default();
    if kind != "ExecCredential" {
        return Err(invalid(format!("kind is {kind:?}, not ExecCredential")));
    }
    let api_version = string(&doc, "apiVersion", "apiVersion")
        .map_err(invalid)?
        .unwrap_or_default();
    if api_version != want_version {
        return Err(invalid(format!(
            "apiVersion is {api_version:?}, but {want_version:?} was asked for"
        )));
    }
    let status = match doc.get("status") {
        None | Some(Value::Null) => return Err(invalid("no status".to_owned())),
        Some(Value::Object(status)) => status,
        Some(other) => {
            return Err(invalid(format!(
                "status is {} instead of an object",
                kind_of(other)
            )))
        }
    };
    let field = |name: &str, path: &str| string(status, name, path).map_err(invalid);
    // PEM data in an ExecCredential is plain text, not base64 as in a kubeconfig.
    let token = field("token", "status.token")?
        .filter(|t| !t.is_empty())
        .map(Secret::new);
    let cert = field("clientCertificateData", "status.clientCertificateData")?
        .filter(|c| !c.is_empty())
        .map(String::into_bytes);
    let key = field("clientKeyData", "status.clientKeyData")?
        .filter(|k| !k.is_empty())
        .map(|k| Secret::new(k.into_bytes()));
    let expiration = field("expirationTimestamp", "status.expirationTimestamp")?
        .map(|t| {
            t.parse::<Time>()
                .map_err(|e| invalid(format!("status.expirationTimestamp: {e}")))
        })
        .transpose()?;
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
        expiration,
    })
}

/// An optional string field (`null` is absent); another type is an error naming `path`.
fn string(object: &Map<String, Value>, name: &str, path: &str) -> Result<Option<String>, String> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{path} is {} instead of a string", kind_of(other))),
    }
}

/// What a JSON value is, without its content (which may be a secret).
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "client.authentication.k8s.io/v1";

    fn parse(json: &str) -> Result<ExecCredential, ExecError> {
        parse_credential("p", V1, json.as_bytes())
    }

    #[test]
    fn parses_token_and_expiry() {
        let c = parse(
            r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false},"status":{"token":"abc","expirationTimestamp":"2000-01-01T00:00:00Z","unknown":1}}"#,
        )
        .unwrap();
        assert_eq!(c.token.as_ref().unwrap().expose(), "abc");
        assert_eq!(c.expiration.unwrap().to_string(), "2000-01-01T00:00:00Z");
        assert!(c.is_expired());
    }

    #[test]
    fn parses_a_client_certificate_without_expiry() {
        let c = parse(
            r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY","expirationTimestamp":null,"token":""}}"#,
        )
        .unwrap();
        assert!(c.token.is_none());
        assert_eq!(c.client_certificate_pem.as_deref(), Some(&b"CERT"[..]));
        assert_eq!(c.client_key_pem.unwrap().expose(), b"KEY");
        assert!(c.expiration.is_none());
    }

    #[test]
    fn rejects_wrong_version_without_leaking() {
        let e = parse(
            r#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"sekret"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("v1beta1"));
        assert!(!e.to_string().contains("sekret"));
        let e = parse("{\"token\": \"sekret\"").unwrap_err();
        assert!(!e.to_string().contains("sekret"), "{e}");
    }

    #[test]
    fn wrong_types_name_the_field_not_the_value() {
        let cases = [
            (r#"["sekret"]"#, "an array instead of an object"),
            (r#"{"kind":7}"#, "kind is a number instead of a string"),
            (
                r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":"sekret"}"#,
                "status is a string instead of an object",
            ),
            (
                r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":["sekret"]}}"#,
                "status.token is an array instead of a string",
            ),
            (
                r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"sekret","expirationTimestamp":"soon"}}"#,
                "status.expirationTimestamp:",
            ),
            (
                r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"clientCertificateData":"CERT"}}"#,
                "must be given together",
            ),
            (
                r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{}}"#,
                "neither a token nor a client certificate",
            ),
            (
                r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"}"#,
                "no status",
            ),
        ];
        for (json, want) in cases {
            let e = parse(json).unwrap_err().to_string();
            assert!(e.contains(want), "{json}: {e}");
            assert!(!e.contains("sekret"), "{e}");
            assert!(e.starts_with("exec plugin \"p\""), "{e}");
        }
    }
}
