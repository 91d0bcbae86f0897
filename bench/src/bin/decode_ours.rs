//! Profiling aid: decode the 10,000-pod list into kubegen-api types repeatedly
//! (`decode_ours [rounds]`).
use kubegen_bench::pod_list_json;
fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let json = pod_list_json(10_000);
    for _ in 0..rounds {
        let list: kubegen_runtime::meta::List<kubegen_api::core::v1::Pod> =
            serde_json::from_str(&json).expect("decode");
        std::hint::black_box(&list);
    }
}
