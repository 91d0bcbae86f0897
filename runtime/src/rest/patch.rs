//! The patch kinds the API server accepts, each with its content type.

use serde_core::Serialize;

use super::error::Error;
use super::options::PatchOptions;

/// A patch body and how the server should apply it.
#[derive(Clone, Debug, PartialEq)]
pub enum Patch {
    /// Server-side apply (`application/apply-patch+yaml`; JSON is valid YAML): the fully
    /// specified intent of one field manager. Needs `PatchOptions::field_manager`.
    Apply(serde_json::Value),
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`).
    Merge(serde_json::Value),
    /// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`);
    /// built-in kinds only, not custom resources.
    Strategic(serde_json::Value),
    /// RFC 6902 JSON patch (`application/json-patch+json`): an array of operations.
    Json(serde_json::Value),
}

impl Patch {
    /// A server-side apply patch of a typed object (only its set fields are sent).
    pub fn apply<T: Serialize>(object: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_value(object).map(Patch::Apply)
    }

    /// A JSON merge patch from any serializable value.
    pub fn merge<T: Serialize>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_value(value).map(Patch::Merge)
    }

    /// A strategic merge patch from any serializable value.
    pub fn strategic<T: Serialize>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_value(value).map(Patch::Strategic)
    }

    /// The body to send with `options`, once they fit the patch: server-side apply needs a
    /// field manager, and `force` goes with server-side apply only.
    pub(crate) fn checked_body(&self, options: &PatchOptions) -> crate::rest::Result<Vec<u8>> {
        if self.is_apply() && options.field_manager.as_deref().unwrap_or("").is_empty() {
            return Err(Error::InvalidRequest(
                "server-side apply needs PatchOptions::field_manager".into(),
            ));
        }
        if options.force && !self.is_apply() {
            return Err(Error::InvalidRequest(
                "force is only valid for server-side apply".into(),
            ));
        }
        self.to_body().map_err(Error::Encode)
    }

    /// The `Content-Type` the server expects for this kind.
    pub fn content_type(&self) -> &'static str {
        match self {
            Patch::Apply(_) => "application/apply-patch+yaml",
            Patch::Merge(_) => "application/merge-patch+json",
            Patch::Strategic(_) => "application/strategic-merge-patch+json",
            Patch::Json(_) => "application/json-patch+json",
        }
    }

    /// True for server-side apply.
    pub fn is_apply(&self) -> bool {
        matches!(self, Patch::Apply(_))
    }

    /// The serialized body.
    pub fn to_body(&self) -> Result<Vec<u8>, serde_json::Error> {
        let value = match self {
            Patch::Apply(v) | Patch::Merge(v) | Patch::Strategic(v) | Patch::Json(v) => v,
        };
        serde_json::to_vec(value)
    }
}
