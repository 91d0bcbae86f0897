//! The pool of sub-objects ([`Shared`]), matched by a hash of their JSON text and then
//! compared with `==`. Only with the `pooling` feature: it compiles an equality test and a pool
//! lookup for every sub-object type a program decodes, worth it for informer caches only.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use smallvec::SmallVec;

use super::FIRST_SWEEP;
use crate::Shared;

/// The shared copy of a sub-object decoded from `text`: an equal one already pooled, else
/// `value`. Equal objects from one server arrive as equal text, so the text's hash finds
/// them without serializing `value` again.
pub(crate) fn object<T>(value: T, text: &str) -> Shared<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    object_keyed(value, text.as_bytes())
}

/// The shared copy of a sub-object decoded from `encoded` (its JSON text or its protobuf
/// bytes): an equal one already pooled, else `value`.
pub(crate) fn object_keyed<T>(value: T, encoded: &[u8]) -> Shared<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    // The pool work is type-erased (compiled once); only the comparison and the final
    // downcast are per type.
    let key = (TypeId::of::<T>(), HASHER.hash_one(encoded));
    let same = |held: &(dyn Any + Send + Sync)| held.downcast_ref::<T>() == Some(&value);
    let held = pooled_object(key, &same);
    if let Some(same) = held.and_then(|held| held.downcast::<T>().ok()) {
        return Shared::from_arc(same);
    }
    let arc = Arc::new(value);
    pool_object(key, Arc::clone(&arc) as Arc<dyn Any + Send + Sync>);
    Shared::from_arc(arc)
}

type ObjectKey = (TypeId, u64);

/// The pooled object under `key` that `same` accepts.
fn pooled_object(
    key: ObjectKey,
    same: &dyn Fn(&(dyn Any + Send + Sync)) -> bool,
) -> Option<Arc<dyn Any + Send + Sync>> {
    let pool = OBJECTS.lock().unwrap_or_else(PoisonError::into_inner);
    let bucket = pool.map.get(&key)?;
    bucket.iter().find(|held| same(held.as_ref())).cloned()
}

/// Adds `object` to the pool under `key`, sweeping when the pool has doubled. (Two threads
/// pooling equal objects at once both add theirs: a missed share, never a wrong one.)
fn pool_object(key: ObjectKey, object: Arc<dyn Any + Send + Sync>) {
    let mut pool = OBJECTS.lock().unwrap_or_else(PoisonError::into_inner);
    pool.map.entry(key).or_default().push(object);
    pool.len += 1;
    if pool.len >= pool.sweep_at {
        pool.sweep();
    }
}

static HASHER: LazyLock<RandomState> = LazyLock::new(RandomState::new);

type Bucket = SmallVec<[Arc<dyn Any + Send + Sync>; 1]>;

struct ObjectPool {
    map: HashMap<ObjectKey, Bucket>,
    len: usize,
    sweep_at: usize,
}

impl ObjectPool {
    /// Drops the sub-objects only the pool holds.
    fn sweep(&mut self) {
        self.map.retain(|_, bucket| {
            bucket.retain(|held| Arc::strong_count(held) > 1);
            !bucket.is_empty()
        });
        self.len = self.map.values().map(|b| b.len()).sum();
        self.sweep_at = (self.len * 2).max(FIRST_SWEEP);
    }

    fn stats(&self) -> (usize, usize) {
        let held = self.map.values().flatten();
        let in_use = held.clone().filter(|h| Arc::strong_count(h) > 1).count();
        (self.len, in_use)
    }
}

static OBJECTS: LazyLock<Mutex<ObjectPool>> = LazyLock::new(|| {
    Mutex::new(ObjectPool {
        map: HashMap::new(),
        len: 0,
        sweep_at: FIRST_SWEEP,
    })
});

/// Entries of the pool, and those held by some object (not only by the pool).
pub(super) fn stats() -> (usize, usize) {
    OBJECTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .stats()
}
