//! When a failed attempt is sent again, and how long to wait first.
//!
//! - `429` and `503` with `Retry-After`: the server refused before doing anything, so every
//!   verb may be retried (as client-go does).
//! - other `5xx` with `Retry-After`: only safe verbs (GET, HEAD), since the server may
//!   have acted on the request.
//! - connection errors before the request was sent (`connect` failures): any verb.
//! - other transport errors (reset mid-request): only safe verbs.
//! - timeouts and TLS failures are never retried.
//!
//! Transport errors get at most `RetryPolicy::max_transport_retries` of the retries.

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};

use super::error::TransportError;
use crate::config::RetryPolicy;

/// True for verbs whose repetition cannot change anything.
pub(crate) fn is_safe(verb: &Method) -> bool {
    verb == Method::GET || verb == Method::HEAD
}

/// The wait a retryable response asks for, or `None` when it must not be retried.
pub(crate) fn response_delay(
    verb: &Method,
    status: StatusCode,
    headers: &HeaderMap,
    policy: &RetryPolicy,
) -> Option<Duration> {
    let code = status.as_u16();
    if code != 429 && code < 500 {
        return None;
    }
    let seconds = retry_after_seconds(headers)?;
    if code != 429 && code != 503 && !is_safe(verb) {
        return None;
    }
    Some(Duration::from_secs(seconds).min(policy.max_backoff))
}

/// `Retry-After` in seconds; the HTTP-date form is taken as one second.
fn retry_after_seconds(headers: &HeaderMap) -> Option<u64> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    Some(value.parse::<u64>().unwrap_or(1))
}

/// Whether a transport error may be retried for this verb. TLS failures (an unknown CA,
/// a bad certificate) will not heal by themselves and are never retried.
pub(crate) fn transport_retryable(verb: &Method, err: &TransportError) -> bool {
    if err.is_timeout() || super::error::is_tls_error(err) {
        return false;
    }
    err.is_connect() || is_safe(verb)
}

/// Exponential backoff for the `attempt`-th retry (1-based), capped by the policy.
pub(crate) fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let factor = 1u32
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u32::MAX);
    policy
        .initial_backoff
        .saturating_mul(factor)
        .min(policy.max_backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = retry_after {
            h.insert(http::header::RETRY_AFTER, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn retry_decisions() {
        let p = RetryPolicy::default();
        let s = |c| StatusCode::from_u16(c).unwrap();
        assert_eq!(
            response_delay(&Method::POST, s(429), &headers(Some("2")), &p),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            response_delay(&Method::GET, s(429), &headers(None), &p),
            None
        );
        assert_eq!(
            response_delay(&Method::POST, s(500), &headers(Some("1")), &p),
            None
        );
        assert!(response_delay(&Method::GET, s(500), &headers(Some("1")), &p).is_some());
        assert!(response_delay(&Method::POST, s(503), &headers(Some("1")), &p).is_some());
        assert_eq!(
            response_delay(&Method::GET, s(404), &headers(Some("1")), &p),
            None
        );
        assert_eq!(
            response_delay(&Method::GET, s(429), &headers(Some("9999")), &p),
            Some(p.max_backoff)
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(backoff(&p, 1), p.initial_backoff);
        assert_eq!(backoff(&p, 2), p.initial_backoff * 2);
        assert_eq!(backoff(&p, 60), p.max_backoff);
    }
}
