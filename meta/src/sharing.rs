//! One copy of the strings, field sets and sub-objects that a cache's objects repeat.
//!
//! The objects an informer caches are alike: the pods of one Deployment carry the same image,
//! mount paths, tolerations, owner uid and — the largest part — the same `managedFields`
//! sets. Decoding them one by one gives every object its own copy. While a *sharing scope*
//! is active on the decoding thread ([`decode_shared`]), strings too long to sit inline in a
//! [`CompactString`], every [`FieldsV1`](super::FieldsV1) and (with the `pooling` feature, which
//! the runtime's informers turn on) every [`Shared`](super::Shared) sub-object come from process-wide
//! pools instead: an equal value already held by some object is
//! reused (a reference count, no copy; sub-objects are matched by a hash of their JSON text
//! as received and then compared with `==`, so a hash collision never mixes up values).
//! Values nobody holds any more are dropped from the pools as they grow, so a pool never
//! keeps more than about twice what the live objects use.
//!
//! Outside a scope nothing changes (plain decoding allocates per value, which suits objects
//! read once). The informers' list and watch decoding runs inside one.

use std::borrow::Borrow;
use std::cell::Cell;
use std::collections::HashSet;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::CompactString;

#[cfg(feature = "pooling")]
mod objects;
#[cfg(feature = "pooling")]
pub(crate) use objects::object;
#[cfg(all(feature = "pooling", feature = "protobuf"))]
pub(crate) use objects::object_keyed;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `decode` with sharing on for this thread: long strings, field sets and (with the
/// `pooling` feature) sub-objects it decodes are taken from the shared pools. Sub-objects are
/// recognised by their JSON text: serde_json input hands it over as read; a format that shows
/// a sub-object's content has it re-encoded; one that shows it as a map fails clearly.
///
/// Pooling sub-objects compiles an equality test and a pool lookup for every sub-object type a
/// program decodes, so it comes only with `pooling` (the runtime's `cache` feature: informers, the caches it
/// is for).
pub fn decode_shared<R>(decode: impl FnOnce() -> R) -> R {
    let _scope = Scope::enter();
    decode()
}

/// An active sharing scope; leaving it (also by unwinding) ends it. Not generic, so the
/// thread-local bookkeeping is compiled once rather than once per decoded type.
struct Scope;

impl Scope {
    fn enter() -> Scope {
        DEPTH.with(|d| d.set(d.get() + 1));
        Scope
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}

/// [`decode_shared`] when `on`, else just `decode()`: for decoders that make it an option.
#[doc(hidden)]
pub fn decode_shared_if<R>(on: bool, decode: impl FnOnce() -> R) -> R {
    if on {
        decode_shared(decode)
    } else {
        decode()
    }
}

/// True inside [`decode_shared`] on this thread.
pub(crate) fn active() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// The shared copy of `text` (long strings only: short ones are inline anyway).
pub(crate) fn string(text: &str) -> CompactString {
    STRINGS.get_or_insert(text, CompactString::new_shared)
}

/// The shared copy of an encoded field set.
pub(crate) fn bytes(encoded: &[u8]) -> Arc<[u8]> {
    BYTES.get_or_insert(encoded, |b: &[u8]| Arc::from(b))
}

/// Sizes of the pools: entries, and those held by some object (not only by the pool).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Interned strings in the pool.
    pub strings: usize,
    /// Interned strings some object still holds.
    pub strings_in_use: usize,
    /// Interned managed-field sets in the pool.
    pub field_sets: usize,
    /// Interned managed-field sets some object still holds.
    pub field_sets_in_use: usize,
    /// Interned objects in the pool.
    pub objects: usize,
    /// Interned objects some object still holds.
    pub objects_in_use: usize,
}

/// Current sizes of the pools (for tests and diagnostics).
pub fn pool_stats() -> PoolStats {
    let (strings, strings_in_use) = STRINGS.stats();
    let (field_sets, field_sets_in_use) = BYTES.stats();
    #[cfg(feature = "pooling")]
    let (objects, objects_in_use) = objects::stats();
    #[cfg(not(feature = "pooling"))]
    let (objects, objects_in_use) = (0, 0);
    PoolStats {
        strings,
        strings_in_use,
        field_sets,
        field_sets_in_use,
        objects,
        objects_in_use,
    }
}

/// A value the pool can hold and tell whether anyone else holds.
trait Pooled: Hash + Eq {
    /// True when the pool's reference is the only one.
    fn unused(&self) -> bool;
}

impl Pooled for CompactString {
    fn unused(&self) -> bool {
        self.share_count() == Some(1)
    }
}

impl Pooled for Arc<[u8]> {
    fn unused(&self) -> bool {
        Arc::strong_count(self) == 1
    }
}

/// Entries before the first sweep of unused ones.
const FIRST_SWEEP: usize = 4096;

struct Pool<T> {
    inner: Mutex<PoolInner<T>>,
}

struct PoolInner<T> {
    set: Option<HashSet<T>>,
    /// Sweep unused entries when the pool reaches this size.
    sweep_at: usize,
}

static STRINGS: Pool<CompactString> = Pool::new();
static BYTES: Pool<Arc<[u8]>> = Pool::new();

impl<T: Pooled + Clone> Pool<T> {
    const fn new() -> Self {
        Self {
            inner: Mutex::new(PoolInner {
                set: None,
                sweep_at: FIRST_SWEEP,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolInner<T>> {
        // The pool stays consistent across a panic (a set insert either happened or not).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get_or_insert<Q>(&self, key: &Q, make: impl FnOnce(&Q) -> T) -> T
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut inner = self.lock();
        let sweep_at = inner.sweep_at;
        let set = inner.set.get_or_insert_with(HashSet::new);
        if let Some(found) = set.get(key) {
            return found.clone();
        }
        let value = make(key);
        set.insert(value.clone());
        if set.len() >= sweep_at {
            set.retain(|v| !v.unused());
            // Amortized: the next sweep after the pool has doubled from what is in use.
            inner.sweep_at = (set.len() * 2).max(FIRST_SWEEP);
        }
        value
    }

    fn stats(&self) -> (usize, usize) {
        let inner = self.lock();
        inner.set.as_ref().map_or((0, 0), |set| {
            (set.len(), set.iter().filter(|v| !v.unused()).count())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldsV1;
    use crate::Shared;

    #[test]
    fn long_strings_are_shared_inside_a_scope_only() {
        let json = r#"["registry.example.com/shop/web:2.14.1", "registry.example.com/shop/web:2.14.1", "short"]"#;
        let plain: Vec<CompactString> = serde_json::from_str(json).unwrap();
        assert!(!plain[0].is_shared());
        let shared: Vec<CompactString> = decode_shared(|| serde_json::from_str(json)).unwrap();
        assert!(shared[0].is_shared() && shared[1].is_shared());
        assert_eq!(shared[0], "registry.example.com/shop/web:2.14.1");
        assert_eq!(shared[0].as_ptr(), shared[1].as_ptr(), "one copy");
        assert!(!shared[2].is_heap_allocated());
        assert_eq!(shared, plain);
        // The scope ended: plain again.
        let after: Vec<CompactString> = serde_json::from_str(json).unwrap();
        assert!(!after[0].is_shared());
    }

    #[test]
    fn shared_copies_outlive_each_other_and_clone_by_count() {
        let text = "a string only this test uses, long enough";
        let a: CompactString = decode_shared(|| serde_json::from_value(text.into())).unwrap();
        let b = a.clone();
        assert_eq!(a.share_count(), Some(3), "pool + a + b");
        drop(a);
        assert_eq!(b, text);
        assert_eq!(b.share_count(), Some(2));
        let owned: String = b.clone().into_string();
        assert_eq!(owned, text);
    }

    #[test]
    fn field_sets_are_shared() {
        let json = r#"[{"f:metadata":{"f:labels":{".":{},"f:shared-test":{}}}}, {"f:metadata":{"f:labels":{".":{},"f:shared-test":{}}}}]"#;
        let sets: Vec<FieldsV1> = decode_shared(|| serde_json::from_str(json)).unwrap();
        assert!(sets[0].shares_storage_with(&sets[1]));
        let plain: Vec<FieldsV1> = serde_json::from_str(json).unwrap();
        assert!(!plain[0].shares_storage_with(&plain[1]));
        assert_eq!(sets, plain);
    }

    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Probe {
        path: String,
        port: u16,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Container {
        probe: Shared<Probe>,
    }

    #[cfg(feature = "pooling")]
    #[test]
    fn equal_sub_objects_are_shared_and_copied_on_write() {
        let json = r#"[{"probe": {"path": "/healthz-shared-test", "port": 8080}},
                       {"probe": {"path": "/healthz-shared-test", "port": 8080}},
                       {"probe": {"path": "/healthz-shared-test", "port": 9090}}]"#;
        let mut cs: Vec<Container> = decode_shared(|| serde_json::from_str(json)).unwrap();
        assert!(Shared::ptr_eq(&cs[0].probe, &cs[1].probe));
        assert!(!Shared::ptr_eq(&cs[0].probe, &cs[2].probe));
        let plain: Vec<Container> = serde_json::from_str(json).unwrap();
        assert!(!Shared::ptr_eq(&plain[0].probe, &plain[1].probe));
        assert_eq!(cs, plain);
        // A write copies first: the other object keeps its value.
        cs[0].probe.port = 1;
        assert_eq!(cs[1].probe.port, 8080);
        assert!(!Shared::ptr_eq(&cs[0].probe, &cs[1].probe));
    }

    #[cfg(feature = "pooling")]
    #[test]
    fn sub_objects_are_shared_from_every_serde_json_reader() {
        let json = r#"[{"probe": {"path": "/readers-shared-test", "port": 1}},
                       {"probe": {"path": "/readers-shared-test", "port": 1}}]"#;
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let decoded: [Vec<Container>; 3] = [
            decode_shared(|| serde_json::from_slice(json.as_bytes())).unwrap(),
            decode_shared(|| serde_json::from_reader(json.as_bytes())).unwrap(),
            decode_shared(|| serde_json::from_value(value)).unwrap(),
        ];
        for cs in &decoded {
            assert!(Shared::ptr_eq(&cs[0].probe, &cs[1].probe));
            assert_eq!(cs[0].probe.path, "/readers-shared-test");
        }
        // A broken sub-object is an error naming what is wrong, inside a scope as outside.
        let broken = r#"[{"probe": {"path": 5, "port": 1}}]"#;
        let err = decode_shared(|| serde_json::from_str::<Vec<Container>>(broken)).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    #[cfg(feature = "pooling")]
    #[test]
    fn other_formats_read_sub_objects_unshared_or_fail_clearly() {
        use serde::de::value::{Error, MapDeserializer};
        use serde::Deserialize;
        // A deserializer that shows a newtype as its content map cannot hand over text.
        let entries = [("path", "/x"), ("port", "1")];
        let err = decode_shared(|| {
            Shared::<Probe>::deserialize(MapDeserializer::<_, Error>::new(entries.into_iter()))
        })
        .unwrap_err();
        assert!(err.to_string().contains("serde_json input only"), "{err}");
    }

    #[cfg(feature = "pooling")]
    #[test]
    fn formats_that_show_newtype_content_are_read_and_shared() {
        // YAML shows a newtype's content: it is re-encoded as JSON text and pooled.
        let yaml = "- probe: {path: /yaml-shared-test, port: 1}\n- probe: {path: /yaml-shared-test, port: 1}\n";
        let cs: Vec<Container> = decode_shared(|| serde_saphyr::from_str(yaml)).unwrap();
        assert_eq!(cs[0].probe.path, "/yaml-shared-test");
        assert!(Shared::ptr_eq(&cs[0].probe, &cs[1].probe));
        let broken = "- probe: {path: [1], port: 1}\n";
        let err = decode_shared(|| serde_saphyr::from_str::<Vec<Container>>(broken)).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    #[test]
    fn unused_entries_are_swept_as_the_pool_grows() {
        // Distinct strings nobody keeps: the pool must not hold them all.
        for i in 0..3 * FIRST_SWEEP {
            let s: CompactString = decode_shared(|| {
                serde_json::from_value(format!("transient-string-of-the-sweep-test-{i}").into())
            })
            .unwrap();
            drop(s);
        }
        let stats = pool_stats();
        assert!(stats.strings < 2 * FIRST_SWEEP + 64, "{stats:?}");
    }

    #[test]
    fn a_panic_inside_the_scope_ends_it() {
        let result = std::panic::catch_unwind(|| decode_shared(|| panic!("decoder failed")));
        assert!(result.is_err());
        assert!(!active());
    }
}
