//! `PartialObjectMetadata`: an object reduced to its metadata, for metadata-only informers.
//!
//! A client asks the server for this form with the Accept headers below; the server then sends
//! `apiVersion: meta.k8s.io/v1`, `kind: PartialObjectMetadata(List)` and only `metadata` for each
//! object — the big memory saver for controllers that never read spec or status. The type
//! parameter names the resource it stands for, so `PartialObjectMetadata<Pod>` has `Pod`'s URL
//! (group, version, plural, scope) through [`Resource`], and a distinct type (hence a distinct
//! shared informer) from `PartialObjectMetadata<Secret>`.

use std::fmt;
use std::marker::PhantomData;

use serde_core::ser::SerializeStruct;
use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

use super::serde_impl::{deserialize_object, object_serde};

use super::{CompactString, Kind, Object, ObjectMeta, Resource, Scope};

const API_VERSION: &str = "meta.k8s.io/v1";
const KIND: &str = "PartialObjectMetadata";

/// Accept header asking for one object, or a watch's objects, as `PartialObjectMetadata` (falls
/// back to full JSON).
pub const PARTIAL_OBJECT_METADATA_ACCEPT: &str =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
/// Accept header asking for a list as `PartialObjectMetadataList` (falls back to full JSON). Not
/// for watches: a real server answers a watch asking for it with an empty stream.
pub const PARTIAL_OBJECT_METADATA_LIST_ACCEPT: &str =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

/// [`PARTIAL_OBJECT_METADATA_ACCEPT`] with protobuf first, as client-go's metadata client asks.
#[cfg(feature = "protobuf")]
pub const PARTIAL_OBJECT_METADATA_PROTOBUF_ACCEPT: &str = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
/// [`PARTIAL_OBJECT_METADATA_LIST_ACCEPT`] with protobuf first, as client-go's metadata client
/// asks.
#[cfg(feature = "protobuf")]
pub const PARTIAL_OBJECT_METADATA_LIST_PROTOBUF_ACCEPT: &str = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

/// The metadata of one object of resource `K` (`metav1.PartialObjectMetadata`).
pub struct PartialObjectMetadata<K> {
    /// `meta.k8s.io/v1` on the wire.
    pub api_version: Option<CompactString>,
    /// `PartialObjectMetadata` on the wire.
    pub kind: Option<CompactString>,
    /// The object's metadata.
    pub metadata: ObjectMeta,
    resource: PhantomData<fn() -> K>,
}

impl<K> PartialObjectMetadata<K> {
    /// Wraps metadata as the partial form of a `K`.
    pub fn new(metadata: ObjectMeta) -> Self {
        Self {
            api_version: Some(CompactString::const_new(API_VERSION)),
            kind: Some(CompactString::const_new(KIND)),
            metadata,
            resource: PhantomData,
        }
    }
}

impl<K> Default for PartialObjectMetadata<K> {
    fn default() -> Self {
        Self::new(ObjectMeta::default())
    }
}

impl<K> Clone for PartialObjectMetadata<K> {
    fn clone(&self) -> Self {
        Self {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            metadata: self.metadata.clone(),
            resource: PhantomData,
        }
    }
}

impl<K> PartialEq for PartialObjectMetadata<K> {
    fn eq(&self, other: &Self) -> bool {
        self.api_version == other.api_version
            && self.kind == other.kind
            && self.metadata == other.metadata
    }
}

impl<K> fmt::Debug for PartialObjectMetadata<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartialObjectMetadata")
            .field("api_version", &self.api_version)
            .field("kind", &self.kind)
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// The resource identity is `K`'s: requests go to `K`'s URL (with the Accept headers above).
impl<K> Serialize for PartialObjectMetadata<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 1 + usize::from(self.api_version.is_some()) + usize::from(self.kind.is_some());
        let mut object = serializer.serialize_struct(KIND, len)?;
        if let Some(api_version) = &self.api_version {
            object.serialize_field("apiVersion", api_version)?;
        }
        if let Some(kind) = &self.kind {
            object.serialize_field("kind", kind)?;
        }
        object.serialize_field("metadata", &self.metadata)?;
        object.end()
    }
}

impl<'de, K> Deserialize<'de> for PartialObjectMetadata<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire: Wire = deserialize_object(deserializer)?;
        Ok(Self {
            api_version: wire.api_version,
            kind: wire.kind,
            metadata: wire.metadata,
            resource: PhantomData,
        })
    }
}

/// The fields as read: unlike [`PartialObjectMetadata::default`], an absent `apiVersion` or
/// `kind` stays `None`.
#[derive(Default)]
struct Wire {
    api_version: Option<CompactString>,
    kind: Option<CompactString>,
    metadata: ObjectMeta,
}

object_serde!(Wire named (KIND) {
    api_version: optional "apiVersion",
    kind: optional "kind",
    metadata: required "metadata",
});

impl<K: Kind> Kind for PartialObjectMetadata<K> {
    const GROUP: &'static str = K::GROUP;
    const VERSION: &'static str = K::VERSION;
    const KIND: &'static str = K::KIND;
    const API_VERSION: &'static str = K::API_VERSION;
}

impl<K: Resource> Resource for PartialObjectMetadata<K> {
    const PLURAL: &'static str = K::PLURAL;
    const SCOPE: Scope = K::SCOPE;
    const LIST_KIND: &'static str = K::LIST_KIND;
    const METADATA_ONLY: bool = true;

    /// The server writes the metadata-only view as protobuf for every resource, custom
    /// ones included (`as=PartialObjectMetadata` is its own schema).
    #[cfg(feature = "protobuf")]
    fn protobuf() -> Option<crate::proto::KindCodec<Self>> {
        Some(crate::proto::KindCodec::of())
    }
}

/// `metav1.PartialObjectMetadata` on the wire: `metadata` is field 1; the type strings come
/// from the envelope.
#[cfg(feature = "protobuf")]
impl<K> crate::proto::Message for PartialObjectMetadata<K> {
    const NAME: &'static str = "PartialObjectMetadata";

    fn merge_field(
        &mut self,
        field: u32,
        wire: crate::proto::WireType,
        r: &mut crate::proto::Reader<'_>,
    ) -> Result<(), crate::proto::DecodeError> {
        use crate::proto::Codec;
        match field {
            1 => self.metadata.merge(wire, r),
            _ => r.skip(wire),
        }
    }

    fn encode_fields(&self, w: &mut crate::proto::Writer) {
        use crate::proto::Codec;
        self.metadata.encode(1, w);
    }
}

impl<K: Resource> Object for PartialObjectMetadata<K> {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pod;
    impl Kind for Pod {
        const GROUP: &'static str = "";
        const VERSION: &'static str = "v1";
        const KIND: &'static str = "Pod";
        const API_VERSION: &'static str = "v1";
    }
    impl Resource for Pod {
        const PLURAL: &'static str = "pods";
        const SCOPE: Scope = Scope::Namespaced;
        const LIST_KIND: &'static str = "PodList";
    }

    #[test]
    fn type_strings_of_decoded_objects_take_no_allocation() {
        let json = r#"{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":{"name":"a"}}"#;
        let m: PartialObjectMetadata<Pod> = serde_json::from_str(json).unwrap();
        let kind = m.kind.as_ref().unwrap();
        assert_eq!(kind, "PartialObjectMetadata");
        assert!(!kind.is_heap_allocated());
        assert_eq!(m.api_version.as_deref(), Some("meta.k8s.io/v1"));
        let other: PartialObjectMetadata<Pod> =
            serde_json::from_str(r#"{"kind":"SomethingElseEntirely"}"#).unwrap();
        assert_eq!(other.kind.as_deref(), Some("SomethingElseEntirely"));
        // Absent fields stay absent (the type's `Default` fills them in, reading does not).
        assert_eq!(other.api_version, None);
        assert_eq!(
            serde_json::to_string(&other).unwrap(),
            r#"{"kind":"SomethingElseEntirely","metadata":{}}"#
        );
        assert_eq!(serde_json::to_string(&m).unwrap(), json);
    }

    #[test]
    fn decodes_the_wire_form_and_keeps_the_target_resource() {
        let json = r#"{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":{"name":"p","namespace":"d","resourceVersion":"5"}}"#;
        let p: PartialObjectMetadata<Pod> = serde_json::from_str(json).unwrap();
        assert_eq!(p.metadata().name.as_deref(), Some("p"));
        assert_eq!(serde_json::to_string(&p).unwrap(), json);
        assert_eq!(<PartialObjectMetadata<Pod> as Resource>::PLURAL, "pods");
        fn metadata_only<R: Resource>() -> bool {
            R::METADATA_ONLY
        }
        assert_eq!(
            (
                metadata_only::<PartialObjectMetadata<Pod>>(),
                metadata_only::<Pod>()
            ),
            (true, false)
        );
        assert_eq!(p, PartialObjectMetadata::new(p.metadata.clone()));
    }
}
