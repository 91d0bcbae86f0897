//! [`WorkItem`]: an item handed out by [`Queue::get_guarded`] that is marked done when
//! dropped.
//!
//! With [`Queue::get`] a worker must call [`Queue::done`] itself; a worker future that is
//! cancelled (a `select!`, an aborted task) or panics before that leaves the item in the
//! *processing* set for ever, and every later add of it is held back for ever. The guard
//! makes `done` run on every path out of the worker.

use std::fmt;
use std::hash::Hash;
use std::ops::Deref;

use super::Queue;

/// An item being processed; dropping it marks it done (re-queueing it if it was added
/// meanwhile), so a cancelled or panicking worker cannot strand it.
#[must_use = "dropping the item at once marks it done"]
pub struct WorkItem<T: Clone + Eq + Hash + Send + 'static> {
    queue: Queue<T>,
    item: T,
}

impl<T: Clone + Eq + Hash + Send + 'static> WorkItem<T> {
    pub(super) fn new(queue: Queue<T>, item: T) -> Self {
        Self { queue, item }
    }

    /// The item.
    pub fn item(&self) -> &T {
        &self.item
    }

    /// Marks the item done now (the same as dropping it, said out loud).
    pub fn done(self) {}
}

impl<T: Clone + Eq + Hash + Send + 'static> Deref for WorkItem<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.item
    }
}

impl<T: Clone + Eq + Hash + Send + 'static> Drop for WorkItem<T> {
    fn drop(&mut self) {
        self.queue.done(&self.item);
    }
}

impl<T: Clone + Eq + Hash + Send + fmt::Debug + 'static> fmt::Debug for WorkItem<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WorkItem").field(&self.item).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_cancelled_worker_does_not_strand_its_item() {
        let q = Queue::new();
        q.add("k");
        let worker = {
            let q = q.clone();
            tokio::spawn(async move {
                let _item = q.get_guarded().await;
                std::future::pending::<()>().await;
            })
        };
        while q.processing_len() == 0 {
            tokio::task::yield_now().await;
        }
        q.add("k"); // an event arrives while the worker holds the key
        worker.abort();
        let _ = worker.await;
        assert_eq!(q.processing_len(), 0);
        let again = tokio::time::timeout(Duration::from_secs(5), q.get_guarded()).await;
        assert_eq!(again.ok().flatten().as_deref(), Some(&"k"));
    }

    #[tokio::test]
    async fn a_panicking_worker_does_not_strand_its_item() {
        let q = Queue::new();
        q.add(1u32);
        let worker = {
            let q = q.clone();
            tokio::spawn(async move {
                let item = q.get_guarded().await;
                assert!(item.is_none(), "reconcile panicked");
            })
        };
        assert!(worker.await.is_err());
        assert_eq!(q.processing_len(), 0);
        q.add(1);
        assert_eq!(q.len(), 1, "handed out again");
    }

    #[tokio::test]
    async fn done_requeues_an_item_added_while_processing() {
        let q = Queue::new();
        q.add("a");
        let item = q.get_guarded().await.unwrap();
        q.add("a");
        assert_eq!(q.len(), 0);
        item.done();
        assert_eq!(q.len(), 1);
    }
}
