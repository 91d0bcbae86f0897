//! Kubernetes semantics independent of HTTP: selectors, patches, field ownership,
//! continue tokens, name validation.

pub mod continue_token;
pub mod field_selector;
pub mod label_selector;
pub mod managed_fields;
pub mod object_schema;
pub mod patch;
pub mod schema;
pub mod validation;

use kubegen_runtime::meta::Time;

/// Now as the API server prints timestamps (RFC 3339, seconds, UTC).
pub fn now_rfc3339() -> String {
    Time::now().to_string()
}

/// `t` seconds from now, RFC 3339.
pub fn rfc3339_in(secs: i64) -> String {
    Time::from_unix_seconds(Time::now().as_unix_seconds().saturating_add(secs))
        .unwrap_or_else(Time::now)
        .to_string()
}
