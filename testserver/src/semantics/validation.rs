//! Object name validation with the API server's messages.

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
pub fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label)
}

/// Validates a name for a resource: namespaces and a few others need a DNS label,
/// everything else a subdomain. Returns the cause message on failure.
pub fn validate_name(plural: &str, name: &str) -> Result<(), String> {
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
}
