//! A work queue that retries failed items with backoff (client-go's `rate_limiting_queue.go`).
//!
//! Contract: [`RateLimitingQueue::add_rate_limited`] re-adds an item after the delay its rate
//! limiter decides (so a failing key backs off exponentially and all retries together respect
//! the overall bucket); [`RateLimitingQueue::forget`] resets the item's backoff once it
//! succeeded. Everything else is the plain [`Queue`], reachable through `Deref`.

use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::Arc;

use super::{default_controller_rate_limiter, Queue, RateLimiter};

/// A [`Queue`] plus a [`RateLimiter`] for retries. Cloning shares both.
pub struct RateLimitingQueue<T> {
    queue: Queue<T>,
    limiter: Arc<dyn RateLimiter<T>>,
}

impl<T> Clone for RateLimitingQueue<T> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
            limiter: Arc::clone(&self.limiter),
        }
    }
}

impl<T> fmt::Debug for RateLimitingQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitingQueue")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Eq + Hash + Send + Sync + 'static> RateLimitingQueue<T> {
    /// A queue whose retries follow `limiter`.
    pub fn new(limiter: impl RateLimiter<T> + 'static) -> Self {
        Self {
            queue: Queue::new(),
            limiter: Arc::new(limiter),
        }
    }

    /// A queue with client-go's default controller rate limiter.
    pub fn with_default_rate_limiter() -> Self {
        Self::new(default_controller_rate_limiter())
    }

    /// Re-adds `item` once the rate limiter allows it (records one more failure).
    pub fn add_rate_limited(&self, item: T) {
        let delay = self.limiter.when(&item);
        self.queue.add_after(item, delay);
    }

    /// Clears `item`'s failure history; call it when the item was processed successfully.
    pub fn forget(&self, item: &T) {
        self.limiter.forget(item);
    }

    /// How many times `item` was re-added through [`RateLimitingQueue::add_rate_limited`]
    /// since it was last forgotten.
    pub fn num_requeues(&self, item: &T) -> usize {
        self.limiter.num_requeues(item)
    }
}

impl<T> Deref for RateLimitingQueue<T> {
    type Target = Queue<T>;

    fn deref(&self) -> &Queue<T> {
        &self.queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workqueue::ItemExponentialFailureRateLimiter;
    use std::time::Duration;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn retries_back_off_and_forget_resets() {
        let q = RateLimitingQueue::new(ItemExponentialFailureRateLimiter::new(
            Duration::from_millis(5),
            Duration::from_secs(1000),
        ));
        let start = Instant::now();
        q.add_rate_limited("k");
        assert_eq!(q.len(), 0);
        assert_eq!(q.get().await, Some("k"));
        assert_eq!(start.elapsed(), Duration::from_millis(5));
        q.add_rate_limited("k");
        q.done(&"k");
        assert_eq!(q.get().await, Some("k"));
        assert_eq!(start.elapsed(), Duration::from_millis(15));
        assert_eq!(q.num_requeues(&"k"), 2);
        q.forget(&"k");
        q.done(&"k");
        assert_eq!(q.num_requeues(&"k"), 0);
        q.add_rate_limited("k");
        assert_eq!(q.get().await, Some("k"));
        assert_eq!(start.elapsed(), Duration::from_millis(20));
    }

    #[tokio::test(start_paused = true)]
    async fn a_backoff_capped_at_duration_max_does_not_panic() {
        let q = RateLimitingQueue::new(ItemExponentialFailureRateLimiter::new(
            Duration::from_secs(1),
            Duration::MAX,
        ));
        for _ in 0..100 {
            q.add_rate_limited("k");
        }
        assert_eq!(q.waiting_len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn default_queue_works_end_to_end() {
        let q = RateLimitingQueue::with_default_rate_limiter();
        q.add("a".to_string());
        let item = q.get().await.unwrap();
        q.add_rate_limited(item.clone());
        q.done(&item);
        assert_eq!(q.get().await.as_deref(), Some("a"));
        q.done(&item);
        q.shut_down_with_drain().await;
    }
}
