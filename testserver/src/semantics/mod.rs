//! Kubernetes semantics independent of HTTP: selectors, patches, field ownership,
//! continue tokens, name validation.

pub(crate) mod continue_token;
pub(crate) mod field_selector;
pub(crate) mod label_selector;
pub(crate) mod managed_fields;
pub(crate) mod object_schema;
pub(crate) mod patch;
pub(crate) mod schema;
pub(crate) mod validation;

use kubegen_runtime::meta::Time;

/// Now as the API server prints timestamps (RFC 3339, seconds, UTC).
pub(crate) fn now_rfc3339() -> String {
    Time::now().to_string()
}

/// `t` seconds from now, RFC 3339.
pub(crate) fn rfc3339_in(secs: i64) -> String {
    Time::from_unix_seconds(Time::now().as_unix_seconds().saturating_add(secs))
        .unwrap_or_else(Time::now)
        .to_string()
}
