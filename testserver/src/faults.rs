//! Faults on demand, for reliability tests: broken watches, error replies, latency.
//!
//! Every random choice comes from one seeded generator, so a failing test replays.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The error a share of requests gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `429 TooManyRequests` with `Retry-After: seconds`.
    TooManyRequests {
        /// Seconds in `Retry-After`.
        retry_after: u32,
    },
    /// `500 InternalError`.
    Internal,
    /// `503 ServiceUnavailable`.
    Unavailable,
}

/// How an injected watch drop ends the stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WatchDrop {
    /// After a whole event: the body ends cleanly (a server closing the watch).
    #[default]
    EventBoundary,
    /// Halfway through an event's line: the body ends cleanly after a truncated line, as
    /// when a proxy or load balancer cuts a stream.
    MidLine,
    /// The TCP connection is reset (RST) after a truncated line; every request on that
    /// connection fails, as when a node or proxy dies.
    Reset,
}

#[derive(Debug)]
struct State {
    rng: StdRng,
    close_watch_after: Option<u64>,
    close_watch_probability: f64,
    watch_drop: WatchDrop,
    error_share: f64,
    error_kind: ErrorKind,
    latency: Duration,
    refuse_websocket: bool,
}

/// Control handle for faults; cheap to clone, shared with the server.
#[derive(Clone, Debug)]
pub struct Faults {
    state: Arc<Mutex<State>>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new(0)
    }
}

impl Faults {
    /// No faults; random choices seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                rng: StdRng::seed_from_u64(seed),
                close_watch_after: None,
                close_watch_probability: 0.0,
                watch_drop: WatchDrop::EventBoundary,
                error_share: 0.0,
                error_kind: ErrorKind::Unavailable,
                latency: Duration::ZERO,
                refuse_websocket: false,
            })),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Re-seeds the random generator.
    pub fn seed(&self, seed: u64) -> &Self {
        self.with(|s| s.rng = StdRng::seed_from_u64(seed));
        self
    }

    /// Ends every watch stream after it has sent `n` events (None: never).
    pub fn close_watches_after(&self, n: Option<u64>) -> &Self {
        self.with(|s| s.close_watch_after = n);
        self
    }

    /// Ends a watch stream after each event with probability `p` (0 disables).
    pub fn close_watches_randomly(&self, p: f64) -> &Self {
        self.with(|s| s.close_watch_probability = p.clamp(0.0, 1.0));
        self
    }

    /// How the watch drops above end a stream (default: on an event boundary).
    pub fn watch_drop(&self, mode: WatchDrop) -> &Self {
        self.with(|s| s.watch_drop = mode);
        self
    }

    /// Answers a `share` (0..=1) of API requests with `kind`.
    pub fn fail_requests(&self, share: f64, kind: ErrorKind) -> &Self {
        self.with(|s| {
            s.error_share = share.clamp(0.0, 1.0);
            s.error_kind = kind;
        });
        self
    }

    /// Delays every request by `d`.
    pub fn latency(&self, d: Duration) -> &Self {
        self.with(|s| s.latency = d);
        self
    }

    /// Answers the WebSocket upgrades of the connect verbs as a server without WebSocket
    /// there does (`400` with a plain-text message, no `Status`), so clients fall back
    /// to SPDY/3.1.
    pub fn refuse_websocket(&self, on: bool) -> &Self {
        self.with(|s| s.refuse_websocket = on);
        self
    }

    /// Whether WebSocket upgrades are refused.
    pub fn refuses_websocket(&self) -> bool {
        self.with(|s| s.refuse_websocket)
    }

    /// Turns every fault off.
    pub fn clear(&self) -> &Self {
        self.with(|s| {
            s.close_watch_after = None;
            s.close_watch_probability = 0.0;
            s.watch_drop = WatchDrop::EventBoundary;
            s.error_share = 0.0;
            s.latency = Duration::ZERO;
            s.refuse_websocket = false;
        });
        self
    }

    /// The latency to add to a request.
    pub(crate) fn request_latency(&self) -> Duration {
        self.with(|s| s.latency)
    }

    /// Whether this request should fail, and how.
    pub(crate) fn request_error(&self) -> Option<ErrorKind> {
        self.with(|s| {
            if s.error_share > 0.0 && s.rng.random::<f64>() < s.error_share {
                Some(s.error_kind)
            } else {
                None
            }
        })
    }

    /// Whether a watch that has sent `sent` events should be dropped now, and how.
    pub(crate) fn watch_drop_now(&self, sent: u64) -> Option<WatchDrop> {
        self.with(|s| {
            let drop = s.close_watch_after.is_some_and(|n| sent >= n)
                || (s.close_watch_probability > 0.0
                    && s.rng.random::<f64>() < s.close_watch_probability);
            drop.then_some(s.watch_drop)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_shares_replay() {
        let a = Faults::new(7);
        a.fail_requests(0.5, ErrorKind::Internal);
        let b = Faults::new(7);
        b.fail_requests(0.5, ErrorKind::Internal);
        let xs: Vec<_> = (0..50).map(|_| a.request_error().is_some()).collect();
        let ys: Vec<_> = (0..50).map(|_| b.request_error().is_some()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().any(|x| *x) && xs.iter().any(|x| !*x));
        a.close_watches_after(Some(3));
        assert_eq!(a.watch_drop_now(2), None);
        assert_eq!(a.watch_drop_now(3), Some(WatchDrop::EventBoundary));
        a.watch_drop(WatchDrop::Reset);
        assert_eq!(a.watch_drop_now(3), Some(WatchDrop::Reset));
        a.clear();
        assert_eq!(a.watch_drop_now(3), None);
    }
}
