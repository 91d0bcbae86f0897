//! Client-side rate limiting: a token bucket of `qps` tokens per second holding at most
//! `burst`, as client-go's `flowcontrol.NewTokenBucketRateLimiter`.
//!
//! Hand-written rather than a crate: the semantics are a dozen lines (golang.org/x/time/rate's
//! reservations), and the rate-limiting crates pull a dozen dependencies into every build of
//! every user of the client.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::error::{Error, Result};
use crate::config::RateLimit;

/// A token bucket shared by every request of one client.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    qps: f64,
    burst: f64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Tokens available at `at`; negative when callers have reserved future tokens.
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    /// A full bucket; `qps` must be a positive finite number (a `burst` of 0 counts as 1).
    pub(crate) fn new(rate: RateLimit) -> Result<TokenBucket> {
        let qps = f64::from(rate.qps);
        if !(qps.is_finite() && qps > 0.0) {
            return Err(Error::Build(format!(
                "rate limit qps must be > 0, got {}",
                rate.qps
            )));
        }
        let burst = f64::from(rate.burst.max(1));
        Ok(TokenBucket {
            qps,
            burst,
            state: Mutex::new(State {
                tokens: burst,
                at: Instant::now(),
            }),
        })
    }

    /// Takes one token, waiting until it is there. Callers are served in the order they
    /// asked: each reserves the next token and sleeps until it is due.
    pub(crate) async fn acquire(&self) {
        let wait = self.reserve(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Reserves a token at `now`; returns how long until it is due.
    fn reserve(&self, now: Instant) -> Duration {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let elapsed = now.saturating_duration_since(s.at).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.qps).min(self.burst) - 1.0;
        s.at = now;
        if s.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-s.tokens / self.qps)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(qps: f32, burst: u32) -> TokenBucket {
        TokenBucket::new(RateLimit { qps, burst }).unwrap()
    }

    #[test]
    fn bad_qps_is_rejected() {
        for qps in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            assert!(
                TokenBucket::new(RateLimit { qps, burst: 1 }).is_err(),
                "{qps}"
            );
        }
    }

    #[test]
    fn burst_then_one_token_per_period() {
        let b = bucket(10.0, 3);
        let t0 = Instant::now();
        let waits: Vec<u128> = (0..5).map(|_| b.reserve(t0).as_millis()).collect();
        assert_eq!(waits, [0, 0, 0, 100, 200]);
    }

    #[test]
    fn refills_up_to_burst_only() {
        let b = bucket(10.0, 2);
        let t0 = Instant::now();
        assert!(b.reserve(t0).is_zero());
        assert!(b.reserve(t0).is_zero());
        // An hour idle refills two tokens, not 36,000.
        let later = t0 + Duration::from_secs(3600);
        assert!(b.reserve(later).is_zero());
        assert!(b.reserve(later).is_zero());
        assert_eq!(b.reserve(later).as_millis(), 100);
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_for_the_token() {
        let b = bucket(5.0, 1);
        let start = Instant::now();
        b.acquire().await;
        b.acquire().await;
        b.acquire().await;
        assert_eq!(start.elapsed().as_millis(), 400);
    }
}
