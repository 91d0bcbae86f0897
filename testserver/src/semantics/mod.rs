//! Kubernetes semantics independent of HTTP: selectors, patches, field ownership,
//! continue tokens, name validation.

pub mod continue_token;
pub mod field_selector;
pub mod label_selector;
pub mod managed_fields;
pub mod patch;
pub mod validation;

/// Now as the API server prints timestamps (RFC 3339, seconds, UTC).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `t` seconds from now, RFC 3339.
pub fn rfc3339_in(secs: i64) -> String {
    let t = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(secs))
        .unwrap_or_else(|_| jiff::Timestamp::now());
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
