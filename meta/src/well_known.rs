//! Strings nearly every object of a cluster repeats — recommended label and annotation keys,
//! field managers, and the values Kubernetes itself writes into objects (defaults, the
//! service-account volume, default tolerations, condition types) — kept once as statics
//! instead of once per decoded object.
//!
//! Only strings longer than [`CompactString`]'s 15 inline bytes are listed (shorter ones cost
//! no allocation anyway). Every pod of a cluster carries the service-account mount path, the
//! default scheduler and termination-message path, the two default tolerations; decoding
//! them as statics saves an allocation (and its free) per string per object.

use super::CompactString;

/// The static copy of `s` when it is a well-known string.
pub(crate) fn interned(s: &str) -> Option<CompactString> {
    let known: &'static str = match s {
        // Recommended labels (kubernetes.io/docs/concepts/overview/working-with-objects/common-labels).
        "app.kubernetes.io/name" => "app.kubernetes.io/name",
        "app.kubernetes.io/instance" => "app.kubernetes.io/instance",
        "app.kubernetes.io/version" => "app.kubernetes.io/version",
        "app.kubernetes.io/component" => "app.kubernetes.io/component",
        "app.kubernetes.io/part-of" => "app.kubernetes.io/part-of",
        "app.kubernetes.io/managed-by" => "app.kubernetes.io/managed-by",
        // Labels and annotations set by Kubernetes itself (also the usual topology keys of
        // affinities and spread constraints).
        "pod-template-hash" => "pod-template-hash",
        "controller-revision-hash" => "controller-revision-hash",
        "pod-template-generation" => "pod-template-generation",
        "statefulset.kubernetes.io/pod-name" => "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index" => "apps.kubernetes.io/pod-index",
        "batch.kubernetes.io/controller-uid" => "batch.kubernetes.io/controller-uid",
        "batch.kubernetes.io/job-name" => "batch.kubernetes.io/job-name",
        "kubernetes.io/hostname" => "kubernetes.io/hostname",
        "kubernetes.io/os" => "kubernetes.io/os",
        "kubernetes.io/arch" => "kubernetes.io/arch",
        "kubernetes.io/metadata.name" => "kubernetes.io/metadata.name",
        "topology.kubernetes.io/zone" => "topology.kubernetes.io/zone",
        "topology.kubernetes.io/region" => "topology.kubernetes.io/region",
        "node.kubernetes.io/instance-type" => "node.kubernetes.io/instance-type",
        "node-role.kubernetes.io/control-plane" => "node-role.kubernetes.io/control-plane",
        "kubectl.kubernetes.io/restartedAt" => "kubectl.kubernetes.io/restartedAt",
        "kubectl.kubernetes.io/last-applied-configuration" => {
            "kubectl.kubernetes.io/last-applied-configuration"
        }
        "deployment.kubernetes.io/revision" => "deployment.kubernetes.io/revision",
        "deployment.kubernetes.io/desired-replicas" => "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas" => "deployment.kubernetes.io/max-replicas",
        "kubernetes.io/config.seen" => "kubernetes.io/config.seen",
        "kubernetes.io/config.source" => "kubernetes.io/config.source",
        "prometheus.io/scrape" => "prometheus.io/scrape",
        "prometheus.io/port" => "prometheus.io/port",
        // The kind of every object of a metadata-only cache (`meta.k8s.io/v1` fits inline).
        "PartialObjectMetadata" => "PartialObjectMetadata",
        // Field managers of the control plane and kubectl.
        "kube-controller-manager" => "kube-controller-manager",
        "kubectl-client-side-apply" => "kubectl-client-side-apply",
        "kubectl-annotate" => "kubectl-annotate",
        // Pod defaults the API server fills in (schedulerName, terminationMessagePath,
        // preemptionPolicy) and the usual values of enums longer than 15 bytes.
        "default-scheduler" => "default-scheduler",
        "/dev/termination-log" => "/dev/termination-log",
        "PreemptLowerPriority" => "PreemptLowerPriority",
        "FallbackToLogsOnError" => "FallbackToLogsOnError",
        "ClusterFirstWithHostNet" => "ClusterFirstWithHostNet",
        // The service-account token volume the ServiceAccount admission plugin adds to pods.
        "/var/run/secrets/kubernetes.io/serviceaccount" => {
            "/var/run/secrets/kubernetes.io/serviceaccount"
        }
        "kube-root-ca.crt" => "kube-root-ca.crt",
        "metadata.namespace" => "metadata.namespace",
        // Taints and the tolerations the DefaultTolerationSeconds plugin adds to pods.
        "node.kubernetes.io/not-ready" => "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable" => "node.kubernetes.io/unreachable",
        "node.kubernetes.io/disk-pressure" => "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure" => "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/pid-pressure" => "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/unschedulable" => "node.kubernetes.io/unschedulable",
        "node.kubernetes.io/network-unavailable" => "node.kubernetes.io/network-unavailable",
        "node-role.kubernetes.io/master" => "node-role.kubernetes.io/master",
        // Condition types and reasons written by the kubelet and controllers.
        "PodReadyToStartContainers" => "PodReadyToStartContainers",
        "NewReplicaSetAvailable" => "NewReplicaSetAvailable",
        "MinimumReplicasAvailable" => "MinimumReplicasAvailable",
        "ReplicaSetUpdated" => "ReplicaSetUpdated",
        "NewReplicaSetCreated" => "NewReplicaSetCreated",
        "FoundNewReplicaSet" => "FoundNewReplicaSet",
        "KubeletHasSufficientMemory" => "KubeletHasSufficientMemory",
        "KubeletHasNoDiskPressure" => "KubeletHasNoDiskPressure",
        "KubeletHasSufficientPID" => "KubeletHasSufficientPID",
        "kubelet is posting ready status" => "kubelet is posting ready status",
        // Secret types.
        "kubernetes.io/service-account-token" => "kubernetes.io/service-account-token",
        "kubernetes.io/dockerconfigjson" => "kubernetes.io/dockerconfigjson",
        _ => return None,
    };
    Some(CompactString::const_new(known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_strings_take_no_allocation() {
        let keys: Vec<CompactString> = serde_json::from_str(
            r#"["app.kubernetes.io/name", "pod-template-hash", "my.example.com/key-of-mine",
                "/var/run/secrets/kubernetes.io/serviceaccount"]"#,
        )
        .unwrap();
        assert_eq!(keys[0], "app.kubernetes.io/name");
        assert!(!keys[0].is_heap_allocated());
        assert!(!keys[1].is_heap_allocated());
        assert_eq!(keys[2], "my.example.com/key-of-mine");
        assert!(keys[2].is_heap_allocated());
        assert!(!keys[3].is_heap_allocated());
        // Escaped text decodes to the same static.
        let key: CompactString = serde_json::from_str(r#""\/dev\/termination-log""#).unwrap();
        assert_eq!(key, "/dev/termination-log");
        assert!(!key.is_heap_allocated());
    }
}
