//! Response compression as kube-apiserver does it: a whole answer of at least 128 KiB goes
//! gzip-encoded to a client whose `Accept-Encoding` names gzip; streamed answers (watches,
//! followed logs) and small ones never are.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use http_body_util::BodyExt;
use hyper::body::Body as _;
use hyper::header::{
    HeaderMap, HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, VARY,
};
use hyper::{Response, StatusCode};

use super::body::{full, Body};

/// kube-apiserver's threshold (`defaultGzipThresholdBytes`).
pub(crate) const GZIP_THRESHOLD: u64 = 128 * 1024;

/// Whether a request's `Accept-Encoding` names gzip.
pub(crate) fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// `resp` gzip-encoded when the client accepts gzip and its body is whole and large.
pub(crate) async fn compress_large(resp: Response<Body>, accepts_gzip: bool) -> Response<Body> {
    let large = resp
        .body()
        .size_hint()
        .exact()
        .is_some_and(|len| len >= GZIP_THRESHOLD);
    if !accepts_gzip
        || !large
        || resp.status() == StatusCode::SWITCHING_PROTOCOLS
        || resp.headers().contains_key(CONTENT_ENCODING)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(collected) = body.collect().await;
    let plain = collected.to_bytes();
    let mut encoder = GzEncoder::new(Vec::with_capacity(plain.len() / 4), Compression::fast());
    // Writing into a Vec cannot fail.
    let compressed = match encoder.write_all(&plain).and_then(|()| encoder.finish()) {
        Ok(c) => c,
        Err(_) => return Response::from_parts(parts, full(plain)),
    };
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts
        .headers
        .insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    Response::from_parts(parts, full(compressed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepts_gzip(&m)
        };
        assert!(h("gzip"));
        assert!(h("br, GZIP;q=0.5"));
        assert!(!h("gzip;q=0"));
        assert!(!h("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
