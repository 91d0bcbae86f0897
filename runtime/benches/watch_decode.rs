//! Watch-event decode throughput: the runtime's `WatchStream` (chunked body, incremental
//! line splitting, one-pass typed decode) against plain `serde_json` decoding of the same
//! bytes, held whole in memory, into the same types. Not run by CI.
//!
//! Run: `cargo bench -p kubegen-runtime --bench watch_decode`
//! (set `POD_JSON` to use another pod file than the shared realistic pod fixture).

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use kubegen_runtime::meta::ObjectMeta;
use kubegen_runtime::rest::{ByteStream, WatchEvent, WatchStream};
use serde::de::DeserializeOwned;
use serde::Deserialize;

const EVENTS: usize = 5_000;
const ROUNDS: usize = 15;

/// A pod with typed metadata and the rest kept as JSON (generated Pod types may not exist
/// yet).
#[derive(Deserialize)]
#[allow(dead_code)]
struct PodLite {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    metadata: ObjectMeta,
    spec: Option<serde_json::Value>,
    status: Option<serde_json::Value>,
}

/// The plain serde_json peer: the same wire shape, derived.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainEvent<K> {
    #[serde(rename = "type")]
    type_: String,
    object: K,
}

fn build_stream_bytes() -> Vec<u8> {
    let path = std::env::var("POD_JSON").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/bench/pod-realistic.json"
        )
        .to_owned()
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let mut pod: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for i in 0..EVENTS {
        pod["metadata"]["resourceVersion"] = (1_000_000 + i).to_string().into();
        pod["metadata"]["name"] = format!("web-{i}").into();
        let kind = ["ADDED", "MODIFIED", "DELETED"][i % 3];
        out.extend_from_slice(format!("{{\"type\":\"{kind}\",\"object\":").as_bytes());
        serde_json::to_writer(&mut out, &pod).unwrap();
        out.extend_from_slice(b"}\n");
    }
    out
}

/// Body chunk size fed to the stream: `CHUNK_KIB` (default 16, hyper's usual read size).
fn chunk_size() -> usize {
    std::env::var("CHUNK_KIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(16)
        * 1024
}

fn plain<K: DeserializeOwned>(bytes: &[u8]) -> usize {
    serde_json::Deserializer::from_slice(bytes)
        .into_iter::<PlainEvent<K>>()
        .map(|e| {
            let e = e.unwrap();
            std::hint::black_box(&e.object);
            1
        })
        .sum()
}

fn streamed<K: DeserializeOwned + Send + 'static>(body: &Bytes) -> usize {
    let chunk = chunk_size();
    let chunks: Vec<kubegen_runtime::rest::Result<Bytes>> = (0..body.len())
        .step_by(chunk)
        .map(|s| Ok(body.slice(s..(s + chunk).min(body.len()))))
        .collect();
    let stream: ByteStream = futures::stream::iter(chunks).boxed();
    let events = WatchStream::<K>::new(stream, "bench".into(), 64 << 20);
    futures::executor::block_on(events.fold(0, |n, e| {
        let e = e.unwrap();
        std::hint::black_box(matches!(e, WatchEvent::Added(_)));
        async move { n + 1 }
    }))
}

/// Best time of each of two contenders over interleaved rounds, so load from other
/// processes hits both alike.
fn best_pair(mut a: impl FnMut() -> usize, mut b: impl FnMut() -> usize) -> (Duration, Duration) {
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        assert_eq!(a(), EVENTS);
        best_a = best_a.min(start.elapsed());
        let start = Instant::now();
        assert_eq!(b(), EVENTS);
        best_b = best_b.min(start.elapsed());
    }
    (best_a, best_b)
}

fn report(label: &str, bytes: usize, d: Duration) {
    let secs = d.as_secs_f64();
    println!(
        "  {label:<28} {:>10.0} events/s {:>8.1} MB/s ({:.1} ms)",
        EVENTS as f64 / secs,
        bytes as f64 / secs / 1e6,
        secs * 1e3
    );
}

fn compare<K: DeserializeOwned + Send + 'static>(name: &str, bytes: &Bytes) {
    println!("decode into {name}:");
    let (plain_t, stream_t) = best_pair(|| plain::<K>(bytes), || streamed::<K>(bytes));
    report("plain serde_json (in memory)", bytes.len(), plain_t);
    report(
        &format!("WatchStream ({} KiB chunks)", chunk_size() / 1024),
        bytes.len(),
        stream_t,
    );
    println!(
        "  ratio WatchStream / plain: {:.3} (target >= 0.9)",
        plain_t.as_secs_f64() / stream_t.as_secs_f64()
    );
}

fn main() {
    let bytes = Bytes::from(build_stream_bytes());
    println!(
        "{EVENTS} watch events, {:.1} MB, {} bytes per event; best of {ROUNDS} rounds",
        bytes.len() as f64 / 1e6,
        bytes.len() / EVENTS
    );
    compare::<PodLite>("typed metadata + JSON spec/status", &bytes);
    compare::<serde_json::Value>("serde_json::Value", &bytes);
}
