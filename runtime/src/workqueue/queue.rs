//! The basic work queue: FIFO, deduplicating, never handing one item to two workers.
//!
//! Contract (client-go's `queue.go` + `delaying_queue.go`):
//! - an item added several times before a worker takes it is handed out once (*dirty* set);
//! - an item re-added while a worker processes it is handed out again only after that worker
//!   calls [`Queue::done`] (*processing* set), so one item never runs on two workers at once;
//! - [`Queue::add_after`] holds an item back for a duration (an item waits at most once, at the
//!   earliest of its ready times);
//! - after [`Queue::shut_down`] new adds are ignored, waiting items are dropped, and
//!   [`Queue::get`] hands out what is still queued, then returns `None`;
//!   [`Queue::shut_down_with_drain`] additionally waits until every queued and in-flight item
//!   has been marked done.
//!
//! The queue is a cheap handle (`Clone` shares it), so handlers and workers each hold one.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::delaying::Waiting;
use super::WorkItem;

/// Longest hold-back of [`Queue::add_after`]: about tokio's "far future". A longer delay
/// (even `Duration::MAX`) waits this long instead of overflowing the clock.
const MAX_DELAY: Duration = Duration::from_secs(86_400 * 365 * 30);

/// A deduplicating FIFO work queue with delayed adds; see the module docs for the contract.
pub struct Queue<T> {
    shared: Arc<Shared<T>>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Woken on every change a waiter may care about (new item, done, shutdown, earlier delay).
    changed: Notify,
}

struct State<T> {
    queue: VecDeque<T>,
    dirty: HashSet<T>,
    processing: HashSet<T>,
    waiting: Waiting<T>,
    shutting_down: bool,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.lock();
        match state {
            Ok(s) => f
                .debug_struct("Queue")
                .field("queued", &s.queue.len())
                .field("processing", &s.processing.len())
                .field("waiting", &s.waiting.len())
                .field("shutting_down", &s.shutting_down)
                .finish(),
            Err(_) => f.write_str("Queue { <poisoned> }"),
        }
    }
}

impl<T: Clone + Eq + Hash + Send + 'static> Default for Queue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Eq + Hash + Send + 'static> Queue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    dirty: HashSet::new(),
                    processing: HashSet::new(),
                    waiting: Waiting::default(),
                    shutting_down: false,
                }),
                changed: Notify::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The state is consistent after every statement that mutates it, so a panic in another
        // thread holding the lock cannot leave it half-updated: recovering is safe.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Marks `item` as needing processing. Ignored after shutdown.
    pub fn add(&self, item: T) {
        let mut state = self.lock();
        if state.add(item) {
            drop(state);
            self.shared.changed.notify_waiters();
        }
    }

    /// Adds `item` once `delay` has passed (immediately when `delay` is zero).
    pub fn add_after(&self, item: T, delay: Duration) {
        if delay.is_zero() {
            return self.add(item);
        }
        let mut state = self.lock();
        if state.shutting_down {
            return;
        }
        let before = state.waiting.next_ready();
        state.waiting.insert(item, ready_at(Instant::now(), delay));
        let earlier = state.waiting.next_ready() < before || before.is_none();
        drop(state);
        if earlier {
            // Sleeping getters computed their deadline from the old earliest item.
            self.shared.changed.notify_waiters();
        }
    }

    /// Waits for the next item and marks it as being processed; `None` once the queue is shut
    /// down and empty. The item is marked done when the returned guard is dropped, however
    /// the worker ends (finished, cancelled, panicked): prefer this to [`Queue::get`].
    pub async fn get_guarded(&self) -> Option<WorkItem<T>> {
        let item = self.get().await?;
        Some(WorkItem::new(self.clone(), item))
    }

    /// Waits for the next item and marks it as being processed; `None` once the queue is shut
    /// down and empty. Every item handed out must be passed to [`Queue::done`]; a worker
    /// cancelled or panicking before that strands the item (its later adds are never handed
    /// out) — [`Queue::get_guarded`] cannot.
    pub async fn get(&self) -> Option<T> {
        loop {
            let notified;
            let deadline;
            {
                let mut state = self.lock();
                state.promote_ready(Instant::now());
                if let Some(item) = state.queue.pop_front() {
                    state.dirty.remove(&item);
                    state.processing.insert(item.clone());
                    return Some(item);
                }
                if state.shutting_down {
                    return None;
                }
                // Created under the lock: a change made right after we unlock still wakes us.
                notified = self.shared.changed.notified();
                deadline = state.waiting.next_ready();
            }
            match deadline {
                Some(at) => {
                    tokio::select! {
                        () = notified => {}
                        () = tokio::time::sleep_until(at) => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Marks `item` as processed; if it was re-added meanwhile it is queued again now.
    pub fn done(&self, item: &T) {
        let mut state = self.lock();
        state.processing.remove(item);
        if state.dirty.contains(item) {
            state.queue.push_back(item.clone());
        }
        drop(state);
        self.shared.changed.notify_waiters();
    }

    /// How many items are ready to be handed out (not counting waiting or in-flight ones).
    pub fn len(&self) -> usize {
        let mut state = self.lock();
        state.promote_ready(Instant::now());
        state.queue.len()
    }

    /// Whether no item is ready to be handed out.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many items wait for their `add_after` delay.
    pub fn waiting_len(&self) -> usize {
        self.lock().waiting.len()
    }

    /// How many items were handed out and not yet marked done.
    pub fn processing_len(&self) -> usize {
        self.lock().processing.len()
    }

    /// Stops accepting items and drops waiting ones; getters drain what is queued, then get
    /// `None`.
    pub fn shut_down(&self) {
        let mut state = self.lock();
        state.shutting_down = true;
        state.waiting.clear();
        drop(state);
        self.shared.changed.notify_waiters();
    }

    /// Like [`Queue::shut_down`], then waits until every queued and in-flight item has been
    /// handed out and marked done. Needs running workers, or it waits forever.
    pub async fn shut_down_with_drain(&self) {
        self.shut_down();
        loop {
            let notified;
            {
                let state = self.lock();
                if state.queue.is_empty() && state.processing.is_empty() {
                    return;
                }
                notified = self.shared.changed.notified();
            }
            notified.await;
        }
    }

    /// Whether [`Queue::shut_down`] was called.
    pub fn shutting_down(&self) -> bool {
        self.lock().shutting_down
    }
}

/// When an item added `delay` after `now` is ready, never past [`MAX_DELAY`].
fn ready_at(now: Instant, delay: Duration) -> Instant {
    let delay = delay.min(MAX_DELAY);
    now.checked_add(delay).unwrap_or(now)
}

impl<T: Clone + Eq + Hash> State<T> {
    /// Returns whether the item became ready to hand out.
    fn add(&mut self, item: T) -> bool {
        if self.shutting_down || self.dirty.contains(&item) {
            return false;
        }
        self.dirty.insert(item.clone());
        if self.processing.contains(&item) {
            return false;
        }
        self.queue.push_back(item);
        true
    }

    fn promote_ready(&mut self, now: Instant) {
        if self.waiting.len() == 0 {
            return;
        }
        for item in self.waiting.take_ready(now) {
            self.add(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn dedups_queued_items() {
        let q = Queue::new();
        q.add("a");
        q.add("b");
        q.add("a");
        assert_eq!(q.len(), 2);
        assert_eq!(q.get().await, Some("a"));
        assert_eq!(q.get().await, Some("b"));
        assert_eq!(q.len(), 0);
    }

    #[tokio::test]
    async fn readded_while_processing_comes_back_after_done() {
        let q = Queue::new();
        q.add("a");
        let item = q.get().await.unwrap();
        q.add("a");
        q.add("a");
        assert_eq!(q.len(), 0, "not handed out while in flight");
        q.done(&item);
        assert_eq!(q.len(), 1, "queued once after done");
        assert_eq!(q.get().await, Some("a"));
        q.done(&"a");
        assert_eq!(q.len(), 0);
        assert_eq!(q.processing_len(), 0);
    }

    #[tokio::test]
    async fn get_waits_for_add() {
        let q = Queue::new();
        let q2 = q.clone();
        let getter = tokio::spawn(async move { q2.get().await });
        tokio::task::yield_now().await;
        q.add(7);
        assert_eq!(getter.await.unwrap(), Some(7));
    }

    #[tokio::test]
    async fn shutdown_hands_out_queued_then_none_and_ignores_adds() {
        let q = Queue::new();
        q.add(1);
        q.shut_down();
        q.add(2);
        assert_eq!(q.get().await, Some(1));
        assert_eq!(q.get().await, None);
        assert!(q.shutting_down());
    }

    #[tokio::test]
    async fn shutdown_wakes_blocked_getters() {
        let q: Queue<u32> = Queue::new();
        let getters: Vec<_> = (0..3)
            .map(|_| {
                let q = q.clone();
                tokio::spawn(async move { q.get().await })
            })
            .collect();
        tokio::task::yield_now().await;
        q.shut_down();
        for g in getters {
            assert_eq!(g.await.unwrap(), None);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn add_after_holds_items_back() {
        let q = Queue::new();
        q.add_after("late", Duration::from_secs(10));
        q.add_after("early", Duration::from_secs(1));
        q.add_after("late", Duration::from_secs(20)); // later: keeps 10s
        assert_eq!(q.len(), 0);
        assert_eq!(q.waiting_len(), 2);
        let start = Instant::now();
        assert_eq!(q.get().await, Some("early"));
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert_eq!(q.get().await, Some("late"));
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn earlier_add_after_wakes_a_sleeping_getter() {
        let q = Queue::new();
        q.add_after("x", Duration::from_secs(100));
        let q2 = q.clone();
        let start = Instant::now();
        let getter = tokio::spawn(async move { q2.get().await });
        tokio::time::sleep(Duration::from_secs(1)).await;
        q.add_after("y", Duration::from_secs(1));
        assert_eq!(getter.await.unwrap(), Some("y"));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn add_after_of_a_queued_item_is_deduplicated() {
        let q = Queue::new();
        q.add("a");
        q.add_after("a", Duration::from_millis(5));
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(q.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn huge_delays_wait_long_without_panicking() {
        let q = Queue::new();
        q.add_after("never", Duration::MAX);
        q.add_after("soon", Duration::from_secs(1));
        assert_eq!(q.waiting_len(), 2);
        assert_eq!(q.get().await, Some("soon"));
        tokio::time::sleep(Duration::from_secs(86_400 * 365)).await;
        assert_eq!(q.len(), 0, "a year later it still waits");
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_drops_waiting_items() {
        let q = Queue::new();
        q.add_after("a", Duration::from_secs(1));
        q.shut_down();
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(q.get().await, None);
    }

    #[tokio::test]
    async fn shut_down_with_drain_waits_for_in_flight_work() {
        let q = Queue::new();
        q.add(1);
        q.add(2);
        let first = q.get().await.unwrap();
        let drained = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let drainer = {
            let q = q.clone();
            let drained = drained.clone();
            tokio::spawn(async move {
                q.shut_down_with_drain().await;
                drained.store(true, std::sync::atomic::Ordering::SeqCst);
            })
        };
        tokio::task::yield_now().await;
        assert!(!drained.load(std::sync::atomic::Ordering::SeqCst));
        q.done(&first);
        let second = q.get().await.unwrap();
        tokio::task::yield_now().await;
        assert!(!drained.load(std::sync::atomic::Ordering::SeqCst));
        q.done(&second);
        drainer.await.unwrap();
        assert!(drained.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(q.get().await, None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_workers_never_share_an_item() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let q = Queue::new();
        let in_flight: Arc<Mutex<HashSet<u32>>> = Arc::default();
        let processed = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let (q, in_flight, processed) = (q.clone(), in_flight.clone(), processed.clone());
                tokio::spawn(async move {
                    while let Some(item) = q.get().await {
                        assert!(
                            in_flight.lock().unwrap().insert(item),
                            "item on two workers"
                        );
                        tokio::task::yield_now().await;
                        in_flight.lock().unwrap().remove(&item);
                        processed.fetch_add(1, Ordering::SeqCst);
                        q.done(&item);
                    }
                })
            })
            .collect();
        for round in 0..200u32 {
            q.add(round % 5);
            if round % 7 == 0 {
                tokio::task::yield_now().await;
            }
        }
        q.shut_down_with_drain().await;
        for w in workers {
            w.await.unwrap();
        }
        let n = processed.load(Ordering::SeqCst);
        assert!((5..=200).contains(&n), "processed {n}");
    }
}
