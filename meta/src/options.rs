//! The remaining apimachinery types: selectors, conditions, delete options, watch events.

#[cfg(feature = "json")]
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::serde_impl::object_serde;
use super::{CompactString, Map, RawExtension, Time};

/// A label query over a set of objects (`metav1.LabelSelector`); empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// Set-based requirements, all of which must match.
    pub match_expressions: Option<Vec<LabelSelectorRequirement>>,
    /// `key=value` requirements, all of which must match.
    pub match_labels: Option<Map<CompactString>>,
}

/// One set-based label requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// The values for `In` and `NotIn` (none for `Exists` and `DoesNotExist`).
    pub values: Option<Vec<String>>,
}

/// One field-selector requirement (`metav1.FieldSelectorRequirement`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelectorRequirement {
    /// The field path.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// The values for `In` and `NotIn` (none for `Exists` and `DoesNotExist`).
    pub values: Option<Vec<String>>,
}

/// A group and resource name (`metav1.GroupResource`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GroupResource {
    /// The API group (empty for the core group).
    pub group: String,
    /// The plural resource name (`deployments`).
    pub resource: String,
}

/// A standard condition (`metav1.Condition`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Condition {
    /// When `status` last changed.
    pub last_transition_time: Option<Time>,
    /// Human-readable details of the last transition.
    pub message: String,
    /// The `.metadata.generation` the condition was set for.
    pub observed_generation: Option<i64>,
    /// Machine-readable reason of the last transition, in CamelCase.
    pub reason: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// The condition's type, in CamelCase (`Ready`).
    pub type_: String,
}

/// Options of a delete (`metav1.DeleteOptions`), sent as the body of a DELETE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `v1` when sent as a body.
    pub api_version: Option<String>,
    /// `DeleteOptions` when sent as a body.
    pub kind: Option<String>,
    /// `["All"]`: validate and answer without persisting.
    pub dry_run: Option<Vec<String>>,
    /// Seconds before the object is deleted; `0` deletes at once.
    pub grace_period_seconds: Option<i64>,
    /// Deletes an object the server cannot read from storage (needs the `unsafe-delete-ignore-read-errors` permission).
    pub ignore_store_read_error_with_cluster_breaking_potential: Option<bool>,
    /// Deprecated: use `propagation_policy`.
    pub orphan_dependents: Option<bool>,
    /// The delete goes ahead only if these hold.
    pub preconditions: Option<Preconditions>,
    /// `Orphan`, `Background` or `Foreground`.
    pub propagation_policy: Option<String>,
}

/// Conditions a delete must meet (`metav1.Preconditions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preconditions {
    /// The object's resource version must be this one.
    pub resource_version: Option<String>,
    /// The object's UID must be this one.
    pub uid: Option<String>,
}

/// The body of a patch request (`metav1.Patch`): any JSON.
#[cfg(feature = "json")]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patch(pub serde_json::Value);

/// One event of a watch stream as the spec describes it (`metav1.WatchEvent`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WatchEvent {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
    pub type_: String,
    /// The object the event is about (a `Status` for `ERROR`).
    pub object: RawExtension,
}

object_serde!(LabelSelector {
    match_expressions: list "matchExpressions",
    match_labels: optional "matchLabels",
});

object_serde!(LabelSelectorRequirement {
    key: required "key",
    operator: required "operator",
    values: optional "values",
});

object_serde!(FieldSelectorRequirement {
    key: required "key",
    operator: required "operator",
    values: optional "values",
});

object_serde!(GroupResource {
    group: required "group",
    resource: required "resource",
});

object_serde!(Condition {
    last_transition_time: optional "lastTransitionTime",
    message: required "message",
    observed_generation: optional "observedGeneration",
    reason: required "reason",
    status: required "status",
    type_: required "type",
});

object_serde!(DeleteOptions {
    api_version: optional "apiVersion",
    kind: optional "kind",
    dry_run: optional "dryRun",
    grace_period_seconds: optional "gracePeriodSeconds",
    ignore_store_read_error_with_cluster_breaking_potential:
        optional "ignoreStoreReadErrorWithClusterBreakingPotential",
    orphan_dependents: optional "orphanDependents",
    preconditions: optional "preconditions",
    propagation_policy: optional "propagationPolicy",
});

object_serde!(Preconditions {
    resource_version: optional "resourceVersion",
    uid: optional "uid",
});

object_serde!(WatchEvent {
    type_: required "type",
    object: required "object",
});

#[cfg(feature = "json")]
impl Serialize for Patch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[cfg(feature = "json")]
impl<'de> Deserialize<'de> for Patch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(Self)
    }
}
