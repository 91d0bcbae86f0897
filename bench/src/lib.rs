//! Shared pieces of the comparison benchmarks: a counting allocator and the benchmark data,
//! built at run time from `../shared/fixtures/bench/pod-realistic.json`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// The system allocator, counting live bytes and allocations (requested sizes).
pub struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Live heap bytes right now.
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Allocations made so far.
pub fn allocations() -> usize {
    ALLOCS.load(Ordering::Relaxed)
}

pub fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/bench/pod-realistic.json")
}

/// The realistic pod as compact JSON.
pub fn pod_json() -> String {
    let text = std::fs::read_to_string(fixture_path()).expect("read pod-realistic.json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("pod-realistic.json is JSON");
    serde_json::to_string(&value).expect("serialize")
}

/// The pod, varied by index: `metadata.name`, `metadata.uid` and one label.
pub fn pod_variant(base: &serde_json::Value, i: usize) -> serde_json::Value {
    let mut pod = base.clone();
    let meta = &mut pod["metadata"];
    meta["name"] = format!("web-7d9f8c6b5d-{i:05}").into();
    meta["uid"] = format!("8f6c1a52-3b1e-4c47-9f0a-{i:012}").into();
    meta["labels"]["bench/index"] = i.to_string().into();
    pod
}

/// A `PodList` of `n` pod variants as compact JSON.
pub fn pod_list_json(n: usize) -> String {
    let base: serde_json::Value = serde_json::from_str(&pod_json()).expect("pod");
    let items: Vec<serde_json::Value> = (0..n).map(|i| pod_variant(&base, i)).collect();
    serde_json::to_string(&serde_json::json!({
        "apiVersion": "v1",
        "kind": "PodList",
        "metadata": {"resourceVersion": "48211937"},
        "items": items,
    }))
    .expect("serialize list")
}
