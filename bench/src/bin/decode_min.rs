//! A/B aid: best time to decode a list of pods into kubegen-api types, in µs per pod.
//! `decode_min [pods] [rounds]`; compare builds by running them alternately.
use std::time::Instant;

use kubegen_bench::pod_list_json;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let json = pod_list_json(n);
    let best = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            let list: kubegen_runtime::meta::List<kubegen_api::core::v1::Pod> =
                serde_json::from_str(&json).expect("decode");
            assert_eq!(list.items.len(), n);
            drop(list);
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    println!("{:.2} µs/pod", best.as_secs_f64() * 1e6 / n as f64);
}
