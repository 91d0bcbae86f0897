//! Work queues for controllers, modelled on client-go's `util/workqueue`.
//!
//! A controller's event handlers put *keys* (usually `namespace/name`) into a queue and a few
//! workers take them out, reconcile, and mark them done. The queue guarantees that one key is
//! never processed by two workers at once and that a burst of events for one key is processed
//! once ([`Queue`]); it can hold keys back for a while ([`Queue::add_after`]); and it can retry
//! failed keys with per-key exponential backoff and an overall rate limit
//! ([`RateLimitingQueue`], [`default_controller_rate_limiter`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use kubegen_runtime::workqueue::RateLimitingQueue;
//!
//! let queue = RateLimitingQueue::with_default_rate_limiter();
//! queue.add("default/web".to_string());
//! queue.add("default/web".to_string()); // deduplicated
//! // The key is marked done when `key` is dropped, even if this worker is cancelled.
//! let key = queue.get_guarded().await.unwrap();
//! // ... reconcile; on failure `queue.add_rate_limited(key.clone())`, on success:
//! queue.forget(&key);
//! drop(key);
//! queue.shut_down();
//! assert!(queue.get().await.is_none());
//! # }
//! ```

mod delaying;
mod queue;
mod rate_limiter;
mod rate_limiting_queue;
mod work_item;

pub use queue::Queue;
pub use rate_limiter::{
    default_controller_rate_limiter, BucketRateLimiter, ItemExponentialFailureRateLimiter,
    MaxOfRateLimiter, RateLimiter,
};
pub use rate_limiting_queue::RateLimitingQueue;
pub use work_item::WorkItem;
