//! Typed query parameters of the standard verbs (`metav1.ListOptions`, `GetOptions`,
//! `CreateOptions`, `UpdateOptions`, `PatchOptions`). `DeleteOptions` travels as the body of
//! a DELETE and lives in [`crate::meta::DeleteOptions`].

/// Query parameters that a set of options adds to a request URL.
pub trait ToQuery {
    /// Appends `(name, value)` pairs; unset options add nothing.
    fn append_query(&self, query: &mut Vec<(String, String)>);
}

fn push(query: &mut Vec<(String, String)>, name: &str, value: impl ToString) {
    query.push((name.to_owned(), value.to_string()));
}

fn push_opt(query: &mut Vec<(String, String)>, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        push(query, name, v);
    }
}

/// How a list or watch's `resourceVersion` is interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceVersionMatch {
    /// Data at least as new as the given version.
    NotOlderThan,
    /// Data at exactly the given version.
    Exact,
}

/// Options of list, watch and deletecollection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Label selector, like `app=web,tier!=db` or `env in (a,b)`.
    pub label_selector: Option<String>,
    /// Field selector, like `metadata.name=x`.
    pub field_selector: Option<String>,
    /// Where a watch starts or which version a list reads; semantics depend on
    /// `resource_version_match` (see the API conventions).
    pub resource_version: Option<String>,
    /// How `resource_version` is compared (`Exact`, `NotOlderThan`).
    pub resource_version_match: Option<ResourceVersionMatch>,
    /// Page size; the server may return fewer and a continue token.
    pub limit: Option<i64>,
    /// The continue token of the previous page.
    pub continue_token: Option<String>,
    /// Server-side timeout of a list or watch.
    pub timeout_seconds: Option<i64>,
    /// Ask the server for BOOKMARK events during a watch.
    pub allow_watch_bookmarks: bool,
    /// Watch-list: stream the current state as ADDED events, then a bookmark.
    pub send_initial_events: Option<bool>,
}

impl ListOptions {
    /// Options selecting by label.
    pub fn labels(selector: impl Into<String>) -> Self {
        Self {
            label_selector: Some(selector.into()),
            ..Self::default()
        }
    }

    /// Options selecting by field.
    pub fn fields(selector: impl Into<String>) -> Self {
        Self {
            field_selector: Some(selector.into()),
            ..Self::default()
        }
    }
}

impl ToQuery for ListOptions {
    fn append_query(&self, q: &mut Vec<(String, String)>) {
        push_opt(q, "labelSelector", &self.label_selector);
        push_opt(q, "fieldSelector", &self.field_selector);
        push_opt(q, "resourceVersion", &self.resource_version);
        if let Some(m) = self.resource_version_match {
            let m = match m {
                ResourceVersionMatch::NotOlderThan => "NotOlderThan",
                ResourceVersionMatch::Exact => "Exact",
            };
            push(q, "resourceVersionMatch", m);
        }
        if let Some(limit) = self.limit {
            push(q, "limit", limit);
        }
        push_opt(q, "continue", &self.continue_token);
        if let Some(t) = self.timeout_seconds {
            push(q, "timeoutSeconds", t);
        }
        if self.allow_watch_bookmarks {
            push(q, "allowWatchBookmarks", "true");
        }
        if let Some(s) = self.send_initial_events {
            push(q, "sendInitialEvents", s);
        }
    }
}

/// Options of get.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetOptions {
    /// `"0"` allows a possibly stale read from the watch cache.
    pub resource_version: Option<String>,
}

impl ToQuery for GetOptions {
    fn append_query(&self, q: &mut Vec<(String, String)>) {
        push_opt(q, "resourceVersion", &self.resource_version);
    }
}

/// How the server treats unknown or duplicate fields in a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    /// Unknown and duplicate fields are dropped silently.
    Ignore,
    /// They are dropped with a warning in the answer.
    Warn,
    /// They fail the request.
    Strict,
}

impl FieldValidation {
    fn as_str(self) -> &'static str {
        match self {
            FieldValidation::Ignore => "Ignore",
            FieldValidation::Warn => "Warn",
            FieldValidation::Strict => "Strict",
        }
    }
}

/// The write options shared by create, update and patch.
fn append_write(
    q: &mut Vec<(String, String)>,
    dry_run: bool,
    field_manager: &Option<String>,
    field_validation: Option<FieldValidation>,
) {
    if dry_run {
        push(q, "dryRun", "All");
    }
    push_opt(q, "fieldManager", field_manager);
    if let Some(v) = field_validation {
        push(q, "fieldValidation", v.as_str());
    }
}

/// Options of create.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateOptions {
    /// Validate and answer as if created, persisting nothing (`dryRun=All`).
    pub dry_run: bool,
    /// Name of the actor, recorded in `managedFields`.
    pub field_manager: Option<String>,
    /// How unknown or duplicate fields are treated.
    pub field_validation: Option<FieldValidation>,
}

impl ToQuery for CreateOptions {
    fn append_query(&self, q: &mut Vec<(String, String)>) {
        append_write(q, self.dry_run, &self.field_manager, self.field_validation);
    }
}

/// Options of update (PUT).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateOptions {
    /// Validate and answer without persisting.
    pub dry_run: bool,
    /// The manager the changed fields are recorded under.
    pub field_manager: Option<String>,
    /// How unknown or duplicate fields are treated.
    pub field_validation: Option<FieldValidation>,
}

impl ToQuery for UpdateOptions {
    fn append_query(&self, q: &mut Vec<(String, String)>) {
        append_write(q, self.dry_run, &self.field_manager, self.field_validation);
    }
}

/// Options of patch, including server-side apply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchOptions {
    /// Validate and answer without persisting.
    pub dry_run: bool,
    /// Required for server-side apply.
    pub field_manager: Option<String>,
    /// How unknown or duplicate fields are treated.
    pub field_validation: Option<FieldValidation>,
    /// Server-side apply only: take ownership of fields other managers own.
    pub force: bool,
}

impl PatchOptions {
    /// Options for a server-side apply by `field_manager`.
    pub fn apply(field_manager: impl Into<String>) -> Self {
        Self {
            field_manager: Some(field_manager.into()),
            ..Self::default()
        }
    }

    /// The same options with `force` set.
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }
}

impl ToQuery for PatchOptions {
    fn append_query(&self, q: &mut Vec<(String, String)>) {
        append_write(q, self.dry_run, &self.field_manager, self.field_validation);
        if self.force {
            push(q, "force", "true");
        }
    }
}

impl<T: ToQuery + ?Sized> ToQuery for &T {
    fn append_query(&self, q: &mut Vec<(String, String)>) {
        (**self).append_query(q);
    }
}

impl ToQuery for [(&str, &str)] {
    fn append_query(&self, q: &mut Vec<(String, String)>) {
        for (k, v) in self {
            push(q, k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(o: &impl ToQuery) -> Vec<(String, String)> {
        let mut q = Vec::new();
        o.append_query(&mut q);
        q
    }

    #[test]
    fn list_options_map_to_wire_names() {
        let o = ListOptions {
            label_selector: Some("a=b".into()),
            resource_version: Some("10".into()),
            resource_version_match: Some(ResourceVersionMatch::NotOlderThan),
            limit: Some(5),
            continue_token: Some("tok".into()),
            allow_watch_bookmarks: true,
            send_initial_events: Some(true),
            ..Default::default()
        };
        let q = query(&o);
        let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "labelSelector",
                "resourceVersion",
                "resourceVersionMatch",
                "limit",
                "continue",
                "allowWatchBookmarks",
                "sendInitialEvents"
            ]
        );
        assert!(query(&ListOptions::default()).is_empty());
    }

    #[test]
    fn patch_options_apply_force() {
        let q = query(&PatchOptions {
            dry_run: true,
            field_validation: Some(FieldValidation::Strict),
            ..PatchOptions::apply("me").force()
        });
        assert_eq!(
            q,
            [
                ("dryRun".to_string(), "All".to_string()),
                ("fieldManager".into(), "me".into()),
                ("fieldValidation".into(), "Strict".into()),
                ("force".into(), "true".into())
            ]
        );
    }
}
