//! Shared pieces of the comparison benchmarks: a counting allocator and the benchmark data,
//! built at run time from `fixtures/bench/pod-realistic.json`.

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
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
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
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bench/pod-realistic.json")
}

/// The realistic pod as compact JSON.
pub fn pod_json() -> String {
    let text = std::fs::read_to_string(fixture_path()).expect("read pod-realistic.json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("pod-realistic.json is JSON");
    serde_json::to_string(&value).expect("serialize")
}

/// The pod, varied by index as the pods of one Deployment differ in a real cluster: its own
/// `metadata.name`, `uid`, a `bench/index` label, pod IP (also in the kubelet's managed-fields
/// entry), container ID and service-account token volume name (`kube-api-access-xxxxx`, in
/// the volumes and both mount lists), spread over 100 nodes (`nodeName`, host IP). Everything
/// else is the template's, as for replicas of one ReplicaSet.
pub fn pod_variant(base: &serde_json::Value, i: usize) -> serde_json::Value {
    let mut pod = base.clone();
    let meta = &mut pod["metadata"];
    meta["name"] = format!("web-7d9f8c6b5d-{i:05}").into();
    meta["uid"] = format!("8f6c1a52-3b1e-4c47-9f0a-{i:012}").into();
    meta["labels"]["bench/index"] = i.to_string().into();

    let old_ip = pod["status"]["podIP"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let pod_ip = format!(
        "10.{}.{}.{}",
        244 + i / 62_500,
        (i / 250) % 250,
        i % 250 + 2
    );
    let node = i % 100;
    let host_ip = format!("172.18.0.{}", node + 2);
    pod["spec"]["nodeName"] = format!("worker-{node}").into();
    let status = &mut pod["status"];
    status["podIP"] = pod_ip.clone().into();
    status["podIPs"] = serde_json::json!([{ "ip": pod_ip }]);
    status["hostIP"] = host_ip.clone().into();
    status["hostIPs"] = serde_json::json!([{ "ip": host_ip }]);
    // A container ID is 64 hex digits, unique per container start.
    let id = format!(
        "{:016x}{:048x}",
        (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        i
    );
    for cs in status["containerStatuses"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        cs["containerID"] = format!("containerd://{id}").into();
    }
    // The kubelet's entry keys the pod IP list by IP. (`get_mut`, not indexing: indexing a
    // missing key inserts `null`, which would add `"f:status":{"f:podIPs":null}` to the other
    // managers' field sets and send every pod's FieldsV1 down the slow general path.)
    let old_key = format!(r#"k:{{"ip":"{old_ip}"}}"#);
    let new_key = format!(r#"k:{{"ip":"{pod_ip}"}}"#);
    for entry in pod["metadata"]["managedFields"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        let ips = entry
            .get_mut("fieldsV1")
            .and_then(|f| f.get_mut("f:status"))
            .and_then(|s| s.get_mut("f:podIPs"))
            .and_then(|ips| ips.as_object_mut());
        if let Some(ips) = ips {
            if let Some(v) = ips.remove(&old_key) {
                ips.insert(new_key.clone(), v);
            }
        }
    }
    // The token volume's name has a random suffix per pod.
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = i;
    let suffix: String = (0..5)
        .map(|_| {
            let c = ALPHABET[n % ALPHABET.len()] as char;
            n /= ALPHABET.len();
            c
        })
        .collect();
    let token_volume = format!("kube-api-access-{suffix}");
    let rename = |list: &mut serde_json::Value| {
        for item in list.as_array_mut().into_iter().flatten() {
            if item["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("kube-api-access-"))
            {
                item["name"] = token_volume.clone().into();
            }
        }
    };
    rename(&mut pod["spec"]["volumes"]);
    for c in pod["spec"]["containers"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        rename(&mut c["volumeMounts"]);
    }
    for cs in pod["status"]["containerStatuses"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        rename(&mut cs["volumeMounts"]);
    }
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
