//! The apimachinery types (`io.k8s.apimachinery.*`), written once by hand.
//!
//! The generator maps every reference to these schemas onto the types here instead of
//! regenerating them, so their wire format and memory layout are decided in one place.

mod bytes;
mod compact_string;
mod discovery;
mod fields_v1;
mod gather;
mod int_or_string;
// JSON text without serde_json (`RawExtension`, odd values in `FieldsV1`).
mod json_text;
pub mod labels;
mod list;
mod map;
mod object_meta;
pub mod one_of;
mod options;
mod partial_object_metadata;
#[cfg(feature = "protobuf")]
pub mod proto;
mod quantity;
mod raw_extension;
mod raw_text;
mod resource;
pub mod serde_helpers;
pub mod serde_impl;
mod shared;
pub mod sharing;
mod status;
mod time;
mod type_tag;
mod well_known;

pub use self::bytes::ByteString;
pub use compact_string::{CompactString, ToCompactString};
pub use discovery::{
    APIGroup, APIGroupList, APIResource, APIResourceList, APIVersions, GroupVersionForDiscovery,
    Info, ServerAddressByClientCIDR,
};
pub use fields_v1::FieldsV1;
pub use int_or_string::IntOrString;
pub use json_text::JsonTextError;
pub use list::{List, ListMeta, ShardInfo};
pub use map::Map;
pub use object_meta::{ManagedFieldsEntry, ObjectMeta, OwnerReference};
#[cfg(feature = "json")]
pub use options::Patch;
pub use options::{
    Condition, DeleteOptions, FieldSelectorRequirement, GroupResource, LabelSelector,
    LabelSelectorRequirement, Preconditions, WatchEvent,
};
pub use partial_object_metadata::{
    PartialObjectMetadata, PARTIAL_OBJECT_METADATA_ACCEPT, PARTIAL_OBJECT_METADATA_LIST_ACCEPT,
};
#[cfg(feature = "protobuf")]
pub use partial_object_metadata::{
    PARTIAL_OBJECT_METADATA_LIST_PROTOBUF_ACCEPT, PARTIAL_OBJECT_METADATA_PROTOBUF_ACCEPT,
};
pub use quantity::Quantity;
pub use raw_extension::RawExtension;
pub use resource::{Kind, Object, Resource, Scope};
pub use shared::Shared;
pub use status::{Status, StatusCause, StatusDetails};
pub use time::{MicroTime, ParseTimeError, Time, TimeErrorKind, TimeRangeError};
pub use type_tag::{ApiVersion, KindTag};
