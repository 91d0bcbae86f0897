//! `ApiError`: a failed request, answered with a `Status` object as the API server does.

use kubegen_runtime::meta::{Status, StatusCause, StatusDetails};

use crate::catalog::ResourceDef;

/// A request failure carrying the exact `Status` to send.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// The body (boxed: errors travel through every `Result` of a handler).
    pub status: Box<Status>,
    /// `Retry-After` header, seconds.
    pub retry_after: Option<u32>,
}

fn details(name: Option<&str>, group: &str, kind: &str) -> StatusDetails {
    StatusDetails {
        name: name.map(str::to_string),
        group: (!group.is_empty()).then(|| group.to_string()),
        kind: Some(kind.to_string()),
        ..Default::default()
    }
}

impl ApiError {
    /// A failure with `code`, `reason` and `message`.
    pub(crate) fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            status: Box::new(Status::failure(code, reason, message)),
            retry_after: None,
        }
    }

    fn with_details(mut self, d: StatusDetails) -> Self {
        self.status.details = Some(d);
        self
    }

    /// `404 NotFound` for an object.
    pub(crate) fn not_found(r: &ResourceDef, name: &str) -> Self {
        Self::not_found_gr(&r.group, &r.plural, name)
    }

    /// `404 NotFound` for an object of a group-resource.
    pub(crate) fn not_found_gr(group: &str, plural: &str, name: &str) -> Self {
        let gr = if group.is_empty() {
            plural.to_string()
        } else {
            format!("{plural}.{group}")
        };
        Self::new(404, "NotFound", format!("{gr} \"{name}\" not found")).with_details(details(
            Some(name),
            group,
            plural,
        ))
    }

    /// `406 NotAcceptable`: `as=PartialObjectMetadata` for a list, or the list form for one
    /// object. `go_type` is the type the real server names (`*core.ConfigMapList`).
    pub(crate) fn metadata_form_not_acceptable(asked_list: bool, go_type: &str) -> Self {
        let message = if asked_list {
            format!("you requested PartialObjectMetadataList, but the requested object is not a list ({go_type})")
        } else {
            format!("you requested PartialObjectMetadata, but the requested object is a list ({go_type})")
        };
        Self::new(406, "NotAcceptable", message)
    }

    /// `404` for a path the server does not serve.
    pub(crate) fn unknown_resource() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
        .with_details(StatusDetails::default())
    }

    /// `409 AlreadyExists`.
    pub(crate) fn already_exists(r: &ResourceDef, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", r.group_resource()),
        )
        .with_details(details(Some(name), &r.group, &r.plural))
    }

    /// `409 Conflict` for a stale resourceVersion.
    pub(crate) fn stale(r: &ResourceDef, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                r.group_resource()
            ),
        )
        .with_details(details(Some(name), &r.group, &r.plural))
    }

    /// `409 Conflict` with a custom message (preconditions).
    pub(crate) fn conflict(r: &ResourceDef, name: &str, message: String) -> Self {
        Self::new(409, "Conflict", message).with_details(details(Some(name), &r.group, &r.kind))
    }

    /// `422 Invalid` naming the object and its failing fields.
    pub(crate) fn invalid(
        r: &ResourceDef,
        name: &str,
        causes: Vec<(String, String, String)>,
    ) -> Self {
        Self::invalid_with(&r.group, &r.kind, name, Some(name), causes)
    }

    /// `422 Invalid` of a kind that is no stored resource (`Scale.autoscaling`,
    /// `TokenRequest.authentication.k8s.io`); an empty `name` is left out of the details.
    pub(crate) fn invalid_kind(
        group: &str,
        kind: &str,
        name: &str,
        causes: Vec<(String, String, String)>,
    ) -> Self {
        Self::invalid_with(
            group,
            kind,
            name,
            (!name.is_empty()).then_some(name),
            causes,
        )
    }

    /// `422 Invalid`: the message names `name`, the details `detail_name`.
    fn invalid_with(
        group: &str,
        kind: &str,
        name: &str,
        detail_name: Option<&str>,
        causes: Vec<(String, String, String)>,
    ) -> Self {
        let summary: Vec<String> = causes.iter().map(|(_, f, m)| format!("{f}: {m}")).collect();
        let group_kind = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let msg = format!(
            "{group_kind} \"{name}\" is invalid: {}",
            summarize(&summary)
        );
        let mut d = details(detail_name, group, kind);
        d.causes = Some(
            causes
                .into_iter()
                .map(|(reason, field, message)| StatusCause {
                    reason: Some(reason),
                    field: Some(field),
                    message: Some(message),
                })
                .collect(),
        );
        Self::new(422, "Invalid", msg).with_details(d)
    }

    /// `409 Conflict` whose details name a subresource (`pods/binding`).
    pub(crate) fn conflict_on(kind: &str, name: &str, message: String) -> Self {
        Self::new(409, "Conflict", message).with_details(details(Some(name), "", kind))
    }

    /// `422 Invalid` of request options (`ListOptions`, `PatchOptions`, ...).
    pub(crate) fn invalid_options(kind: &str, reason: &str, field: &str, message: &str) -> Self {
        let msg = format!("{kind}.meta.k8s.io \"\" is invalid: {field}: {message}");
        Self::new(422, "Invalid", msg).with_details(StatusDetails {
            group: Some("meta.k8s.io".into()),
            kind: Some(kind.into()),
            causes: Some(vec![StatusCause {
                reason: Some(reason.into()),
                message: Some(message.into()),
                field: Some(field.into()),
            }]),
            ..Default::default()
        })
    }

    /// `422 Invalid` with the generic message (e.g. a failed JSON patch `test`).
    pub(crate) fn unprocessable() -> Self {
        Self::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        )
        .with_details(StatusDetails::default())
    }

    /// `400 BadRequest`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// `415` for a PATCH whose `Content-Type` is no patch type (worded as a real server).
    pub(crate) fn unsupported_patch_type() -> Self {
        Self::new(415, "UnsupportedMediaType", "415: Unsupported Media Type")
            .with_details(StatusDetails::default())
    }

    /// `415` for a body in a format objects are not decoded from.
    pub(crate) fn unsupported_body_type() -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        )
    }

    /// `405 MethodNotAllowed`.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
        .with_details(StatusDetails::default())
    }

    /// `410 Expired` (a too old resourceVersion).
    pub(crate) fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// `429 TooManyRequests` with `Retry-After`.
    pub(crate) fn too_many_requests(retry_after: u32) -> Self {
        let mut e = Self::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        )
        .with_details(StatusDetails {
            retry_after_seconds: Some(retry_after as i32),
            ..Default::default()
        });
        e.retry_after = Some(retry_after);
        e
    }

    /// `401 Unauthorized`.
    pub(crate) fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// `403 Forbidden`.
    pub(crate) fn forbidden(
        user: &str,
        verb: &str,
        group: &str,
        plural: &str,
        ns: Option<&str>,
    ) -> Self {
        let scope = match ns {
            Some(ns) => format!(" in the namespace \"{ns}\""),
            None => " at the cluster scope".to_string(),
        };
        let gr = if group.is_empty() {
            plural.to_string()
        } else {
            format!("{plural}.{group}")
        };
        Self::new(
            403,
            "Forbidden",
            format!("{gr} is forbidden: User \"{user}\" cannot {verb} resource \"{plural}\" in API group \"{group}\"{scope}"),
        )
        .with_details(StatusDetails {
            group: (!group.is_empty()).then(|| group.to_string()),
            kind: Some(plural.to_string()),
            ..Default::default()
        })
    }

    /// `500 InternalError`.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// `503 ServiceUnavailable`.
    pub(crate) fn unavailable() -> Self {
        Self::new(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        )
    }

    /// `504 Timeout` for a resourceVersion newer than the newest write.
    pub(crate) fn too_large_rv(requested: u64, current: u64) -> Self {
        let mut e = Self::new(
            504,
            "Timeout",
            format!("Timeout: Too large resource version: {requested}, current: {current}"),
        )
        .with_details(StatusDetails {
            causes: Some(vec![StatusCause {
                reason: Some("ResourceVersionTooLarge".into()),
                message: Some("Too large resource version".into()),
                field: None,
            }]),
            retry_after_seconds: Some(1),
            ..Default::default()
        });
        e.retry_after = Some(1);
        e
    }
}

fn summarize(items: &[String]) -> String {
    if items.len() == 1 {
        items[0].clone()
    } else {
        format!("[{}]", items.join(", "))
    }
}
