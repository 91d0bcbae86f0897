//! Decode cost of `FieldsV1` (the managed-fields encoding) against capturing the same text as
//! a `RawValue` and skipping it (diagnostics for the decode benchmark). Interleaved rounds,
//! best of each, so machine noise hits all sides alike.

use std::time::{Duration, Instant};

use kubegen_bench::pod_json;
use kubegen_runtime::meta::FieldsV1;
use serde_json::value::RawValue;

fn main() {
    let pod: serde_json::Value = serde_json::from_str(&pod_json()).expect("pod");
    let texts: Vec<String> = pod["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .map(|m| serde_json::to_string(&m["fieldsV1"]).expect("json"))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let rounds = 20_000;
    let mut best = [Duration::MAX; 3];
    for _ in 0..7 {
        let t = Instant::now();
        for _ in 0..rounds {
            for text in &texts {
                let f: FieldsV1 = serde_json::from_str(text).expect("decode");
                std::hint::black_box(f);
            }
        }
        best[0] = best[0].min(t.elapsed());
        let t = Instant::now();
        for _ in 0..rounds {
            for text in &texts {
                let f: Box<RawValue> = serde_json::from_str(text).expect("decode");
                std::hint::black_box(f);
            }
        }
        best[1] = best[1].min(t.elapsed());
        let t = Instant::now();
        for _ in 0..rounds {
            for text in &texts {
                let f: serde::de::IgnoredAny = serde_json::from_str(text).expect("decode");
                std::hint::black_box(f);
            }
        }
        best[2] = best[2].min(t.elapsed());
    }
    let mb = (bytes * rounds) as f64 / 1e6;
    for (name, d) in ["FieldsV1", "Box<RawValue>", "IgnoredAny"].iter().zip(best) {
        println!("{name:<14} {:>8.1} MB/s", mb / d.as_secs_f64());
    }
}
