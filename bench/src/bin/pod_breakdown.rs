//! Where the heap of a deserialized kubegen-api pod goes: bytes held (inline size + heap) per
//! part of the realistic pod, each part decoded alone from its JSON (diagnostics for the
//! memory benchmark).

use kubegen_api::core::v1::*;
use kubegen_bench::{allocations, live_bytes, pod_json, Counting};
use kubegen_runtime::meta::{ManagedFieldsEntry, ObjectMeta};

#[global_allocator]
static ALLOC: Counting = Counting;

const N: usize = 500;

/// Bytes held by one `T` decoded from `json` (size_of plus heap), and its allocations.
fn held<T: serde::de::DeserializeOwned>(json: &serde_json::Value) -> (f64, f64) {
    let text = serde_json::to_string(json).expect("json");
    let before = live_bytes();
    let allocs_before = allocations();
    let kept: Vec<T> = (0..N)
        .map(|_| serde_json::from_str(&text).expect("decode"))
        .collect();
    let allocs = (allocations() - allocs_before) as f64 / N as f64;
    let vec_bytes = (kept.capacity() * std::mem::size_of::<T>()) as isize;
    let per =
        (live_bytes() - before - vec_bytes) as f64 / N as f64 + std::mem::size_of::<T>() as f64;
    drop(kept);
    (per, allocs - 1.0 / N as f64)
}

fn row<T: serde::de::DeserializeOwned>(label: &str, json: &serde_json::Value) {
    let (bytes, allocs) = held::<T>(json);
    println!(
        "{bytes:>8.0} B {allocs:>5.1} allocs  size_of {:>5}  {label}",
        std::mem::size_of::<T>()
    );
}

fn main() {
    let pod: serde_json::Value = serde_json::from_str(&pod_json()).expect("pod");
    row::<Pod>("Pod", &pod);
    let meta = &pod["metadata"];
    row::<ObjectMeta>("metadata", meta);
    let mut no_mf = meta.clone();
    no_mf
        .as_object_mut()
        .expect("object")
        .remove("managedFields");
    row::<ObjectMeta>("metadata without managedFields", &no_mf);
    for (i, mf) in meta["managedFields"]
        .as_array()
        .expect("array")
        .iter()
        .enumerate()
    {
        row::<ManagedFieldsEntry>(&format!("managedFields[{i}]"), mf);
    }
    let spec = &pod["spec"];
    row::<PodSpec>("spec", spec);
    for (i, v) in spec["volumes"]
        .as_array()
        .expect("array")
        .iter()
        .enumerate()
    {
        row::<Volume>(&format!("spec.volumes[{i}]"), v);
    }
    let c = &spec["containers"][0];
    row::<Container>("spec.containers[0]", c);
    for key in ["env", "ports", "volumeMounts"] {
        row::<Vec<serde_json::Value>>(&format!("  (json) {key}"), &c[key]);
    }
    row::<Vec<EnvVar>>("  env", &c["env"]);
    row::<Vec<ContainerPort>>("  ports", &c["ports"]);
    row::<Vec<VolumeMount>>("  volumeMounts", &c["volumeMounts"]);
    row::<Probe>("  livenessProbe", &c["livenessProbe"]);
    row::<Probe>("  readinessProbe", &c["readinessProbe"]);
    row::<ResourceRequirements>("  resources", &c["resources"]);
    row::<SecurityContext>("  securityContext", &c["securityContext"]);
    row::<Affinity>("spec.affinity", &spec["affinity"]);
    row::<Vec<Toleration>>("spec.tolerations", &spec["tolerations"]);
    let status = &pod["status"];
    row::<PodStatus>("status", status);
    row::<Vec<PodCondition>>("status.conditions", &status["conditions"]);
    row::<ContainerStatus>(
        "status.containerStatuses[0]",
        &status["containerStatuses"][0],
    );
}
