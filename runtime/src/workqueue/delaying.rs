//! The waiting room of a delaying queue: items held until a point in time.
//!
//! Contract (client-go's `delaying_queue.go`): an item waits at most once; adding an item that
//! is already waiting only moves its ready time *earlier*, never later. Items come out in
//! ready-time order (ties in insertion order). Time is tokio's, so tests can pause it.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use tokio::time::Instant;

/// Items waiting for their ready time, deduplicated.
#[derive(Debug)]
pub(super) struct Waiting<T> {
    /// Ordered by (ready time, insertion sequence).
    by_time: BTreeMap<(Instant, u64), T>,
    /// Where each waiting item sits in `by_time`.
    slots: HashMap<T, (Instant, u64)>,
    next_seq: u64,
}

impl<T> Default for Waiting<T> {
    fn default() -> Self {
        Self {
            by_time: BTreeMap::new(),
            slots: HashMap::new(),
            next_seq: 0,
        }
    }
}

impl<T: Clone + Eq + Hash> Waiting<T> {
    /// Holds `item` until `ready`, or moves it earlier if it already waits for a later time.
    pub(super) fn insert(&mut self, item: T, ready: Instant) {
        if let Some(&slot) = self.slots.get(&item) {
            if slot.0 <= ready {
                return;
            }
            self.by_time.remove(&slot);
        }
        let slot = (ready, self.next_seq);
        self.next_seq += 1;
        self.by_time.insert(slot, item.clone());
        self.slots.insert(item, slot);
    }

    /// Removes and returns the items whose ready time is at or before `now`, in order.
    pub(super) fn take_ready(&mut self, now: Instant) -> Vec<T> {
        let mut ready = Vec::new();
        while let Some(entry) = self.by_time.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let item = entry.remove();
            self.slots.remove(&item);
            ready.push(item);
        }
        ready
    }

    /// When the earliest waiting item becomes ready.
    pub(super) fn next_ready(&self) -> Option<Instant> {
        self.by_time.keys().next().map(|(at, _)| *at)
    }
}

impl<T> Waiting<T> {
    pub(super) fn len(&self) -> usize {
        self.by_time.len()
    }

    pub(super) fn clear(&mut self) {
        self.by_time.clear();
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn earlier_wins_and_order_is_by_time() {
        let now = Instant::now();
        let mut w = Waiting::default();
        w.insert("a", now + Duration::from_secs(5));
        w.insert("b", now + Duration::from_secs(2));
        w.insert("a", now + Duration::from_secs(10)); // later: ignored
        assert_eq!(w.len(), 2);
        assert_eq!(w.next_ready(), Some(now + Duration::from_secs(2)));
        w.insert("a", now + Duration::from_secs(1)); // earlier: moves
        assert_eq!(w.len(), 2);
        assert_eq!(w.take_ready(now + Duration::from_secs(1)), vec!["a"]);
        assert!(w.take_ready(now + Duration::from_secs(1)).is_empty());
        assert_eq!(w.take_ready(now + Duration::from_secs(3)), vec!["b"]);
        assert_eq!(w.next_ready(), None);
    }
}
