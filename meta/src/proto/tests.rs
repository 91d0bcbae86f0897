use proptest::prelude::*;

use super::envelope::{self, MAGIC};
use super::wire::{Reader, WireType, Writer};
use super::*;
use crate::{
    CompactString, FieldsV1, IntOrString, List, ListMeta, ManagedFieldsEntry, Map, MicroTime,
    ObjectMeta, OwnerReference, Quantity, Time,
};

fn meta() -> ObjectMeta {
    ObjectMeta {
        name: Some("web-1".into()),
        namespace: Some("default".into()),
        uid: Some("1a1556d0-0bd3-4f46-ba5a-293c405cf24b".into()),
        resource_version: Some("248".into()),
        generation: Some(1),
        creation_timestamp: Time::from_unix_seconds(1_796_000_000),
        labels: Some(Map::from([("app", CompactString::from("web"))])),
        annotations: Some(Map::from([("note", CompactString::from("x"))])),
        owner_references: Some(vec![OwnerReference {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: "web-abc".into(),
            uid: "u1".into(),
            controller: Some(true),
            block_owner_deletion: Some(false),
        }]),
        finalizers: Some(vec!["a/b".into()]),
        managed_fields: Some(vec![ManagedFieldsEntry {
            manager: Some("kubectl".into()),
            operation: Some("Apply".into()),
            api_version: Some("v1".into()),
            time: Time::from_unix_seconds(1_796_000_000),
            fields_type: Some("FieldsV1".into()),
            fields_v1: Some(
                FieldsV1::from_json(r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#).unwrap(),
            ),
            subresource: None,
        }]),
        ..ObjectMeta::default()
    }
}

#[test]
fn object_meta_round_trips() {
    let meta = meta();
    let bytes = encode(&meta);
    assert_eq!(decode::<ObjectMeta>(&bytes).unwrap(), meta);
}

/// What Go writes for fields it holds by value: always present, zero included.
#[test]
fn zero_values_of_by_value_fields_read_as_unset_and_pointers_keep_theirs() {
    let mut w = Writer::new();
    w.bytes(1, b"web-1");
    w.bytes(2, b""); // generateName
    w.bytes(4, b""); // selfLink
    0i64.encode(7, &mut w); // generation
    w.message(8, |_| {}); // creationTimestamp: Go's zero time
    0i64.encode(10, &mut w); // deletionGracePeriodSeconds: a pointer
    let meta: ObjectMeta = decode(&w.into_vec()).unwrap();
    assert_eq!(
        meta,
        ObjectMeta {
            name: Some("web-1".into()),
            deletion_grace_period_seconds: Some(0),
            ..ObjectMeta::default()
        }
    );
}

#[test]
fn unknown_fields_are_skipped_and_the_last_occurrence_wins() {
    let mut w = Writer::new();
    w.bytes(1, b"first");
    w.bytes(99, b"from a newer server");
    w.key(98, WireType::Varint);
    w.varint(7);
    w.key(97, WireType::Fixed64);
    w.fixed64(7);
    w.bytes(1, b"second");
    let meta: ObjectMeta = decode(&w.into_vec()).unwrap();
    assert_eq!(meta.name.as_deref(), Some("second"));
}

#[test]
fn value_types_round_trip() {
    fn round_trip<T: Codec + Default + PartialEq + std::fmt::Debug>(value: T) {
        let mut w = Writer::new();
        value.encode(1, &mut w);
        let bytes = w.into_vec();
        let mut r = Reader::new(&bytes);
        let mut decoded = T::default();
        while !r.is_empty() {
            let (field, wire) = r.key().unwrap();
            assert_eq!(field, 1);
            decoded.merge(wire, &mut r).unwrap();
        }
        assert_eq!(decoded, value);
    }
    round_trip(Quantity::from("100m"));
    round_trip(IntOrString::Int(8080));
    round_trip(IntOrString::Int(-1));
    round_trip(IntOrString::String("http".into()));
    round_trip(Time::from_unix_seconds(-5).unwrap());
    round_trip(MicroTime::from_unix_micros(1_796_000_000_123_456).unwrap());
    round_trip(MicroTime::from_unix_micros(-1).unwrap());
    round_trip(-3i32);
    round_trip(i64::MIN);
    round_trip(2.5f64);
    round_trip(vec![1i32, -2, 3]);
    round_trip(Map::from([
        ("cpu", Quantity::from("1")),
        ("memory", Quantity::from("1Gi")),
    ]));
    round_trip(crate::RawExtension::from_json(r#"{"a":[1,2]}"#).unwrap());
}

#[test]
fn packed_repeated_scalars_are_read_too() {
    let mut packed = Writer::new();
    for v in [1u64, 300, 5] {
        packed.varint(v);
    }
    let mut w = Writer::new();
    w.bytes(1, &packed.into_vec());
    4i32.encode(1, &mut w);
    let bytes = w.into_vec();
    let mut r = Reader::new(&bytes);
    let mut list: Vec<i32> = Vec::new();
    while !r.is_empty() {
        let (_, wire) = r.key().unwrap();
        list.merge(wire, &mut r).unwrap();
    }
    assert_eq!(list, [1, 300, 5, 4]);
}

#[test]
fn time_keeps_whole_seconds_and_micro_time_microseconds() {
    let mut w = Writer::new();
    w.message(1, |w| {
        1_796_000_000i64.encode(1, w);
        123_456_789i32.encode(2, w);
    });
    let bytes = w.into_vec();
    fn read(bytes: &[u8]) -> (Reader<'_>, WireType) {
        let mut r = Reader::new(bytes);
        let (_, wire) = r.key().unwrap();
        (r, wire)
    }
    let (mut r, wire) = read(&bytes);
    let mut time = Time::default();
    time.merge(wire, &mut r).unwrap();
    assert_eq!(time.as_unix_seconds(), 1_796_000_000);
    let (mut r, wire) = read(&bytes);
    let mut micro = MicroTime::default();
    micro.merge(wire, &mut r).unwrap();
    assert_eq!(micro.as_unix_micros(), 1_796_000_000_123_456);
}

#[test]
fn bad_values_are_errors_naming_the_field() {
    let mut w = Writer::new();
    w.message(11, |w| {
        w.bytes(1, b"key");
        w.key(2, WireType::Varint); // a label value must be a string
        w.varint(1);
    });
    let err = decode::<ObjectMeta>(&w.into_vec()).unwrap_err();
    assert!(
        err.to_string().contains("(in ObjectMeta field 11)"),
        "{err}"
    );
    let mut w = Writer::new();
    w.message(1, |w| {
        7i64.encode(1, w);
    });
    let bytes = w.into_vec();
    let mut r = Reader::new(&bytes);
    let (_, wire) = r.key().unwrap();
    let err = IntOrString::default().merge(wire, &mut r).unwrap_err();
    assert!(err.to_string().contains("IntOrString type 7"), "{err}");
}

#[test]
fn lists_decode_item_by_item_through_a_kind_codec() {
    let list = List {
        api_version: None,
        kind: None,
        metadata: ListMeta {
            resource_version: Some("42".into()),
            continue_: Some("next".into()),
            ..ListMeta::default()
        },
        items: vec![meta(), ObjectMeta::default()],
    };
    let bytes = encode(&list);
    let codec = KindCodec::<ObjectMeta>::of();
    let decoded = decode_list(&bytes, codec.decode).unwrap();
    assert_eq!(decoded, list);
    let mut w = Writer::new();
    encode_list(&list, codec.encode, &mut w);
    assert_eq!(w.into_vec(), bytes);
}

#[test]
fn envelopes_and_watch_frames_round_trip() {
    let meta = meta();
    let wrapped = envelope::wrap("v1", "Pod", |w| meta.encode_fields(w));
    assert!(wrapped.starts_with(&MAGIC));
    let unknown = envelope::unwrap(&wrapped).unwrap();
    assert_eq!(
        (unknown.api_version.as_str(), unknown.kind.as_str()),
        ("v1", "Pod")
    );
    assert_eq!(decode::<ObjectMeta>(unknown.raw).unwrap(), meta);
    let mut frames = Vec::new();
    envelope::write_watch_event("ADDED", &wrapped, &mut frames);
    let length = u32::from_be_bytes([frames[0], frames[1], frames[2], frames[3]]) as usize;
    assert_eq!(length + 4, frames.len());
    let event = envelope::watch_event(&frames[4..]).unwrap();
    assert_eq!(event.type_, "ADDED");
    assert_eq!(event.object, &wrapped[..]);
    let err = envelope::unwrap(b"{\"kind\":\"Pod\"}").unwrap_err();
    assert!(err.to_string().contains("magic"), "{err}");
}

#[cfg(feature = "pooling")]
#[test]
fn shared_sub_objects_are_pooled_by_their_bytes() {
    #[derive(Clone, Debug, Default, PartialEq)]
    struct Probe {
        path: Option<CompactString>,
    }
    impl Message for Probe {
        const NAME: &'static str = "Probe";
        fn merge_field(
            &mut self,
            field: u32,
            wire: WireType,
            r: &mut Reader<'_>,
        ) -> Result<(), DecodeError> {
            match field {
                1 => self.path.merge(wire, r),
                _ => r.skip(wire),
            }
        }
        fn encode_fields(&self, w: &mut Writer) {
            self.path.encode(1, w);
        }
    }
    let probe = crate::Shared::new(Probe {
        path: Some("/healthz-proto-pooling-test".into()),
    });
    let mut w = Writer::new();
    probe.encode(1, &mut w);
    probe.encode(1, &mut w);
    let bytes = w.into_vec();
    let decoded: Vec<crate::Shared<Probe>> = crate::sharing::decode_shared(|| {
        let mut r = Reader::new(&bytes);
        let mut list = Vec::new();
        while !r.is_empty() {
            let (_, wire) = r.key().unwrap();
            list.merge(wire, &mut r).unwrap();
        }
        list
    });
    assert_eq!(decoded[0], probe);
    assert!(crate::Shared::ptr_eq(&decoded[0], &decoded[1]));
}

proptest! {
    /// Any bytes: an error or a value, never a panic (the reader checks every length).
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode::<ObjectMeta>(&bytes);
        let _ = decode::<List<ObjectMeta>>(&bytes);
        let _ = envelope::unwrap(&bytes);
        let _ = envelope::watch_event(&bytes);
    }

    /// Every prefix of a valid message: an error or a value, never a panic.
    #[test]
    fn truncated_messages_never_panic(cut in 0usize..400) {
        let bytes = encode(&meta());
        let cut = cut.min(bytes.len());
        let _ = decode::<ObjectMeta>(&bytes[..cut]);
    }
}
