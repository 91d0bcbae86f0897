//! Throughput of the test server (not run in CI):
//! `cargo bench -p kubegen-testserver --bench throughput`
//!
//! Lists 50,000 pods (one request, and pages of 500) and streams 100,000 watch events
//! (50,000 ADDED + 50,000 MODIFIED replayed from the history window) to one client;
//! prints objects/s and events/s. Pods are built from `fixtures/bench/pod-realistic.json`.

use std::time::Instant;

use futures_util_lite::run_concurrently;
use kubegen_testserver::TestServer;
use serde_json::Value;

const PODS: usize = 50_000;

mod futures_util_lite {
    /// Runs `n` jobs with at most `width` in flight.
    pub(crate) async fn run_concurrently<F, Fut>(n: usize, width: usize, f: F)
    where
        F: Fn(usize) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            if set.len() >= width {
                set.join_next().await;
            }
            set.spawn(f(i));
        }
        while set.join_next().await.is_some() {}
    }
}

#[tokio::main]
async fn main() {
    let pod_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/bench/pod-realistic.json");
    let template: Value =
        serde_json::from_slice(&std::fs::read(&pod_path).expect("pod-realistic.json")).unwrap();
    let server = TestServer::builder()
        .history_window(2 * PODS + 10)
        .start()
        .await
        .unwrap();
    let base = server.base_url();
    let client = reqwest::Client::new();
    let rv0 = server.resource_version();

    let t = Instant::now();
    run_concurrently(PODS, 16, |i| {
        let client = client.clone();
        let mut pod = template.clone();
        pod["metadata"]["name"] = Value::String(format!("pod-{i:05}"));
        pod["metadata"]["namespace"] = Value::String("default".into());
        if let Some(m) = pod["metadata"].as_object_mut() {
            for k in [
                "uid",
                "resourceVersion",
                "creationTimestamp",
                "managedFields",
                "ownerReferences",
            ] {
                m.remove(k);
            }
        }
        let url = format!("{base}/api/v1/namespaces/default/pods");
        async move {
            let r = client.post(url).json(&pod).send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        }
    })
    .await;
    println!(
        "create: {PODS} pods in {:?} ({:.0} objects/s)",
        t.elapsed(),
        PODS as f64 / t.elapsed().as_secs_f64()
    );

    for _ in 0..3 {
        let t = Instant::now();
        let body = client
            .get(format!("{base}/api/v1/namespaces/default/pods"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let el = t.elapsed();
        let n = serde_json::from_slice::<Value>(&body).unwrap()["items"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(n, PODS);
        println!(
            "list (one request): {n} pods, {} MB in {el:?} ({:.0} objects/s)",
            body.len() / 1_000_000,
            n as f64 / el.as_secs_f64()
        );
    }
    let t = Instant::now();
    let mut cont = String::new();
    let mut n = 0;
    loop {
        let v: Value = client
            .get(format!(
                "{base}/api/v1/namespaces/default/pods?limit=500&continue={cont}"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        n += v["items"].as_array().unwrap().len();
        match v["metadata"]["continue"].as_str() {
            Some(c) => cont = c.to_string(),
            None => break,
        }
    }
    assert_eq!(n, PODS);
    println!(
        "list (pages of 500, client decodes): {n} pods in {:?} ({:.0} objects/s)",
        t.elapsed(),
        n as f64 / t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    run_concurrently(PODS, 16, |i| {
        let client = client.clone();
        let url = format!("{base}/api/v1/namespaces/default/pods/pod-{i:05}");
        async move {
            let r = client
                .patch(url)
                .header("Content-Type", "application/merge-patch+json")
                .body(r#"{"metadata":{"labels":{"bench":"modified"}}}"#)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        }
    })
    .await;
    println!("patch: {PODS} pods in {:?}", t.elapsed());

    let events = 2 * PODS;
    let t = Instant::now();
    let mut resp = client
        .get(format!(
            "{base}/api/v1/namespaces/default/pods?watch=true&resourceVersion={rv0}"
        ))
        .send()
        .await
        .unwrap();
    let mut lines = 0;
    let mut bytes = 0;
    while lines < events {
        let Some(chunk) = resp.chunk().await.unwrap() else {
            break;
        };
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let el = t.elapsed();
    assert_eq!(lines, events);
    println!(
        "watch: {lines} events, {} MB in {el:?} ({:.0} events/s)",
        bytes / 1_000_000,
        lines as f64 / el.as_secs_f64()
    );
}
