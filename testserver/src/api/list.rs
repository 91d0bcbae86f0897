//! list (with selectors, paging and resourceVersion semantics) and deletecollection.

use std::sync::Arc;

use hyper::Response;
use serde_json::{json, Value};

use super::objects::{delete_one, delete_opts, Deleted};
use super::output::{check_metadata_form, list_response};
use super::{State, Target};
use crate::http::{ApiError, Body, Req};
use crate::semantics::continue_token;
use crate::semantics::field_selector::FieldSelector;
use crate::semantics::label_selector::LabelSelector;
use crate::store::{RvError, StoredObject};

/// Parsed selectors of a list or watch.
pub(crate) struct Selectors {
    /// Labels.
    pub labels: LabelSelector,
    /// Fields.
    pub fields: FieldSelector,
}

impl Selectors {
    /// Reads `labelSelector` and `fieldSelector`; invalid ones are 400s.
    pub(crate) fn from_req(req: &Req, t: &Target) -> Result<Self, ApiError> {
        let labels = LabelSelector::parse(req.q("labelSelector").unwrap_or(""))
            .map_err(ApiError::bad_request)?;
        let fields = FieldSelector::parse(
            req.q("fieldSelector").unwrap_or(""),
            &t.res.group,
            &t.res.plural,
        )
        .map_err(ApiError::bad_request)?;
        Ok(Self { labels, fields })
    }

    /// Whether an object matches.
    pub(crate) fn matches(&self, o: &StoredObject) -> bool {
        self.labels.matches(o.labels()) && (self.fields.is_empty() || self.fields.matches(&o.value))
    }

    /// Whether both are empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }
}

/// Parses a resourceVersion parameter.
pub(crate) fn parse_rv(s: &str) -> Result<u64, ApiError> {
    s.parse::<u64>()
        .map_err(|_| {
            ApiError::bad_request(format!(
                "invalid resource version: resourceVersion: Invalid value: \"{s}\": strconv.ParseUint: parsing \"{s}\": invalid syntax"
            ))
        })
}

/// The 410 of a continue token whose version was compacted.
fn expired_continue(after: &(String, String)) -> ApiError {
    let mut e = ApiError::expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
    e.status.metadata = Some(kubegen_runtime::meta::ListMeta {
        continue_: Some(continue_token::encode(-1, after)),
        ..Default::default()
    });
    e
}

/// Validates `resourceVersionMatch` against `resourceVersion`.
pub(crate) fn check_rv_match(req: &Req, watch: bool) -> Result<Option<String>, ApiError> {
    let rvm = req
        .q("resourceVersionMatch")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let rv = req.q("resourceVersion").unwrap_or("");
    if let Some(m) = &rvm {
        if m != "Exact" && m != "NotOlderThan" {
            return Err(ApiError::invalid_options(
                "ListOptions",
                "FieldValueNotSupported",
                "resourceVersionMatch",
                &format!("Unsupported value: \"{m}\": supported values: \"Exact\", \"NotOlderThan\", \"\""),
            ));
        }
        if rv.is_empty() && !(watch && req.q_bool("sendInitialEvents")) {
            return Err(ApiError::invalid_options(
                "ListOptions",
                "FieldValueForbidden",
                "resourceVersionMatch",
                "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
    }
    Ok(rvm)
}

/// GET of a collection.
pub(crate) fn list(state: &State, req: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    check_metadata_form(req, &t.res, true)?;
    let sel = Selectors::from_req(req, t)?;
    let rvm = check_rv_match(req, false)?;
    let rv_param = req.q("resourceVersion").unwrap_or("");
    let mut limit = req
        .q("limit")
        .and_then(|l| l.parse::<i64>().ok())
        .filter(|l| *l > 0)
        .map(|l| l as usize)
        .unwrap_or(usize::MAX);
    let key = t.res.storage_key();
    let ns = t.ns.as_deref();
    let mut after = None;
    let mut at = None;
    if let Some(c) = req.q("continue").filter(|c| !c.is_empty()) {
        if !rv_param.is_empty() && rv_param != "0" {
            return Err(ApiError::bad_request(
                "specifying resource version is not allowed when using continue",
            ));
        }
        let tok = continue_token::decode(c).map_err(ApiError::bad_request)?;
        if tok.rv >= 0 {
            let rv = tok.rv as u64;
            if rv < state.store.oldest_valid_rv() {
                return Err(expired_continue(&tok.after));
            }
            at = Some(rv);
        }
        after = Some(tok.after);
    } else if !rv_param.is_empty() {
        let rv = parse_rv(rv_param)?;
        match rvm.as_deref() {
            Some("Exact") => at = Some(rv),
            _ if rv == 0 => limit = usize::MAX,
            _ => {
                let current = state.store.current_rv();
                if rv > current {
                    return Err(ApiError::too_large_rv(rv, current));
                }
            }
        }
    }
    let keep = |o: &StoredObject| sel.matches(o);
    let (snap, more) = state
        .store
        .snapshot_from(&key, ns, at, after.as_ref(), limit, &keep)
        .map_err(|e| match e {
            RvError::TooOld => {
                ApiError::expired("The resourceVersion for the provided list is too old.")
            }
            RvError::TooLarge { current } => {
                ApiError::too_large_rv(at.unwrap_or_default(), current)
            }
        })?;
    let cont = if more > 0 {
        snap.items
            .last()
            .map(|o| continue_token::encode(snap.rv as i64, &(o.namespace.clone(), o.name.clone())))
    } else {
        None
    };
    let remaining = (more > 0 && sel.is_empty()).then_some(more as u64);
    Ok(list_response(
        req,
        &t.res,
        snap.rv,
        cont.as_deref(),
        remaining,
        &snap.items,
    ))
}

/// DELETE of a collection: deletes every matching object, returns them as a list.
pub(crate) fn delete_collection(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
) -> Result<Response<Body>, ApiError> {
    let sel = Selectors::from_req(req, t)?;
    let opts = delete_opts(req)?;
    let snap = state
        .store
        .snapshot(&t.res.storage_key(), t.ns.as_deref(), None)
        .map_err(|_| ApiError::internal("snapshot failed"))?;
    let mut out: Vec<Arc<StoredObject>> = Vec::new();
    for o in snap.items.iter().filter(|o| sel.matches(o)) {
        match delete_one(state, &t.res, &o.namespace, &o.name, &opts) {
            Ok(Deleted::Gone(x)) | Ok(Deleted::Terminating(x)) => out.push(x),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let rv = state.store.current_rv();
    Ok(list_response(req, &t.res, rv, None, None, &out))
}

/// The `Status` body of a watch ERROR event for a too old resourceVersion `requested`
/// (worded as a real server's watch cache words it).
pub(crate) fn too_old_watch_status(requested: u64, oldest: u64) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("too old resource version: {requested} ({oldest})"),
        "reason": "Expired",
        "code": 410
    })
}
