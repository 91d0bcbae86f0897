//! Unknown fields and defaults of a written object, per `fieldValidation` (`Warn` by
//! default: a `Warning` header per unknown field; `Strict`: `400`; `Ignore`: dropped
//! silently). Custom resources get their structural schema's defaults.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

use super::State;
use crate::catalog::{OpenApiDoc, ResourceDef};
use crate::http::{ApiError, Req};
use crate::semantics::object_schema::{apply_defaults, prune, Schema};

/// What the client asked for unknown fields.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Validation {
    Ignore,
    Warn,
    Strict,
}

fn validation(req: &Req) -> Validation {
    match req.q("fieldValidation") {
        Some("Ignore") => Validation::Ignore,
        Some("Strict") => Validation::Strict,
        _ => Validation::Warn,
    }
}

/// Drops unknown fields of `obj` (reporting them per `fieldValidation`) and applies a
/// custom resource's defaults.
pub(crate) fn check(
    state: &State,
    req: &Req,
    res: &ResourceDef,
    obj: &mut Value,
) -> Result<(), ApiError> {
    let unknown = drop_unknown(state, res, obj);
    match validation(req) {
        Validation::Strict if !unknown.is_empty() => return Err(strict_error(res, &unknown)),
        Validation::Warn => {
            for path in &unknown {
                req.warn(format!("unknown field \"{path}\""));
            }
        }
        _ => {}
    }
    default(state, res, obj);
    Ok(())
}

/// Drops unknown fields without reporting them (server-side apply configurations).
pub(crate) fn drop_unknown(state: &State, res: &ResourceDef, obj: &mut Value) -> Vec<String> {
    if res.custom {
        return match state.crd_schema(res) {
            Some(s) => prune(obj, Schema::structural(&s)),
            None => Vec::new(),
        };
    }
    match builtin_schemas(state, res) {
        Some((doc, name)) => match Schema::component(&doc.schemas, &name) {
            Some(s) => prune(obj, s),
            None => Vec::new(),
        },
        None => Vec::new(),
    }
}

/// Applies a custom resource's schema defaults (built-ins: none, see the README).
pub(crate) fn default(state: &State, res: &ResourceDef, obj: &mut Value) {
    if !res.custom {
        return;
    }
    if let Some(s) = state.crd_schema(res) {
        apply_defaults(obj, Schema::structural(&s));
    }
}

fn strict_error(res: &ResourceDef, unknown: &[String]) -> ApiError {
    let fields: Vec<String> = unknown
        .iter()
        .map(|p| format!("unknown field \"{p}\""))
        .collect();
    ApiError::bad_request(format!(
        "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
        fields.join(", "),
        kind = res.kind,
        version = res.version,
    ))
}

/// The component schemas of one OpenAPI document and which one describes each kind.
struct ParsedDoc {
    schemas: Map<String, Value>,
    by_gvk: HashMap<(String, String, String), String>,
}

impl ParsedDoc {
    fn parse(doc: &OpenApiDoc) -> Option<Self> {
        let mut v: Value = serde_json::from_slice(&doc.bytes).ok()?;
        let schemas = match v.pointer_mut("/components/schemas").map(Value::take) {
            Some(Value::Object(m)) => m,
            _ => return None,
        };
        let mut by_gvk = HashMap::new();
        for (name, s) in &schemas {
            let gvks = s
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array);
            for g in gvks.into_iter().flatten() {
                let text = |k: &str| g.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                by_gvk.insert((text("group"), text("version"), text("kind")), name.clone());
            }
        }
        Some(Self { schemas, by_gvk })
    }
}

/// Parsed documents, shared by every server of the process (the spec is too): parsing
/// `api/v1` takes tens of milliseconds. Keyed by content hash.
fn parsed_docs() -> &'static Mutex<HashMap<String, Arc<ParsedDoc>>> {
    static DOCS: OnceLock<Mutex<HashMap<String, Arc<ParsedDoc>>>> = OnceLock::new();
    DOCS.get_or_init(Default::default)
}

/// The document holding a built-in's schema, and the schema's component name.
fn builtin_schemas(state: &State, res: &ResourceDef) -> Option<(Arc<ParsedDoc>, String)> {
    let path = if res.group.is_empty() {
        format!("api/{}", res.version)
    } else {
        format!("apis/{}/{}", res.group, res.version)
    };
    let doc = state.catalog.docs.iter().find(|d| d.path == path)?;
    let parsed = {
        let mut cache = parsed_docs().lock().unwrap_or_else(|p| p.into_inner());
        match cache.get(doc.hash()) {
            Some(p) => p.clone(),
            None => {
                let p = Arc::new(ParsedDoc::parse(doc)?);
                cache.insert(doc.hash().to_string(), p.clone());
                p
            }
        }
    };
    let key = (res.group.clone(), res.version.clone(), res.kind.clone());
    let name = parsed.by_gvk.get(&key)?.clone();
    Some((parsed, name))
}
