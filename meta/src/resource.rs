//! The traits every generated kind implements, so clients and informers can be generic.

use super::ObjectMeta;

/// Whether a resource lives in a namespace or at cluster scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Objects live in a namespace (`pods`).
    Namespaced,
    /// Objects live at cluster scope (`nodes`, `namespaces`).
    Cluster,
}

/// A schema with a group-version-kind (`x-kubernetes-group-version-kind`): it carries
/// `apiVersion` and `kind` on the wire.
pub trait Kind {
    /// API group, empty for the core group.
    const GROUP: &'static str;
    /// The API version without the group (`v1`).
    const VERSION: &'static str;
    /// The kind's name (`Pod`).
    const KIND: &'static str;
    /// `group/version`, or just `version` for the core group.
    const API_VERSION: &'static str;
}

/// A kind served as a REST resource: it has a plural name in the URL and a scope.
pub trait Resource: Kind {
    /// The plural resource name used in URLs (`pods`, `deployments`).
    const PLURAL: &'static str;
    /// Whether objects live in a namespace.
    const SCOPE: Scope;
    /// The kind of this resource's list (`PodList`).
    const LIST_KIND: &'static str;
    /// Whether this type is the metadata-only view of the resource
    /// ([`PartialObjectMetadata`](super::PartialObjectMetadata)): requests for it should send
    /// [`PARTIAL_OBJECT_METADATA_ACCEPT`](super::PARTIAL_OBJECT_METADATA_ACCEPT) /
    /// [`PARTIAL_OBJECT_METADATA_LIST_ACCEPT`](super::PARTIAL_OBJECT_METADATA_LIST_ACCEPT).
    const METADATA_ONLY: bool = false;
    /// How the kind is read and written as protobuf: `None` for kinds the API server only
    /// serves as JSON (custom resources).
    #[cfg(feature = "protobuf")]
    fn protobuf() -> Option<super::proto::KindCodec<Self>>
    where
        Self: Sized,
    {
        None
    }
}

/// A persisted object with standard object metadata.
pub trait Object: Resource {
    /// The object's metadata.
    fn metadata(&self) -> &ObjectMeta;
    /// The object's metadata, to change.
    fn metadata_mut(&mut self) -> &mut ObjectMeta;
}
