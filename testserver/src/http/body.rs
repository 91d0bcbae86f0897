//! Response bodies: whole buffers or streams (watch, log follow).

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::{Response, StatusCode};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;

use super::error::ApiError;

/// The body type of every response.
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// A whole body.
pub(crate) fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).boxed()
}

/// A streamed body fed through the returned sender; dropping the sender ends it.
pub(crate) fn channel() -> (mpsc::Sender<Bytes>, Body) {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let stream = ReceiverStream::new(rx).map(|b| Ok::<_, Infallible>(Frame::data(b)));
    (tx, StreamBody::new(stream).boxed())
}

/// A JSON response.
pub(crate) fn json(code: u16, bytes: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(full(bytes));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

/// A JSON response of a serializable value.
pub(crate) fn json_value<T: serde::Serialize>(code: u16, v: &T) -> Response<Body> {
    match serde_json::to_vec(v) {
        Ok(b) => json(code, b),
        Err(e) => error(&ApiError::internal(format!("encoding response: {e}"))),
    }
}

/// The `Status` response of an error.
pub(crate) fn error(e: &ApiError) -> Response<Body> {
    let mut r = json_value_raw(e.code, &e.status);
    if let Some(s) = e.retry_after {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&s.to_string()) {
            r.headers_mut().insert(hyper::header::RETRY_AFTER, v);
        }
    }
    r
}

fn json_value_raw<T: serde::Serialize>(code: u16, v: &T) -> Response<Body> {
    json(code, serde_json::to_vec(v).unwrap_or_default())
}
