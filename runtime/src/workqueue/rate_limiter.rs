//! How long to hold back an item that failed: client-go's `default_rate_limiters.go`.
//!
//! Contract: [`RateLimiter::when`] records one more failure of the item and says how long to
//! wait before retrying it; [`RateLimiter::forget`] clears the item's history (call it when the
//! item succeeded); [`RateLimiter::num_requeues`] says how many failures are on record. The
//! default controller limiter is the maximum of a per-item exponential backoff (5 ms doubling to
//! 1000 s) and an overall token bucket (10 per second, burst 100), exactly as in client-go.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

/// Decides retry delays for failed items.
pub trait RateLimiter<T>: Send + Sync {
    /// Records a failure of `item` and returns how long to wait before retrying it.
    fn when(&self, item: &T) -> Duration;
    /// Forgets the failures of `item` (it succeeded or was given up on).
    fn forget(&self, item: &T);
    /// How many failures of `item` are on record.
    fn num_requeues(&self, item: &T) -> usize;
}

fn lock<S>(m: &Mutex<S>) -> MutexGuard<'_, S> {
    // Every mutation leaves the state consistent, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Per-item exponential backoff: `base * 2^failures`, capped at `max`.
#[derive(Debug)]
pub struct ItemExponentialFailureRateLimiter<T> {
    base: Duration,
    max: Duration,
    failures: Mutex<HashMap<T, u32>>,
}

impl<T> ItemExponentialFailureRateLimiter<T> {
    /// Backoff starting at `base` and never exceeding `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            failures: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone + Eq + Hash + Send> RateLimiter<T> for ItemExponentialFailureRateLimiter<T> {
    fn when(&self, item: &T) -> Duration {
        let mut failures = lock(&self.failures);
        let count = failures.entry(item.clone()).or_insert(0);
        let exp = *count;
        *count = count.saturating_add(1);
        // In floating point so a large exponent saturates instead of overflowing.
        let secs = self.base.as_secs_f64() * 2f64.powi(exp.min(1024) as i32);
        if !secs.is_finite() || secs >= self.max.as_secs_f64() {
            self.max
        } else {
            Duration::from_secs_f64(secs)
        }
    }

    fn forget(&self, item: &T) {
        lock(&self.failures).remove(item);
    }

    fn num_requeues(&self, item: &T) -> usize {
        lock(&self.failures).get(item).copied().unwrap_or(0) as usize
    }
}

/// An overall token bucket (`golang.org/x/time/rate` semantics): `qps` tokens per second, at most
/// `burst` saved up; every `when` takes a token, waiting for it if none is left.
#[derive(Debug)]
pub struct BucketRateLimiter {
    qps: f64,
    burst: f64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    /// May go negative: reserved tokens not yet produced.
    tokens: f64,
    last: Option<Instant>,
}

impl BucketRateLimiter {
    /// A bucket refilling at `qps` per second holding at most `burst` tokens (starts full).
    /// A `qps` that is not a positive finite number (0, negative, NaN, infinite) means no
    /// overall limit; a tiny one gives long delays, never a panic.
    pub fn new(qps: f64, burst: u32) -> Self {
        Self {
            qps,
            burst: f64::from(burst),
            bucket: Mutex::new(Bucket {
                tokens: f64::from(burst),
                last: None,
            }),
        }
    }

    fn reserve(&self) -> Duration {
        if !(self.qps.is_finite() && self.qps > 0.0) {
            return Duration::ZERO;
        }
        let now = Instant::now();
        let mut b = lock(&self.bucket);
        if let Some(last) = b.last {
            let refill = now.saturating_duration_since(last).as_secs_f64() * self.qps;
            b.tokens = (b.tokens + refill).min(self.burst);
        }
        b.last = Some(now);
        b.tokens -= 1.0;
        if b.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-b.tokens / self.qps).unwrap_or(Duration::MAX)
        }
    }
}

impl<T> RateLimiter<T> for BucketRateLimiter {
    fn when(&self, _item: &T) -> Duration {
        self.reserve()
    }

    fn forget(&self, _item: &T) {}

    fn num_requeues(&self, _item: &T) -> usize {
        0
    }
}

/// The strictest of several limiters: the longest delay, the most requeues.
pub struct MaxOfRateLimiter<T> {
    limiters: Vec<Box<dyn RateLimiter<T>>>,
}

impl<T> MaxOfRateLimiter<T> {
    /// Combines `limiters`; each sees every call.
    pub fn new(limiters: Vec<Box<dyn RateLimiter<T>>>) -> Self {
        Self { limiters }
    }
}

impl<T> RateLimiter<T> for MaxOfRateLimiter<T> {
    fn when(&self, item: &T) -> Duration {
        self.limiters
            .iter()
            .map(|l| l.when(item))
            .max()
            .unwrap_or(Duration::ZERO)
    }

    fn forget(&self, item: &T) {
        for l in &self.limiters {
            l.forget(item);
        }
    }

    fn num_requeues(&self, item: &T) -> usize {
        self.limiters
            .iter()
            .map(|l| l.num_requeues(item))
            .max()
            .unwrap_or(0)
    }
}

/// client-go's `DefaultControllerRateLimiter`: per-item 5 ms … 1000 s exponential backoff,
/// combined (max) with an overall 10 qps / 100 burst bucket.
pub fn default_controller_rate_limiter<T>() -> MaxOfRateLimiter<T>
where
    T: Clone + Eq + Hash + Send + Sync + 'static,
{
    MaxOfRateLimiter::new(vec![
        Box::new(ItemExponentialFailureRateLimiter::new(
            Duration::from_millis(5),
            Duration::from_secs(1000),
        )),
        Box::new(BucketRateLimiter::new(10.0, 100)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_doubles_caps_and_forgets() {
        let l = ItemExponentialFailureRateLimiter::new(
            Duration::from_millis(1),
            Duration::from_secs(1),
        );
        assert_eq!(l.when(&"a"), Duration::from_millis(1));
        assert_eq!(l.when(&"a"), Duration::from_millis(2));
        assert_eq!(l.when(&"a"), Duration::from_millis(4));
        assert_eq!(l.when(&"b"), Duration::from_millis(1));
        assert_eq!(l.num_requeues(&"a"), 3);
        for _ in 0..20 {
            l.when(&"a");
        }
        assert_eq!(l.when(&"a"), Duration::from_secs(1));
        l.forget(&"a");
        assert_eq!(l.num_requeues(&"a"), 0);
        assert_eq!(l.when(&"a"), Duration::from_millis(1));
    }

    #[test]
    fn exponential_saturates_without_overflow() {
        let l = ItemExponentialFailureRateLimiter::new(Duration::from_secs(1), Duration::MAX);
        for _ in 0..2000 {
            l.when(&0);
        }
        assert_eq!(l.when(&0), Duration::MAX);
    }

    #[test]
    fn exponential_with_a_huge_base_gives_the_max() {
        let l = ItemExponentialFailureRateLimiter::new(Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            assert_eq!(l.when(&"a"), Duration::MAX);
        }
        let l = ItemExponentialFailureRateLimiter::new(Duration::MAX, Duration::from_secs(5));
        assert_eq!(l.when(&"a"), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn bucket_allows_burst_then_paces() {
        let b = BucketRateLimiter::new(10.0, 3);
        for _ in 0..3 {
            assert_eq!(RateLimiter::<()>::when(&b, &()), Duration::ZERO);
        }
        let d = RateLimiter::<()>::when(&b, &());
        assert!((d.as_secs_f64() - 0.1).abs() < 1e-9, "{d:?}");
        let d = RateLimiter::<()>::when(&b, &());
        assert!((d.as_secs_f64() - 0.2).abs() < 1e-9, "{d:?}");
        tokio::time::advance(Duration::from_secs(1)).await;
        // 0.8 s of surplus refilled after the two reservations: some tokens are back.
        assert_eq!(RateLimiter::<()>::when(&b, &()), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn odd_qps_never_panic() {
        for qps in [
            1e-300,
            f64::MIN_POSITIVE,
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            let b = BucketRateLimiter::new(qps, 1);
            for _ in 0..3 {
                let _ = RateLimiter::<()>::when(&b, &());
            }
        }
        let tiny = BucketRateLimiter::new(1e-300, 0);
        assert_eq!(RateLimiter::<()>::when(&tiny, &()), Duration::MAX);
        let none = BucketRateLimiter::new(f64::INFINITY, 0);
        assert_eq!(RateLimiter::<()>::when(&none, &()), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn default_limiter_matches_client_go() {
        let l = default_controller_rate_limiter::<String>();
        let key = "ns/a".to_string();
        assert_eq!(l.when(&key), Duration::from_millis(5));
        assert_eq!(l.when(&key), Duration::from_millis(10));
        assert_eq!(l.num_requeues(&key), 2);
        // Exhaust the bucket with other items: the 101st reservation waits on the bucket.
        for i in 0..98 {
            l.when(&format!("other/{i}"));
        }
        let d = l.when(&"fresh".to_string());
        assert!((d.as_secs_f64() - 0.1).abs() < 1e-6, "{d:?}");
        l.forget(&key);
        assert_eq!(l.num_requeues(&key), 0);
    }
}
