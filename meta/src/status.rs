//! `Status`: the body of every error response and of some successful deletes.

use std::fmt;

use super::serde_impl::object_serde;
use super::ListMeta;

/// The API server's answer when it has no object to return (`metav1.Status`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// `v1`.
    pub api_version: Option<String>,
    /// `Status`.
    pub kind: Option<String>,
    /// Standard list metadata (always empty in practice).
    pub metadata: Option<ListMeta>,
    /// HTTP status code of this status; 0 if not set.
    pub code: Option<i32>,
    /// Extended data for the reason.
    pub details: Option<StatusDetails>,
    /// Human-readable description.
    pub message: Option<String>,
    /// Machine-readable reason (`NotFound`, `AlreadyExists`, `Conflict`, ...).
    pub reason: Option<String>,
    /// `Success` or `Failure`.
    pub status: Option<String>,
}

impl Status {
    /// The `reason` field, or "" when absent.
    pub fn reason(&self) -> &str {
        self.reason.as_deref().unwrap_or("")
    }

    /// A failure status, as the API server builds them.
    pub fn failure(code: u16, reason: &str, message: impl Into<String>) -> Self {
        Self {
            api_version: Some("v1".into()),
            kind: Some("Status".into()),
            metadata: Some(ListMeta::default()),
            code: Some(i32::from(code)),
            details: None,
            message: Some(message.into()),
            reason: if reason.is_empty() {
                None
            } else {
                Some(reason.into())
            },
            status: Some("Failure".into()),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {})",
            self.message.as_deref().unwrap_or("no message"),
            self.reason.as_deref().unwrap_or("no reason"),
            self.code.unwrap_or_default()
        )
    }
}

/// Extended data about a status (`metav1.StatusDetails`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusDetails {
    /// The causes, often one per invalid field.
    pub causes: Option<Vec<StatusCause>>,
    /// The group of the resource the status is about.
    pub group: Option<String>,
    /// The kind of the object the status is about (`pods` for some reasons: the resource).
    pub kind: Option<String>,
    /// The name of the object the status is about.
    pub name: Option<String>,
    /// Seconds to wait before retrying, when the operation may succeed later.
    pub retry_after_seconds: Option<i32>,
    /// The UID of the object the status is about.
    pub uid: Option<String>,
}

/// One cause of a failure, often a field that failed validation (`metav1.StatusCause`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusCause {
    /// The field that caused the failure (`spec.containers[0].name`).
    pub field: Option<String>,
    /// Human-readable description of the cause.
    pub message: Option<String>,
    /// Machine-readable cause (`FieldValueRequired`).
    pub reason: Option<String>,
}

object_serde!(Status {
    api_version: optional "apiVersion",
    kind: optional "kind",
    metadata: optional "metadata",
    code: optional "code",
    details: optional "details",
    message: optional "message",
    reason: optional "reason",
    status: optional "status",
});

object_serde!(StatusDetails {
    causes: optional "causes",
    group: optional "group",
    kind: optional "kind",
    name: optional "name",
    retry_after_seconds: optional "retryAfterSeconds",
    uid: optional "uid",
});

object_serde!(StatusCause {
    field: optional "field",
    message: optional "message",
    reason: optional "reason",
});
