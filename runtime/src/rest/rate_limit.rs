//! Client-side rate limiting: a token bucket of `qps` tokens per second holding at most
//! `burst`, as client-go's `flowcontrol.NewTokenBucketRateLimiter` (which is
//! `golang.org/x/time/rate`).
//!
//! As there, each caller reserves the next token when it asks (the count may go below zero)
//! and sleeps until that token is due, so callers are served in the order they asked and the
//! lock is never held while waiting. A caller that gives up while waiting hands its token
//! back. Twenty lines of arithmetic, where a crate brought `parking_lot` with it.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::error::{Error, Result};
use crate::config::RateLimit;

/// A token bucket shared by every request of one client (and all its clones).
#[derive(Debug)]
pub(crate) struct TokenBucket {
    qps: f64,
    burst: f64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Tokens at `at`; negative when callers wait for tokens not yet due.
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

    /// Takes one token, waiting until it is there.
    pub(crate) async fn acquire(&self) {
        let wait = self.reserve(Instant::now());
        if wait.is_zero() {
            return;
        }
        let mut reservation = Reservation(Some(self));
        tokio::time::sleep(wait).await;
        reservation.0 = None;
    }

    /// Takes the next token as of `now` and says how long until it is due.
    fn reserve(&self, now: Instant) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let elapsed = now.saturating_duration_since(state.at).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.qps).min(self.burst) - 1.0;
        state.at = now;
        if state.tokens >= 0.0 {
            Duration::ZERO
        } else {
            // Slower than one token a day is as good as stopped for a client.
            Duration::try_from_secs_f64(-state.tokens / self.qps)
                .unwrap_or(Duration::MAX)
                .min(Duration::from_secs(86_400))
        }
    }

    /// Hands back a token reserved by a caller that stopped waiting for it.
    fn give_back(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.tokens = (state.tokens + 1.0).min(self.burst);
    }
}

/// A token reserved and not yet due: handed back if the waiting caller is dropped.
struct Reservation<'a>(Option<&'a TokenBucket>);

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if let Some(bucket) = self.0 {
            bucket.give_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    fn bucket(qps: f32, burst: u32) -> TokenBucket {
        TokenBucket::new(RateLimit { qps, burst }).unwrap()
    }

    /// Milliseconds after `start` at which each of `n` back-to-back acquisitions returns.
    async fn acquire_times(b: &TokenBucket, n: usize) -> Vec<u128> {
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..n {
            b.acquire().await;
            times.push(start.elapsed().as_millis());
        }
        times
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

    #[tokio::test(start_paused = true)]
    async fn a_tiny_qps_waits_at_most_a_day() {
        let b = bucket(f32::MIN_POSITIVE, 1);
        assert_eq!(acquire_times(&b, 2).await, [0, 86_400_000]);
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_one_token_per_period() {
        let b = bucket(10.0, 3);
        assert_eq!(acquire_times(&b, 5).await, [0, 0, 0, 100, 200]);
    }

    #[tokio::test(start_paused = true)]
    async fn refills_up_to_burst_only() {
        let b = bucket(10.0, 2);
        assert_eq!(acquire_times(&b, 2).await, [0, 0]);
        // An hour idle refills two tokens, not 36,000.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(acquire_times(&b, 3).await, [0, 0, 100]);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_burst_counts_as_one() {
        let b = bucket(5.0, 0);
        assert_eq!(acquire_times(&b, 3).await, [0, 200, 400]);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_rate() {
        let b = std::sync::Arc::new(bucket(10.0, 1));
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let b = b.clone();
                tokio::spawn(async move {
                    b.acquire().await;
                    start.elapsed().as_millis()
                })
            })
            .collect();
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap());
        }
        times.sort_unstable();
        assert_eq!(times, [0, 100, 200, 300]);
    }

    #[tokio::test(start_paused = true)]
    async fn fast_rates_and_fractional_rates() {
        let b = bucket(2000.0, 1);
        let times = acquire_times(&b, 2001).await;
        assert_eq!(
            times[2000], 1000,
            "2000 tokens after the first take a second"
        );
        let b = bucket(0.5, 1);
        assert_eq!(acquire_times(&b, 3).await, [0, 2000, 4000]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_gives_up_hands_its_token_back() {
        let b = bucket(10.0, 1);
        assert_eq!(acquire_times(&b, 1).await, [0]);
        // This caller would wait 100 ms; it gives up after 10.
        let gave_up = tokio::time::timeout(Duration::from_millis(10), b.acquire()).await;
        assert!(gave_up.is_err());
        // The next one gets the token due at 100 ms, not the one after it.
        let start = Instant::now();
        b.acquire().await;
        assert_eq!(start.elapsed().as_millis(), 90);
    }
}
