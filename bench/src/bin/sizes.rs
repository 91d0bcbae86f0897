//! size_of of the types a realistic pod is made of (diagnostics for the memory benchmark).
use kubegen_api::core::v1::*;
use kubegen_runtime::meta::*;
macro_rules! show { ($($t:ty),*) => { $( println!("{:>6} {}", std::mem::size_of::<$t>(), stringify!($t)); )* } }
fn main() {
    show!(
        Pod,
        PodSpec,
        PodStatus,
        ObjectMeta,
        ManagedFieldsEntry,
        OwnerReference,
        Container,
        ContainerStatus,
        ContainerState,
        PodCondition,
        EnvVar,
        EnvVarSource,
        VolumeMount,
        Volume,
        VolumeSource,
        ContainerPort,
        Toleration,
        Probe,
        HTTPGetAction,
        ResourceRequirements,
        SecurityContext,
        PodSecurityContext,
        Affinity,
        VolumeProjection,
        ProjectedVolumeSource,
        ConfigMapVolumeSource,
        KeyToPath,
        Time,
        Quantity,
        IntOrString,
        CompactString,
        Map<CompactString>,
        PodIP,
        HostIP,
        VolumeMountStatus,
        ContainerUser
    );
}
