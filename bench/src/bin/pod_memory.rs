//! Heap bytes held per deserialized realistic pod: kubegen-api vs k8s-openapi, same bytes,
//! same counting allocator. Prints both and the ratio (target ≤ 0.15).

use kubegen_bench::{allocations, live_bytes, pod_json, pod_variant, Counting};

#[global_allocator]
static ALLOC: Counting = Counting;

const N: usize = 2000;

fn held<T: serde::de::DeserializeOwned>(docs: &[String]) -> (f64, f64) {
    let before = live_bytes();
    let allocs_before = allocations();
    let kept: Vec<T> = docs
        .iter()
        .map(|d| serde_json::from_str(d).expect("decode"))
        .collect();
    let allocs = (allocations() - allocs_before) as f64 / docs.len() as f64;
    // The Vec holding them is not part of the per-pod cost.
    let vec_bytes = (kept.capacity() * std::mem::size_of::<T>()) as isize;
    let per = (live_bytes() - before - vec_bytes) as f64 / docs.len() as f64
        + std::mem::size_of::<T>() as f64;
    drop(kept);
    (per, allocs)
}

fn main() {
    let base: serde_json::Value = serde_json::from_str(&pod_json()).expect("pod");
    let docs: Vec<String> = (0..N)
        .map(|i| serde_json::to_string(&pod_variant(&base, i)).expect("json"))
        .collect();
    let json_len = docs[0].len();
    let (ours, ours_allocs) = held::<kubegen_api::core::v1::Pod>(&docs);
    let (peer, peer_allocs) = held::<k8s_openapi::api::core::v1::Pod>(&docs);
    println!("pod JSON: {json_len} bytes (compact)");
    println!(
        "kubegen-api  Pod: {:>8.0} bytes held per pod ({:.2}x its JSON), {:.0} allocations, size_of {}",
        ours,
        ours / json_len as f64,
        ours_allocs,
        std::mem::size_of::<kubegen_api::core::v1::Pod>()
    );
    println!(
        "k8s-openapi  Pod: {:>8.0} bytes held per pod ({:.2}x its JSON), {:.0} allocations, size_of {}",
        peer,
        peer / json_len as f64,
        peer_allocs,
        std::mem::size_of::<k8s_openapi::api::core::v1::Pod>()
    );
    println!(
        "ratio kubegen/k8s-openapi: {:.3} (target <= 0.15)",
        ours / peer
    );
    println!(
        "size_of: Container {} vs {}, Volume {} vs {}, PodSpec {} vs {}",
        std::mem::size_of::<kubegen_api::core::v1::Container>(),
        std::mem::size_of::<k8s_openapi::api::core::v1::Container>(),
        std::mem::size_of::<kubegen_api::core::v1::Volume>(),
        std::mem::size_of::<k8s_openapi::api::core::v1::Volume>(),
        std::mem::size_of::<kubegen_api::core::v1::PodSpec>(),
        std::mem::size_of::<k8s_openapi::api::core::v1::PodSpec>(),
    );
}
