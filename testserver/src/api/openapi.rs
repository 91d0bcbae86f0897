//! `/openapi/v3`: the index and each document, with the real server's caching protocol
//! (`?hash=` immutable, stale hash → 301, ETag, `If-None-Match` → 304).

use std::sync::Arc;

use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, ETAG, EXPIRES, LOCATION};
use hyper::{Response, StatusCode};
use serde_json::{json, Map};

use super::State;
use crate::catalog::OpenApiDoc;
use crate::http::body::full;
use crate::http::{ApiError, Body, Req};

fn all_docs(state: &State) -> Vec<Arc<OpenApiDoc>> {
    let mut docs: Vec<Arc<OpenApiDoc>> = state.catalog.docs.clone();
    let crd = state.crd_docs.read().unwrap_or_else(|p| p.into_inner());
    docs.retain(|d| !crd.contains_key(&d.path));
    docs.extend(crd.values().cloned());
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    docs
}

/// `/openapi/v3`.
pub(crate) fn index(state: &State) -> Response<Body> {
    let mut paths = Map::new();
    for d in all_docs(state) {
        paths.insert(
            d.path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{}?hash={}", d.path, d.hash())}),
        );
    }
    let body = serde_json::to_vec(&json!({"paths": paths})).unwrap_or_default();
    let mut r = Response::new(full(body));
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache, private"));
    r
}

fn header(v: &str) -> HeaderValue {
    HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `/openapi/v3/{path}`.
pub(crate) fn document(state: &State, req: &Req, path: &str) -> Result<Response<Body>, ApiError> {
    let doc = all_docs(state)
        .into_iter()
        .find(|d| d.path == path)
        .ok_or_else(ApiError::unknown_resource)?;
    let etag = format!("\"{}\"", doc.hash());
    let mut r = match req.q("hash") {
        Some(h) if h != doc.hash() => {
            let mut r = Response::new(full(""));
            *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
            r.headers_mut().insert(
                LOCATION,
                header(&format!("/openapi/v3/{}?hash={}", doc.path, doc.hash())),
            );
            r.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache, private"));
            r
        }
        Some(_) => {
            let mut r = Response::new(full(doc.bytes.clone()));
            r.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("public, immutable"));
            let expires = jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(24 * 365))
                .unwrap_or_else(|_| jiff::Timestamp::now());
            r.headers_mut().insert(
                EXPIRES,
                header(&expires.strftime("%a, %d %b %Y %H:%M:%S UTC").to_string()),
            );
            r
        }
        None if req.header("if-none-match") == Some(etag.as_str()) => {
            let mut r = Response::new(full(""));
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache, private"));
            r
        }
        None => {
            let mut r = Response::new(full(doc.bytes.clone()));
            r.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache, private"));
            r
        }
    };
    r.headers_mut().insert(ETAG, header(&etag));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut()
        .insert(hyper::header::VARY, HeaderValue::from_static("Accept"));
    Ok(r)
}
