//! Realistic objects deserialize and serialize back to equal JSON (equal up to members that
//! are `null`, which Go servers write for unset pointers and which mean "absent").

use kubegen_api::apiextensions::v1::{CustomResourceDefinition, JSONSchemaProps};
use kubegen_api::apps::v1::Deployment;
use kubegen_api::core::v1::{Node, Pod, Service};
use kubegen_api_tests::{
    first_difference, realistic_pod_json, recorded_response, strip_nulls, yaml_fixture,
};
use kubegen_runtime::meta::{IntOrString, Object};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn round_trip<T: DeserializeOwned + Serialize>(json: &serde_json::Value) -> T {
    let mut expected = json.clone();
    strip_nulls(&mut expected);
    let typed: T = serde_json::from_value(json.clone()).expect("deserializes");
    let back = serde_json::to_value(&typed).expect("serializes");
    assert_eq!(
        first_difference(&back, &expected),
        None,
        "round trip changed the object"
    );
    // And from text, the path real clients take (FieldsV1 is kept as raw text there).
    let text = serde_json::to_string(json).unwrap();
    let typed2: T = serde_json::from_str(&text).expect("deserializes from text");
    let back2 = serde_json::to_value(&typed2).unwrap();
    assert_eq!(
        first_difference(&back2, &expected),
        None,
        "text round trip changed the object"
    );
    typed
}

#[test]
fn realistic_pod() {
    let json: serde_json::Value = serde_json::from_str(&realistic_pod_json()).unwrap();
    let pod: Pod = round_trip(&json);
    let spec = pod.spec.as_ref().unwrap();
    let container = &spec.containers.as_ref().unwrap()[0];
    assert!(container.liveness_probe.is_some());
    assert!(container.resources.as_ref().unwrap().limits.is_some());
    assert_eq!(spec.volumes.as_ref().unwrap().len(), 3);
    assert_eq!(pod.metadata().managed_fields.as_ref().unwrap().len(), 2);
    assert_eq!(pod.kind.to_string(), "Pod");
}

#[test]
fn deployment_from_a_real_server() {
    let json = recorded_response("60-create-deployment.http");
    let d: Deployment = round_trip(&json);
    assert_eq!(d.spec.as_ref().unwrap().replicas, Some(1));
}

#[test]
fn crd_from_a_real_server() {
    let json = recorded_response("81-create-crd.http");
    let crd: CustomResourceDefinition = round_trip(&json);
    assert_eq!(
        crd.spec.as_ref().unwrap().group.as_deref(),
        Some("example.com")
    );
}

#[test]
fn crd_with_a_deeply_nested_schema() {
    let json = yaml_fixture("crds/certificates.cert-manager.io.yaml");
    let crd: CustomResourceDefinition = round_trip(&json);
    let version = &crd.spec.unwrap().versions.unwrap()[0];
    let schema = version
        .schema
        .as_ref()
        .unwrap()
        .open_apiv3_schema
        .as_ref()
        .unwrap();
    assert!(schema.properties.as_ref().unwrap().contains_key("spec"));
}

#[test]
fn service_with_int_or_string_target_ports() {
    let json = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": "10.96.12.7",
            "clusterIPs": ["10.96.12.7"],
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "selector": {"app": "web"},
            "ports": [
                {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
                {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": "metrics"}
            ],
            "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster"
        },
        "status": {"loadBalancer": {}}
    });
    let svc: Service = round_trip(&json);
    let ports = svc.spec.unwrap().ports.unwrap();
    assert_eq!(ports[0].target_port, Some(IntOrString::Int(8080)));
    assert_eq!(
        ports[1].target_port,
        Some(IntOrString::String("metrics".into()))
    );
}

#[test]
fn node_with_quantities() {
    let json = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1", "labels": {"kubernetes.io/os": "linux"}},
        "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "providerID": "kind://docker/kind/node-1"},
        "status": {
            "capacity": {"cpu": "8", "ephemeral-storage": "263174212Ki", "hugepages-2Mi": "0", "memory": "32780392Ki", "pods": "110"},
            "allocatable": {"cpu": "7800m", "memory": "31Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-11-20T09:00:00Z", "lastTransitionTime": "2026-11-01T00:00:00Z", "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.3"}, {"type": "Hostname", "address": "node-1"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"architecture": "amd64", "bootID": "b", "containerRuntimeVersion": "containerd://2.1.0", "kernelVersion": "6.8.0", "kubeProxyVersion": "", "kubeletVersion": "v1.36.3", "machineID": "m", "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12", "systemUUID": "s"}
        }
    });
    let node: Node = round_trip(&json);
    let status = node.status.unwrap();
    assert_eq!(status.allocatable.unwrap()["cpu"].as_str(), "7800m");
    assert_eq!(node.spec.unwrap().pod_cidrs.unwrap(), vec!["10.244.1.0/24"]);
}

#[test]
fn quantities_sent_as_numbers_are_accepted() {
    let node: Node = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "n"},
        "status": {"capacity": {"cpu": 8, "memory": 1.5}}
    }))
    .unwrap();
    let cap = node.status.unwrap().capacity.unwrap();
    assert_eq!(cap["cpu"].as_str(), "8");
    assert_eq!(cap["memory"].as_str(), "1.5");
}

/// Schemas nested through lists (`allOf`) as deep as serde_json allows decode, and deeper
/// ones fail with its recursion-limit error, on a 2 MiB stack like a tokio worker's: the
/// per-list gathering storage on the stack must not overflow it first.
#[test]
fn schemas_nested_to_the_recursion_limit_fit_a_worker_stack() {
    fn nested(depth: usize) -> String {
        let mut json = String::from("{\"type\":\"string\"}");
        for _ in 0..depth {
            json = format!("{{\"allOf\":[{json}]}}");
        }
        json
    }
    let worker = std::thread::Builder::new().stack_size(2 << 20);
    let results = worker
        .spawn(|| {
            // Each level is an object and a list: two of serde_json's 128 levels.
            let ok = serde_json::from_str::<JSONSchemaProps>(&nested(63)).map(|_| ());
            let too_deep = serde_json::from_str::<JSONSchemaProps>(&nested(200)).map(|_| ());
            (ok, too_deep.map_err(|e| e.to_string()))
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(results.0.is_ok(), "{:?}", results.0);
    let err = results.1.unwrap_err();
    assert!(err.contains("recursion limit"), "{err}");
}
