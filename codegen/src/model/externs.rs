//! Schemas that map to hand-written types in `kubegen_runtime::meta` instead of being generated.

pub(crate) const OBJECT_META: &str = "ObjectMeta";
pub(crate) const LIST_META: &str = "ListMeta";

/// Schema-name prefix of the apimachinery meta/v1 types.
const META_V1: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.";

/// The apimachinery types the runtime implements, by their name in `kubegen_runtime::meta`.
const META_V1_TYPES: &[&str] = &[
    "APIGroup",
    "APIGroupList",
    "APIResource",
    "APIResourceList",
    "APIVersions",
    "Condition",
    "DeleteOptions",
    "FieldSelectorRequirement",
    "FieldsV1",
    "GroupResource",
    "GroupVersionForDiscovery",
    "LabelSelector",
    "LabelSelectorRequirement",
    "ListMeta",
    "ManagedFieldsEntry",
    "MicroTime",
    "ObjectMeta",
    "OwnerReference",
    "Patch",
    "Preconditions",
    "ServerAddressByClientCIDR",
    "ShardInfo",
    "Status",
    "StatusCause",
    "StatusDetails",
    "Time",
    "WatchEvent",
];

/// Whether a schema belongs to apimachinery (hand-written, never generated).
pub(crate) fn is_apimachinery(schema_name: &str) -> bool {
    schema_name.starts_with("io.k8s.apimachinery.")
}

/// The runtime type for an apimachinery schema, or `None` if the runtime has none.
pub(crate) fn runtime_type(schema_name: &str) -> Option<&'static str> {
    if let Some(name) = schema_name.strip_prefix(META_V1) {
        return META_V1_TYPES.iter().copied().find(|t| *t == name);
    }
    match schema_name {
        "io.k8s.apimachinery.pkg.api.resource.Quantity" => Some("Quantity"),
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString" => Some("IntOrString"),
        "io.k8s.apimachinery.pkg.runtime.RawExtension" => Some("RawExtension"),
        "io.k8s.apimachinery.pkg.version.Info" => Some("Info"),
        _ => None,
    }
}
