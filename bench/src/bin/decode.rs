//! Typed decode throughput of a 10,000-pod list: kubegen-api vs k8s-openapi vs skipping the
//! same bytes (`IgnoredAny`). Best of several alternating runs each; prints MB/s and the ratio
//! (target ≥ 2.5).

use std::time::{Duration, Instant};

use kubegen_bench::{pod_list_json, Counting};

#[global_allocator]
static ALLOC: Counting = Counting;

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let json = pod_list_json(n);
    let mb = json.len() as f64 / 1e6;
    println!("list of {n} pods: {mb:.1} MB");
    // Alternating runs, best of each: load from other processes on a shared machine drifts,
    // and hits both sides alike this way.
    let (mut ours, mut peer) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        ours = ours.min(best_of(1, || {
            let list: kubegen_runtime::meta::List<kubegen_api::core::v1::Pod> =
                serde_json::from_str(&json).expect("decode");
            assert_eq!(list.items.len(), n);
        }));
        peer = peer.min(best_of(1, || {
            let list: k8s_openapi::List<k8s_openapi::api::core::v1::Pod> =
                serde_json::from_str(&json).expect("decode");
            assert_eq!(list.items.len(), n);
        }));
    }
    let skip = best_of(5, || {
        let _: serde::de::IgnoredAny = serde_json::from_str(&json).expect("skip");
    });
    let value = best_of(3, || {
        let _: serde_json::Value = serde_json::from_str(&json).expect("value");
    });
    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "kubegen-api      {:>8.1} MB/s  {:>9.0} pods/s",
        rate(ours),
        n as f64 / ours.as_secs_f64()
    );
    println!(
        "k8s-openapi      {:>8.1} MB/s  {:>9.0} pods/s",
        rate(peer),
        n as f64 / peer.as_secs_f64()
    );
    println!("serde_json Value {:>8.1} MB/s", rate(value));
    println!("IgnoredAny       {:>8.1} MB/s", rate(skip));
    println!(
        "ratio kubegen/k8s-openapi: {:.2}x (target >= 2.5)",
        peer.as_secs_f64() / ours.as_secs_f64()
    );
}
