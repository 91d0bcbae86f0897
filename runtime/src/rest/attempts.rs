//! What the send loop does after each attempt: a pure decision over the attempt's outcome
//! and what the request has spent so far (retries, redirects, the one credential
//! refresh), kept apart from the sockets so every branch is tested on its own.
//!
//! In order, an outcome is:
//! 1. a success: [`Decision::Done`];
//! 2. a redirect Go would follow: [`Decision::Redirect`], or a failure when it must not be
//!    followed (rules in [`super::redirect`]);
//! 3. the first 401: [`Decision::RefreshCredentials`];
//! 4. retryable (rules in [`super::retry`]) with retries left: [`Decision::RetryAfter`];
//! 5. anything else: [`Decision::Fail`].

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode, Uri};

use super::error::TransportError;
use super::redirect::{self, Hop};
use super::retry;
use crate::config::RetryPolicy;

/// How one attempt ended, as far as the decision needs to know.
#[derive(Debug)]
pub(crate) enum Outcome<'a> {
    /// The server answered.
    Answered {
        status: StatusCode,
        headers: &'a HeaderMap,
    },
    /// No answer: connection, TLS, timeout or an exchange cut short.
    Failed(&'a TransportError),
}

/// What to do after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A success: the response goes to the caller.
    Done,
    /// Send the request again after this wait.
    RetryAfter(Duration),
    /// Send the request on to where a redirect points.
    Redirect(Hop),
    /// A 401: forget the credential the attempt was sent with and send again, when asking
    /// again may give a different one; when it cannot, fail as [`Failure::Status`].
    RefreshCredentials,
    /// Give up.
    Fail(Failure),
}

/// Why a request is given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// An error status: its body becomes an `ApiError`.
    Status,
    /// The attempt's transport error, not retryable or out of retries.
    Transport,
    /// A redirect that must not be followed, and why.
    Redirect(String),
}

/// What a request has spent so far; starts at nothing ([`Default`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Attempts {
    /// Retries so far, of any cause (bounded by `RetryPolicy::max_retries`).
    pub(crate) retries: u32,
    /// The retries that followed transport errors (`RetryPolicy::max_transport_retries`).
    pub(crate) transport_retries: u32,
    /// Redirects followed (or refused) so far.
    pub(crate) redirects: u32,
    /// The credential was refreshed after a 401 (once per request).
    pub(crate) refreshed_credentials: bool,
}

impl Attempts {
    /// The decision after a `verb` request to `url` ended with `outcome`, and what the
    /// request will have spent once it is carried out.
    pub(crate) fn decide(
        self,
        verb: &Method,
        url: &Uri,
        outcome: &Outcome<'_>,
        policy: &RetryPolicy,
    ) -> (Self, Decision) {
        match *outcome {
            Outcome::Failed(error) => self.after_transport_error(verb, error, policy),
            Outcome::Answered { status, headers } => {
                self.after_answer(verb, url, status, headers, policy)
            }
        }
    }

    fn after_transport_error(
        mut self,
        verb: &Method,
        error: &TransportError,
        policy: &RetryPolicy,
    ) -> (Self, Decision) {
        if self.retries < policy.max_retries
            && self.transport_retries < policy.max_transport_retries
            && retry::transport_retryable(verb, error)
        {
            self.retries += 1;
            self.transport_retries += 1;
            let wait = retry::backoff(policy, self.transport_retries);
            return (self, Decision::RetryAfter(wait));
        }
        (self, Decision::Fail(Failure::Transport))
    }

    fn after_answer(
        mut self,
        verb: &Method,
        url: &Uri,
        status: StatusCode,
        headers: &HeaderMap,
        policy: &RetryPolicy,
    ) -> (Self, Decision) {
        if status.is_success() {
            return (self, Decision::Done);
        }
        if let Some(location) = redirect::location(status, headers) {
            self.redirects += 1;
            let decision = match redirect::follow(verb, url, status, location, self.redirects) {
                Ok(hop) => Decision::Redirect(hop),
                Err(why) => Decision::Fail(Failure::Redirect(why)),
            };
            return (self, decision);
        }
        if status == StatusCode::UNAUTHORIZED && !self.refreshed_credentials {
            self.refreshed_credentials = true;
            return (self, Decision::RefreshCredentials);
        }
        if self.retries < policy.max_retries {
            if let Some(wait) = retry::response_delay(verb, status, headers, policy) {
                self.retries += 1;
                return (self, Decision::RetryAfter(wait));
            }
        }
        (self, Decision::Fail(Failure::Status))
    }
}

#[cfg(test)]
mod tests;
