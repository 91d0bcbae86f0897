//! [`Message`] of the apimachinery structs (`ObjectMeta`, `ListMeta`, `Status`, selectors...)
//! and of `List<T>`, by the field numbers of apimachinery's `generated.proto`.
//!
//! Fields Go holds by value with `omitempty` are always on the wire; their zero value reads
//! as unset (`unless_zero`), as JSON leaves it out.

use super::wire::{Reader, WireType, Writer};
use super::{merge_unless_zero, Codec, DecodeError, Message};
use crate::{
    Condition, DeleteOptions, FieldSelectorRequirement, GroupResource, LabelSelector,
    LabelSelectorRequirement, List, ListMeta, ManagedFieldsEntry, ObjectMeta, OwnerReference,
    Preconditions, ShardInfo, Status, StatusCause, StatusDetails,
};

/// `Message` of a struct from its fields' numbers, in the order Go writes them.
macro_rules! message {
    ($ty:ident { $($number:literal => $field:ident $(($how:ident))?,)* }) => {
        impl Message for $ty {
            const NAME: &'static str = stringify!($ty);
            fn merge_field(
                &mut self,
                field: u32,
                wire: WireType,
                r: &mut Reader<'_>,
            ) -> Result<(), DecodeError> {
                match field {
                    $($number => message!(@merge $($how)? self.$field, wire, r),)*
                    _ => r.skip(wire),
                }
            }
            fn encode_fields(&self, w: &mut Writer) {
                $(self.$field.encode($number, w);)*
            }
        }
    };
    (@merge $slot:expr, $wire:ident, $r:ident) => { $slot.merge($wire, $r) };
    (@merge unless_zero $slot:expr, $wire:ident, $r:ident) => {
        merge_unless_zero(&mut $slot, $wire, $r)
    };
}

message!(ObjectMeta {
    1 => name (unless_zero),
    2 => generate_name (unless_zero),
    3 => namespace (unless_zero),
    4 => self_link (unless_zero),
    5 => uid (unless_zero),
    6 => resource_version (unless_zero),
    7 => generation (unless_zero),
    8 => creation_timestamp,
    9 => deletion_timestamp,
    10 => deletion_grace_period_seconds,
    11 => labels,
    12 => annotations,
    13 => owner_references,
    14 => finalizers,
    17 => managed_fields,
});

message!(OwnerReference {
    1 => kind,
    3 => name,
    4 => uid,
    5 => api_version,
    6 => controller,
    7 => block_owner_deletion,
});

message!(ManagedFieldsEntry {
    1 => manager (unless_zero),
    2 => operation (unless_zero),
    3 => api_version (unless_zero),
    4 => time,
    6 => fields_type (unless_zero),
    7 => fields_v1,
    8 => subresource (unless_zero),
});

message!(ListMeta {
    1 => self_link (unless_zero),
    2 => resource_version (unless_zero),
    3 => continue_ (unless_zero),
    4 => remaining_item_count,
    5 => shard_info,
});

message!(ShardInfo {
    1 => selector,
});

message!(LabelSelector {
    1 => match_labels,
    2 => match_expressions,
});

message!(LabelSelectorRequirement {
    1 => key,
    2 => operator,
    3 => values,
});

message!(FieldSelectorRequirement {
    1 => key,
    2 => operator,
    3 => values,
});

message!(GroupResource {
    1 => group,
    2 => resource,
});

message!(Condition {
    1 => type_,
    2 => status,
    3 => observed_generation (unless_zero),
    4 => last_transition_time,
    5 => reason,
    6 => message,
});

message!(Status {
    1 => metadata,
    2 => status (unless_zero),
    3 => message (unless_zero),
    4 => reason (unless_zero),
    5 => details,
    6 => code (unless_zero),
});

message!(StatusDetails {
    1 => name (unless_zero),
    2 => group (unless_zero),
    3 => kind (unless_zero),
    4 => causes,
    5 => retry_after_seconds (unless_zero),
    6 => uid (unless_zero),
});

message!(StatusCause {
    1 => reason (unless_zero),
    2 => message (unless_zero),
    3 => field (unless_zero),
});

message!(DeleteOptions {
    1 => grace_period_seconds,
    2 => preconditions,
    3 => orphan_dependents,
    4 => propagation_policy,
    5 => dry_run,
    6 => ignore_store_read_error_with_cluster_breaking_potential,
});

message!(Preconditions {
    1 => uid,
    2 => resource_version,
});

/// A `*List` kind: metadata (1) and items (2).
impl<T: Message + Default> Message for List<T> {
    const NAME: &'static str = "List";
    fn merge_field(
        &mut self,
        field: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError> {
        match field {
            1 => self.metadata.merge(wire, r),
            2 => self.items.merge(wire, r),
            _ => r.skip(wire),
        }
    }
    fn encode_fields(&self, w: &mut Writer) {
        self.metadata.encode(1, w);
        self.items.encode(2, w);
    }
}

/// Decodes a list body whose items `item` decodes: for code generic over kinds that may
/// have no protobuf form (see [`super::KindCodec`]).
pub fn decode_list<T>(
    bytes: &[u8],
    item: fn(&[u8]) -> Result<T, DecodeError>,
) -> Result<List<T>, DecodeError> {
    let mut list = List::default();
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        let (field, wire) = r.key()?;
        let read = match field {
            1 => list.metadata.merge(wire, &mut r),
            2 => r
                .message(wire)
                .and_then(|inner| item(inner.remaining()).map_err(|e| e.shifted(inner.offset())))
                .map(|value| list.items.push(value)),
            _ => r.skip(wire),
        };
        read.map_err(|e| e.within("List", field))?;
    }
    Ok(list)
}

/// Encodes a list body whose items `item` writes.
pub fn encode_list<T>(list: &List<T>, item: fn(&T, &mut Writer), w: &mut Writer) {
    list.metadata.encode(1, w);
    for value in &list.items {
        w.message(2, |w| item(value, w));
    }
}
