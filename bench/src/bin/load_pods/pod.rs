//! Pods varied from the realistic template as the pods of several Deployments on a cluster
//! differ: app, ReplicaSet, name suffix, labels, node, pod and host IPs, 1–3 containers with
//! their own images, env and resources, and the volumes they mount. Split into what the
//! controller applies (metadata and spec) and what the kubelet reports (status).

use serde_json::{json, Value};

use crate::rng::Rng;

/// Apps the pods belong to (one ReplicaSet each), with their image.
const APPS: &[(&str, &str)] = &[
    ("web", "registry.example.com/shop/web"),
    ("api", "registry.example.com/shop/api"),
    ("checkout", "registry.example.com/shop/checkout"),
    ("search", "registry.example.com/shop/search"),
    ("worker", "registry.example.com/shop/worker"),
    ("cart", "registry.example.com/shop/cart"),
    ("auth", "registry.example.com/platform/auth"),
    ("notifier", "registry.example.com/platform/notifier"),
];

/// Sidecars a pod may carry besides its app container.
const SIDECARS: &[(&str, &str)] = &[
    ("envoy", "docker.io/envoyproxy/envoy:v1.33.2"),
    ("log-shipper", "docker.io/fluent/fluent-bit:3.2.4"),
    (
        "metrics-exporter",
        "quay.io/prometheus/statsd-exporter:v0.28.0",
    ),
];

const NODES: u64 = 50;

/// One generated pod: the controller's part and the kubelet's.
pub struct GeneratedPod {
    pub name: String,
    /// `apiVersion`, `kind`, `metadata` and `spec`: what kube-controller-manager applies.
    pub spec: Value,
    /// `apiVersion`, `kind`, `metadata.name` and `status`: what the kubelet applies.
    pub status: Value,
}

/// The template with what every generated pod replaces taken out.
pub fn template(fixture: &Value) -> Value {
    let mut t = fixture.clone();
    if let Some(meta) = t["metadata"].as_object_mut() {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
            "namespace",
            "generateName",
        ] {
            meta.remove(k);
        }
    }
    t
}

/// Pod `i`'s content (deterministic in `rng`'s state).
pub fn generate(template: &Value, rng: &mut Rng) -> GeneratedPod {
    let (app, image) = *rng.pick(APPS);
    // One ReplicaSet per app: its hash and uid are derived from the app alone.
    let rs_hash = stable_hash(app);
    let rs = format!("{app}-{rs_hash}");
    let name = format!("{rs}-{}", rng.suffix(5));
    let version = format!("2.{}.{}", rng.range(0, 20), rng.range(0, 9));
    let node = rng.range(1, NODES);
    let pod_ip = format!("10.244.{node}.{}", rng.range(2, 254));
    let host_ip = format!("172.18.0.{}", node + 1);
    let token_volume = format!("kube-api-access-{}", rng.suffix(5));

    let mut pod = template.clone();
    let meta = &mut pod["metadata"];
    meta["name"] = name.clone().into();
    meta["generateName"] = format!("{rs}-").into();
    meta["labels"] = json!({
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": "shop",
        "app.kubernetes.io/version": version,
        "pod-template-hash": rs_hash,
        "tier": rng.pick(&["frontend", "backend", "batch"]),
    });
    meta["annotations"]["prometheus.io/port"] =
        rng.pick(&["9090", "9102", "8081"]).to_string().into();
    meta["ownerReferences"][0]["name"] = rs.clone().into();
    meta["ownerReferences"][0]["uid"] = uuid_from(stable_hash_u64(&rs));

    let spec = &mut pod["spec"];
    spec["nodeName"] = format!("worker-{node}").into();
    spec["serviceAccountName"] = app.into();
    spec["serviceAccount"] = app.into();
    spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
        ["podAffinityTerm"]["labelSelector"]["matchLabels"]["app.kubernetes.io/name"] = app.into();
    let main = main_container(
        &spec["containers"][0],
        app,
        image,
        &version,
        &token_volume,
        rng,
    );
    let mut containers = vec![main];
    let mut volumes = vec![
        json!({"name": "config", "configMap": {"name": format!("{app}-config"), "defaultMode": 420}}),
        json!({"name": "cache", "emptyDir": {"sizeLimit": format!("{}Gi", rng.range(1, 4))}}),
    ];
    let sidecars = rng.range(0, 2) as usize;
    for (sidecar, sidecar_image) in SIDECARS.iter().take(sidecars) {
        containers.push(sidecar_container(
            sidecar,
            sidecar_image,
            &token_volume,
            rng,
        ));
        volumes.push(json!({"name": format!("{sidecar}-data"), "emptyDir": {}}));
    }
    if let Some(projected) = template["spec"]["volumes"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v.get("projected").is_some()))
    {
        let mut projected = projected.clone();
        projected["name"] = token_volume.clone().into();
        volumes.push(projected);
    }
    spec["containers"] = Value::Array(containers.clone());
    spec["volumes"] = Value::Array(volumes);

    let status = status_of(&pod["status"], &containers, &pod_ip, &host_ip, rng);
    let mut controller = pod;
    if let Some(o) = controller.as_object_mut() {
        o.remove("status");
    }
    GeneratedPod {
        spec: controller,
        status: json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "status": status}),
        name,
    }
}

fn main_container(
    template: &Value,
    app: &str,
    image: &str,
    version: &str,
    token_volume: &str,
    rng: &mut Rng,
) -> Value {
    let mut c = template.clone();
    c["name"] = app.into();
    c["image"] = format!("{image}:{version}").into();
    let mut env = vec![
        json!({"name": "LOG_LEVEL", "value": rng.pick(&["debug", "info", "warn"])}),
        json!({"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}),
    ];
    for k in 0..rng.range(0, 6) {
        env.push(json!({"name": format!("FEATURE_{k}"), "value": rng.pick(&["on", "off"])}));
    }
    if rng.range(0, 1) == 1 {
        env.push(json!({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": format!("{app}-db"), "key": "password"}}}));
    }
    c["env"] = Value::Array(env);
    c["resources"] = resources(rng);
    c["volumeMounts"] = json!([
        {"name": "config", "readOnly": true, "mountPath": format!("/etc/{app}")},
        {"name": "cache", "mountPath": "/cache"},
        {"name": token_volume, "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"},
    ]);
    c
}

fn sidecar_container(name: &str, image: &str, token_volume: &str, rng: &mut Rng) -> Value {
    json!({
        "name": name,
        "image": image,
        "args": ["--log-level", rng.pick(&["info", "warn"])],
        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
        "resources": resources(rng),
        "volumeMounts": [
            {"name": format!("{name}-data"), "mountPath": "/data"},
            {"name": token_volume, "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"},
        ],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
    })
}

fn resources(rng: &mut Rng) -> Value {
    let cpu = rng.pick(&["50m", "100m", "250m", "500m", "1"]);
    let mem = rng.pick(&["64Mi", "128Mi", "256Mi", "512Mi", "1Gi"]);
    json!({"requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": mem}})
}

/// The kubelet's view: Running, every container started and ready.
fn status_of(
    template: &Value,
    containers: &[Value],
    pod_ip: &str,
    host_ip: &str,
    rng: &mut Rng,
) -> Value {
    let mut status = template.clone();
    status["podIP"] = pod_ip.into();
    status["podIPs"] = json!([{"ip": pod_ip}]);
    status["hostIP"] = host_ip.into();
    status["hostIPs"] = json!([{"ip": host_ip}]);
    let statuses: Vec<Value> = containers
        .iter()
        .map(|c| {
            let image = c["image"].as_str().unwrap_or_default();
            let repo = image.rsplit_once(':').map_or(image, |(r, _)| r);
            json!({
                "name": c["name"],
                "state": {"running": {"startedAt": status["startTime"]}},
                "lastState": {},
                "ready": true,
                "restartCount": rng.range(0, 1),
                "image": image,
                "imageID": format!("{repo}@sha256:{}", rng.hex(64)),
                "containerID": format!("containerd://{}", rng.hex(64)),
                "started": true,
            })
        })
        .collect();
    status["containerStatuses"] = Value::Array(statuses);
    status
}

fn stable_hash_u64(s: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A pod-template-hash-like string for `s`.
fn stable_hash(s: &str) -> String {
    let mut rng = Rng::new(stable_hash_u64(s));
    rng.suffix(10)
}

fn uuid_from(n: u64) -> Value {
    let mut rng = Rng::new(n);
    let h = rng.hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/bench/pod-realistic.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn pods_vary_and_split_between_managers() {
        let t = template(&fixture());
        let mut rng = Rng::new(1);
        let pods: Vec<GeneratedPod> = (0..50).map(|_| generate(&t, &mut rng)).collect();
        let mut names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 50);
        let counts: Vec<usize> = pods
            .iter()
            .map(|p| p.spec["spec"]["containers"].as_array().unwrap().len())
            .collect();
        assert!(counts.iter().all(|n| (1..=3).contains(n)));
        assert!(counts.contains(&1) && counts.contains(&3));
        for p in &pods {
            assert!(p.spec.get("status").is_none());
            assert!(p.spec["metadata"].get("uid").is_none());
            assert_eq!(
                p.status["status"]["containerStatuses"]
                    .as_array()
                    .unwrap()
                    .len(),
                p.spec["spec"]["containers"].as_array().unwrap().len()
            );
        }
    }
}
