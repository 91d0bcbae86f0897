//! Client-side rate limiting: a token bucket of `qps` tokens per second holding at most
//! `burst`, as client-go's `flowcontrol.NewTokenBucketRateLimiter`, on the `leaky-bucket`
//! crate (tokio-native, fair: callers are served in the order they asked).

use std::time::Duration;

use leaky_bucket::RateLimiter;

use super::error::{Error, Result};
use crate::config::RateLimit;

/// The finest refill step `leaky-bucket` accepts; faster rates add several tokens per step.
const MIN_INTERVAL: Duration = Duration::from_millis(1);

/// A token bucket shared by every request of one client (and all its clones).
pub(crate) struct TokenBucket {
    limiter: RateLimiter,
}

impl std::fmt::Debug for TokenBucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBucket")
            .field("max", &self.limiter.max())
            .field("refill", &self.limiter.refill())
            .field("interval", &self.limiter.interval())
            .finish()
    }
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
        let (refill, interval) = refill_step(qps);
        let burst = usize::try_from(rate.burst.max(1)).unwrap_or(usize::MAX);
        let limiter = RateLimiter::builder()
            .max(burst.max(refill))
            .initial(burst)
            .refill(refill)
            .interval(interval)
            .fair(true)
            .build();
        Ok(TokenBucket { limiter })
    }

    /// Takes one token, waiting until it is there.
    pub(crate) async fn acquire(&self) {
        self.limiter.acquire_one().await;
    }
}

/// How many tokens to add how often for `qps` tokens per second: one token every `1/qps`
/// seconds, or for rates above 1000/s several tokens every millisecond.
fn refill_step(qps: f64) -> (usize, Duration) {
    let period = Duration::try_from_secs_f64(1.0 / qps).unwrap_or(Duration::MAX);
    // An interval must fit leaky-bucket's millisecond counter; slower than one token a
    // day is as good as stopped for a client.
    let period = period.min(Duration::from_secs(86_400));
    if period >= MIN_INTERVAL {
        (1, period)
    } else {
        // `qps / 1000` tokens per millisecond, at least one.
        let per_ms = (qps / 1000.0).round().clamp(1.0, usize::MAX as f64) as usize;
        (per_ms, MIN_INTERVAL)
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

    #[test]
    fn refill_steps() {
        assert_eq!(refill_step(5.0), (1, Duration::from_millis(200)));
        assert_eq!(refill_step(0.5), (1, Duration::from_secs(2)));
        assert_eq!(refill_step(1000.0), (1, Duration::from_millis(1)));
        assert_eq!(refill_step(50_000.0), (50, Duration::from_millis(1)));
        assert_eq!(refill_step(1e-9), (1, Duration::from_secs(86_400)));
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
}
