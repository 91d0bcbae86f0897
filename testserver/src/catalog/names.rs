//! Short names, singular names and categories of the built-in resources.
//!
//! The OpenAPI spec does not carry these; they come from a real v1.36 server's discovery
//! documents. Anything not listed gets singular = lowercase kind, no short names.

/// (group, plural, singular, short names, categories)
type Entry = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const BUILTIN: &[Entry] = &[
    ("", "componentstatuses", "componentstatus", &["cs"], &[]),
    ("", "configmaps", "configmap", &["cm"], &[]),
    ("", "endpoints", "endpoints", &["ep"], &[]),
    ("", "events", "event", &["ev"], &[]),
    ("", "limitranges", "limitrange", &["limits"], &[]),
    ("", "namespaces", "namespace", &["ns"], &[]),
    ("", "nodes", "node", &["no"], &[]),
    (
        "",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        &["pvc"],
        &[],
    ),
    ("", "persistentvolumes", "persistentvolume", &["pv"], &[]),
    ("", "pods", "pod", &["po"], &["all"]),
    (
        "",
        "replicationcontrollers",
        "replicationcontroller",
        &["rc"],
        &["all"],
    ),
    ("", "resourcequotas", "resourcequota", &["quota"], &[]),
    ("", "serviceaccounts", "serviceaccount", &["sa"], &[]),
    ("", "services", "service", &["svc"], &["all"]),
    (
        "apiregistration.k8s.io",
        "apiservices",
        "apiservice",
        &[],
        &["api-extensions"],
    ),
    ("apps", "daemonsets", "daemonset", &["ds"], &["all"]),
    ("apps", "deployments", "deployment", &["deploy"], &["all"]),
    ("apps", "replicasets", "replicaset", &["rs"], &["all"]),
    ("apps", "statefulsets", "statefulset", &["sts"], &["all"]),
    ("events.k8s.io", "events", "event", &["ev"], &[]),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        &["all"],
    ),
    ("batch", "cronjobs", "cronjob", &["cj"], &["all"]),
    ("batch", "jobs", "job", &[], &["all"]),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
        &[],
    ),
    ("networking.k8s.io", "ingresses", "ingress", &["ing"], &[]),
    (
        "networking.k8s.io",
        "ipaddresses",
        "ipaddress",
        &["ip"],
        &[],
    ),
    (
        "networking.k8s.io",
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        &[],
    ),
    (
        "policy",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        &["pdb"],
        &[],
    ),
    (
        "storage.k8s.io",
        "storageclasses",
        "storageclass",
        &["sc"],
        &[],
    ),
    (
        "storage.k8s.io",
        "volumeattributesclasses",
        "volumeattributesclass",
        &["vac"],
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicies",
        "mutatingadmissionpolicy",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicybindings",
        "mutatingadmissionpolicybinding",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
        &["api-extensions"],
    ),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        &["api-extensions"],
    ),
    (
        "scheduling.k8s.io",
        "priorityclasses",
        "priorityclass",
        &["pc"],
        &[],
    ),
];

/// Discovery names of a built-in resource: (singular, short names, categories).
pub(crate) fn builtin_names(
    group: &str,
    plural: &str,
    kind: &str,
) -> (String, Vec<String>, Vec<String>) {
    match BUILTIN.iter().find(|e| e.0 == group && e.1 == plural) {
        Some((_, _, singular, short, cats)) => (
            (*singular).to_string(),
            short.iter().map(|s| s.to_string()).collect(),
            cats.iter().map(|s| s.to_string()).collect(),
        ),
        None => (kind.to_lowercase(), Vec::new(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_derived() {
        let (s, short, cats) = builtin_names("apps", "deployments", "Deployment");
        assert_eq!(s, "deployment");
        assert_eq!(short, vec!["deploy"]);
        assert_eq!(cats, vec!["all"]);
        let (s, short, _) = builtin_names("example.com", "widgets", "Widget");
        assert_eq!(s, "widget");
        assert!(short.is_empty());
    }
}
