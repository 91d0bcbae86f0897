//! The decision table of the send loop, one branch at a time, without sockets.

use std::time::Duration;

use http::header::{LOCATION, RETRY_AFTER};
use http::{HeaderMap, Method, StatusCode, Uri};

use super::{Attempts, Decision, Failure, Outcome};
use crate::config::RetryPolicy;
use crate::rest::error::{TransportError, TransportErrorKind};
use crate::rest::redirect::{Hop, MAX_REDIRECTS};

const URL: &str = "https://k.example:6443/api/v1/namespaces/ns/pods";

fn url() -> Uri {
    URL.parse().unwrap()
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 4,
        max_transport_retries: 2,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(5),
    }
}

fn headers(pairs: &[(http::header::HeaderName, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.insert(name.clone(), value.parse().unwrap());
    }
    h
}

/// The decision after an answer with `code` and `headers`.
fn answered(
    attempts: Attempts,
    verb: &Method,
    code: u16,
    headers: &HeaderMap,
) -> (Attempts, Decision) {
    let outcome = Outcome::Answered {
        status: StatusCode::from_u16(code).unwrap(),
        headers,
    };
    attempts.decide(verb, &url(), &outcome, &policy())
}

/// The decision after a transport error.
fn failed(attempts: Attempts, verb: &Method, error: &TransportError) -> (Attempts, Decision) {
    attempts.decide(verb, &url(), &Outcome::Failed(error), &policy())
}

fn connect_error() -> TransportError {
    TransportError::bare(TransportErrorKind::Connect)
}

#[test]
fn a_success_is_done_and_spends_nothing() {
    for code in [200, 201, 204] {
        let (after, decision) =
            answered(Attempts::default(), &Method::POST, code, &HeaderMap::new());
        assert_eq!(decision, Decision::Done, "{code}");
        assert_eq!(after, Attempts::default(), "{code}");
    }
}

#[test]
fn a_connect_error_is_retried_for_any_verb_with_doubling_backoff() {
    let err = connect_error();
    let (after, decision) = failed(Attempts::default(), &Method::POST, &err);
    assert_eq!(decision, Decision::RetryAfter(Duration::from_millis(100)));
    assert_eq!((after.retries, after.transport_retries), (1, 1));
    let (after, decision) = failed(after, &Method::POST, &err);
    assert_eq!(decision, Decision::RetryAfter(Duration::from_millis(200)));
    assert_eq!((after.retries, after.transport_retries), (2, 2));
}

#[test]
fn transport_retries_stop_at_their_own_limit() {
    let spent = Attempts {
        retries: 2,
        transport_retries: 2,
        ..Attempts::default()
    };
    let (after, decision) = failed(spent, &Method::GET, &connect_error());
    assert_eq!(decision, Decision::Fail(Failure::Transport));
    assert_eq!(after, spent);
}

#[test]
fn transport_retries_stop_at_the_overall_limit() {
    let spent = Attempts {
        retries: 4,
        ..Attempts::default()
    };
    let (_, decision) = failed(spent, &Method::GET, &connect_error());
    assert_eq!(decision, Decision::Fail(Failure::Transport));
}

#[test]
fn an_exchange_cut_short_is_retried_only_for_safe_verbs() {
    let err = TransportError::bare(TransportErrorKind::Request);
    let (_, decision) = failed(Attempts::default(), &Method::GET, &err);
    assert_eq!(decision, Decision::RetryAfter(Duration::from_millis(100)));
    for verb in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let (after, decision) = failed(Attempts::default(), &verb, &err);
        assert_eq!(decision, Decision::Fail(Failure::Transport), "{verb}");
        assert_eq!(after, Attempts::default(), "{verb}");
    }
}

#[test]
fn timeouts_and_tls_failures_are_never_retried() {
    let tls = TransportError::new(
        TransportErrorKind::Connect,
        rustls::Error::General("unknown issuer".into()),
    );
    for err in [
        TransportError::bare(TransportErrorKind::Timeout),
        TransportError::bare(TransportErrorKind::Stalled),
        tls,
    ] {
        let (_, decision) = failed(Attempts::default(), &Method::GET, &err);
        assert_eq!(decision, Decision::Fail(Failure::Transport), "{err:?}");
    }
}

#[test]
fn a_redirect_is_followed_and_counted() {
    let h = headers(&[(LOCATION, "/api/v1/pods")]);
    let (after, decision) = answered(Attempts::default(), &Method::POST, 307, &h);
    assert_eq!(
        decision,
        Decision::Redirect(Hop {
            to: "https://k.example:6443/api/v1/pods".parse().unwrap(),
            verb: Method::POST,
            keep_body: true,
        })
    );
    assert_eq!(after.redirects, 1);
    assert_eq!(after.retries, 0);
    let (_, decision) = answered(after, &Method::POST, 303, &h);
    assert!(
        matches!(&decision, Decision::Redirect(hop) if hop.verb == Method::GET && !hop.keep_body),
        "{decision:?}"
    );
}

#[test]
fn one_redirect_too_many_fails() {
    let h = headers(&[(LOCATION, "/again")]);
    let mut attempts = Attempts::default();
    for _ in 0..MAX_REDIRECTS {
        let (after, decision) = answered(attempts, &Method::GET, 302, &h);
        assert!(matches!(decision, Decision::Redirect(_)), "{decision:?}");
        attempts = after;
    }
    let (_, decision) = answered(attempts, &Method::GET, 302, &h);
    assert_eq!(
        decision,
        Decision::Fail(Failure::Redirect("stopped after 10 redirects".into()))
    );
}

#[test]
fn a_redirect_down_to_clear_text_fails() {
    let h = headers(&[(LOCATION, "http://k.example:6443/api/v1/pods")]);
    let (_, decision) = answered(Attempts::default(), &Method::GET, 302, &h);
    assert!(
        matches!(&decision, Decision::Fail(Failure::Redirect(why)) if why.contains("https to http")),
        "{decision:?}"
    );
}

#[test]
fn a_redirect_status_without_a_location_is_an_error_status() {
    let (after, decision) = answered(Attempts::default(), &Method::GET, 302, &HeaderMap::new());
    assert_eq!(decision, Decision::Fail(Failure::Status));
    assert_eq!(after.redirects, 0);
}

#[test]
fn the_first_401_refreshes_the_credential_and_the_second_fails() {
    let (after, decision) = answered(Attempts::default(), &Method::POST, 401, &HeaderMap::new());
    assert_eq!(decision, Decision::RefreshCredentials);
    assert!(after.refreshed_credentials);
    assert_eq!(after.retries, 0, "a refresh is not a retry");
    let (_, decision) = answered(after, &Method::POST, 401, &HeaderMap::new());
    assert_eq!(decision, Decision::Fail(Failure::Status));
}

#[test]
fn a_401_is_never_retried_after_retry_after() {
    let h = headers(&[(RETRY_AFTER, "1")]);
    let refreshed = Attempts {
        refreshed_credentials: true,
        ..Attempts::default()
    };
    let (_, decision) = answered(refreshed, &Method::GET, 401, &h);
    assert_eq!(decision, Decision::Fail(Failure::Status));
}

#[test]
fn too_many_requests_is_retried_for_any_verb_after_the_asked_wait() {
    let h = headers(&[(RETRY_AFTER, "2")]);
    let (after, decision) = answered(Attempts::default(), &Method::POST, 429, &h);
    assert_eq!(decision, Decision::RetryAfter(Duration::from_secs(2)));
    assert_eq!((after.retries, after.transport_retries), (1, 0));
}

#[test]
fn retry_after_is_capped_by_the_policy() {
    let h = headers(&[(RETRY_AFTER, "3600")]);
    let (_, decision) = answered(Attempts::default(), &Method::GET, 503, &h);
    assert_eq!(decision, Decision::RetryAfter(policy().max_backoff));
}

#[test]
fn a_server_error_with_retry_after_is_retried_only_for_safe_verbs() {
    let h = headers(&[(RETRY_AFTER, "1")]);
    let (_, decision) = answered(Attempts::default(), &Method::GET, 500, &h);
    assert_eq!(decision, Decision::RetryAfter(Duration::from_secs(1)));
    let (after, decision) = answered(Attempts::default(), &Method::POST, 500, &h);
    assert_eq!(decision, Decision::Fail(Failure::Status));
    assert_eq!(after, Attempts::default());
}

#[test]
fn an_error_status_without_retry_after_fails() {
    for code in [400, 403, 404, 409, 422, 429, 500, 503] {
        let (_, decision) = answered(Attempts::default(), &Method::GET, code, &HeaderMap::new());
        assert_eq!(decision, Decision::Fail(Failure::Status), "{code}");
    }
}

#[test]
fn retry_after_stops_when_the_retries_are_spent() {
    let h = headers(&[(RETRY_AFTER, "1")]);
    let spent = Attempts {
        retries: 4,
        ..Attempts::default()
    };
    let (after, decision) = answered(spent, &Method::GET, 429, &h);
    assert_eq!(decision, Decision::Fail(Failure::Status));
    assert_eq!(after, spent);
}

#[test]
fn transport_and_response_retries_share_the_overall_limit() {
    let h = headers(&[(RETRY_AFTER, "1")]);
    let mut attempts = Attempts::default();
    for _ in 0..3 {
        attempts = answered(attempts, &Method::GET, 429, &h).0;
    }
    let (attempts, decision) = failed(attempts, &Method::GET, &connect_error());
    assert!(matches!(decision, Decision::RetryAfter(_)), "{decision:?}");
    assert_eq!((attempts.retries, attempts.transport_retries), (4, 1));
    let (_, decision) = failed(attempts, &Method::GET, &connect_error());
    assert_eq!(decision, Decision::Fail(Failure::Transport));
    let (_, decision) = answered(attempts, &Method::GET, 429, &h);
    assert_eq!(decision, Decision::Fail(Failure::Status));
}
