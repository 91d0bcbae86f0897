//! Object name validation, and the keys of ConfigMaps and Secrets, with the API server's
//! messages.

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Whether `s` is a DNS-1123 subdomain.
pub(crate) fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label)
}

/// Validates a name for a resource: namespaces and a few others need a DNS label,
/// everything else a subdomain. Returns the cause message on failure.
pub(crate) fn validate_name(plural: &str, name: &str) -> Result<(), String> {
    let label_only = matches!(plural, "namespaces" | "services");
    if label_only {
        if is_label(name) {
            return Ok(());
        }
        return Err(format!("Invalid value: \"{name}\": {LABEL_MSG}"));
    }
    if is_subdomain(name) {
        Ok(())
    } else {
        Err(format!("Invalid value: \"{name}\": {SUBDOMAIN_MSG}"))
    }
}

const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/// The invalid keys of a ConfigMap's or Secret's `data` and `binaryData`, as (field, cause
/// message) pairs: keys of `[-._a-zA-Z0-9]`, at most 253 long.
pub(crate) fn invalid_config_keys(obj: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for field in ["data", "binaryData"] {
        let Some(map) = obj.get(field).and_then(serde_json::Value::as_object) else {
            continue;
        };
        for key in map.keys() {
            let ok = !key.is_empty()
                && key.len() <= 253
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
            if !ok {
                out.push((
                    format!("{field}[{key}]"),
                    format!("Invalid value: \"{key}\": {CONFIG_KEY_MSG}"),
                ));
            }
        }
    }
    out
}

/// A CRD in a protected group (`k8s.io`, `kubernetes.io` and their subdomains) needs the
/// `api-approved.kubernetes.io` annotation (KEP 1111): the cause of the refusal, if any.
pub(crate) fn missing_api_approval(crd: &serde_json::Value) -> Option<(String, String, String)> {
    const ANNOTATION: &str = "api-approved.kubernetes.io";
    let group = crd.pointer("/spec/group")?.as_str()?;
    let protected = ["k8s.io", "kubernetes.io"]
        .iter()
        .any(|p| group == *p || group.ends_with(&format!(".{p}")));
    let approved = crd
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(ANNOTATION))
        .and_then(serde_json::Value::as_str)
        .is_some_and(|v| !v.is_empty());
    (protected && !approved).then(|| {
        (
            "FieldValueRequired".into(),
            format!("metadata.annotations[{ANNOTATION}]"),
            format!(
                "Required value: protected groups must have approval annotation \"{ANNOTATION}\", see https://github.com/kubernetes/enhancements/pull/1111"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("configmaps", "a.b-c").is_ok());
        assert!(validate_name("configmaps", "Bad_Name").is_err());
        assert!(validate_name("namespaces", "a.b").is_err());
        assert!(validate_name("configmaps", "").is_err());
    }

    #[test]
    fn config_keys() {
        let obj = serde_json::json!({"data": {"ok.key_1-x": "", "no spaces": ""}, "binaryData": {"a/b": ""}});
        let bad = invalid_config_keys(&obj);
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].0, "data[no spaces]");
        assert_eq!(bad[1].0, "binaryData[a/b]");
    }
}
