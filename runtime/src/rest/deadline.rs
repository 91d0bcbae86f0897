//! Client-side time limits on reading an answer, so a server (or a proxy) that stops
//! sending cannot hold a request for ever:
//!
//! - a whole-request deadline (the configured timeout for ordinary requests; for a watch,
//!   a little longer than the `timeoutSeconds` it asked the server for, as client-go does);
//! - a stall limit: no body bytes for this long ends the read with
//!   [`TransportErrorKind::Stalled`], whatever the deadline.

use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use tokio::time::Instant;

use super::error::{TransportError, TransportErrorKind};

/// The time limits of reading one response.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ReadLimits {
    /// The read ends with [`TransportErrorKind::Timeout`] at this instant.
    pub(crate) deadline: Option<Instant>,
    /// The read ends with [`TransportErrorKind::Stalled`] after this long without a frame.
    pub(crate) stall: Option<Duration>,
}

/// The client-side deadline of a streaming request that asked the server to end it after
/// `server_seconds`: that plus a margin (a tenth, at least 5 s) for the server's own
/// clock and the last bytes in flight. `0` asks the server for its own default (30 to 60
/// minutes), so no deadline is derived from it.
pub(crate) fn past_server_timeout(server_seconds: u64) -> Option<Duration> {
    if server_seconds == 0 {
        return None;
    }
    let margin = (server_seconds / 10).max(5);
    Some(Duration::from_secs(server_seconds.saturating_add(margin)))
}

/// The instant `timeout` from now, or none when it is too far to represent.
pub(crate) fn deadline_in(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}

/// The next frame of `body` within `limits`: `Ok(None)` at the body's end.
pub(crate) async fn next_frame(
    body: &mut Incoming,
    limits: ReadLimits,
) -> Result<Option<Frame<bytes::Bytes>>, TransportError> {
    let frame = body.frame();
    let stall_at = deadline_in(limits.stall);
    let (at, kind) = match (limits.deadline, stall_at) {
        (Some(d), Some(s)) if s < d => (Some(s), TransportErrorKind::Stalled),
        (Some(d), _) => (Some(d), TransportErrorKind::Timeout),
        (None, Some(s)) => (Some(s), TransportErrorKind::Stalled),
        (None, None) => (None, TransportErrorKind::Timeout),
    };
    let next = match at {
        Some(at) => tokio::time::timeout_at(at, frame)
            .await
            .map_err(|_| stalled_or_timeout(kind, limits.stall))?,
        None => frame.await,
    };
    next.transpose()
        .map_err(|e| TransportError::new(TransportErrorKind::Body, e))
}

fn stalled_or_timeout(kind: TransportErrorKind, stall: Option<Duration>) -> TransportError {
    match (kind, stall) {
        (TransportErrorKind::Stalled, Some(after)) => {
            TransportError::new(kind, format!("no bytes of the response body for {after:?}"))
        }
        _ => TransportError::bare(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_deadline_is_a_little_past_the_server_timeout() {
        assert_eq!(past_server_timeout(1), Some(Duration::from_secs(6)));
        assert_eq!(past_server_timeout(300), Some(Duration::from_secs(330)));
        assert_eq!(
            past_server_timeout(u64::MAX),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(past_server_timeout(0), None, "the server's default");
        assert_eq!(deadline_in(Some(Duration::MAX)), None);
    }
}
