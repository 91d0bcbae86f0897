//! Strings nearly every object of a cluster repeats — recommended label and annotation keys,
//! field managers — kept once as statics instead of once per cached object.
//!
//! Only strings longer than [`CompactString`]'s 15 inline bytes are listed (shorter ones cost
//! no allocation anyway). A cache of 50,000 pods carrying the `app.kubernetes.io/*` labels
//! and a `kube-controller-manager` entry saves an allocation per key per object.

use std::fmt;

use serde_core::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

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
        // Labels and annotations set by Kubernetes itself.
        "pod-template-hash" => "pod-template-hash",
        "controller-revision-hash" => "controller-revision-hash",
        "pod-template-generation" => "pod-template-generation",
        "statefulset.kubernetes.io/pod-name" => "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index" => "apps.kubernetes.io/pod-index",
        "batch.kubernetes.io/controller-uid" => "batch.kubernetes.io/controller-uid",
        "batch.kubernetes.io/job-name" => "batch.kubernetes.io/job-name",
        "kubernetes.io/hostname" => "kubernetes.io/hostname",
        "kubernetes.io/metadata.name" => "kubernetes.io/metadata.name",
        "topology.kubernetes.io/zone" => "topology.kubernetes.io/zone",
        "topology.kubernetes.io/region" => "topology.kubernetes.io/region",
        "node.kubernetes.io/instance-type" => "node.kubernetes.io/instance-type",
        "kubectl.kubernetes.io/restartedAt" => "kubectl.kubernetes.io/restartedAt",
        "kubectl.kubernetes.io/last-applied-configuration" => {
            "kubectl.kubernetes.io/last-applied-configuration"
        }
        "deployment.kubernetes.io/revision" => "deployment.kubernetes.io/revision",
        "kubernetes.io/config.seen" => "kubernetes.io/config.seen",
        "kubernetes.io/config.source" => "kubernetes.io/config.source",
        "prometheus.io/scrape" => "prometheus.io/scrape",
        "prometheus.io/port" => "prometheus.io/port",
        // The kind of every object of a metadata-only cache (`meta.k8s.io/v1` fits inline).
        "PartialObjectMetadata" => "PartialObjectMetadata",
        // Field managers of the control plane and kubectl.
        "kube-controller-manager" => "kube-controller-manager",
        "kubectl-client-side-apply" => "kubectl-client-side-apply",
        _ => return None,
    };
    Some(CompactString::const_new(known))
}

/// A [`CompactString`] that deserializes well-known strings to their static copy.
pub(crate) struct Interned(pub(crate) CompactString);

impl<'de> Deserialize<'de> for Interned {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Interned;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Interned, E> {
                Ok(Interned(
                    interned(v).unwrap_or_else(|| CompactString::decoded(v)),
                ))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// `deserialize_with` for optional fields whose values are often well known.
/// Reads an optional string field from `map`, well-known values as shared statics.
pub(crate) fn read_option<'de, A: MapAccess<'de>>(
    map: &mut A,
) -> Result<Option<CompactString>, A::Error> {
    Ok(map.next_value::<Option<Interned>>()?.map(|i| i.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_strings_take_no_allocation() {
        let keys: Vec<Interned> = serde_json::from_str(
            r#"["app.kubernetes.io/name", "pod-template-hash", "my.example.com/key-of-mine"]"#,
        )
        .unwrap();
        assert_eq!(keys[0].0, "app.kubernetes.io/name");
        assert!(!keys[0].0.is_heap_allocated());
        assert!(!keys[1].0.is_heap_allocated());
        assert_eq!(keys[2].0, "my.example.com/key-of-mine");
        assert!(keys[2].0.is_heap_allocated());
    }
}
