//! The JSON wire form of watch events, `{"type": ..., "object": ...}` per line: decoding
//! one event from its bytes, and the errors of one that does not decode.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde_core::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde_core::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::event::{Bookmark, WatchEvent};
use crate::meta::serde_impl::object_serde;
use crate::meta::Status;
use crate::rest::error::{ApiError, Error};
use crate::rest::undecodable::UndecodableObject;

/// The wire form `{"type": ..., "object": ...}`.
///
/// Decoded by hand rather than as a derived adjacently tagged enum: servers send `type` first,
/// so the object is read straight into `K`; only an object that comes first is held as raw
/// text until its type is known. A derived enum would also compile every type under `K` for
/// serde's buffered `Content` form, in every program that watches.
#[allow(clippy::large_enum_variant)]
enum WireEvent<K> {
    Added(K),
    Modified(K),
    Deleted(K),
    Bookmark(BookmarkObject),
    Error(Status),
}

/// The event's `type`.
#[derive(Clone, Copy)]
enum EventType {
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

const EVENT_TYPES: &[&str] = &["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"];

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EventType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a watch event type")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<EventType, E> {
                Ok(match v {
                    "ADDED" => EventType::Added,
                    "MODIFIED" => EventType::Modified,
                    "DELETED" => EventType::Deleted,
                    "BOOKMARK" => EventType::Bookmark,
                    "ERROR" => EventType::Error,
                    _ => return Err(E::unknown_variant(v, EVENT_TYPES)),
                })
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// A key of the event object.
enum EventKey {
    Type,
    Object,
    Other,
}

impl<'de> Deserialize<'de> for EventKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EventKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a watch event field")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<EventKey, E> {
                Ok(match v {
                    "type" => EventKey::Type,
                    "object" => EventKey::Object,
                    _ => EventKey::Other,
                })
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

impl<'de, K: DeserializeOwned> Deserialize<'de> for WireEvent<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor(PhantomData))
    }
}

struct EventVisitor<K>(PhantomData<K>);

impl<'de, K: DeserializeOwned> Visitor<'de> for EventVisitor<K> {
    type Value = WireEvent<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a watch event ({\"type\": ..., \"object\": ...})")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<WireEvent<K>, A::Error> {
        let mut kind = None;
        let mut event = None;
        let mut object_first: Option<Box<RawValue>> = None;
        while let Some(key) = map.next_key::<EventKey>()? {
            match key {
                EventKey::Type => kind = Some(map.next_value::<EventType>()?),
                EventKey::Object => match kind {
                    Some(kind) => event = Some(map.next_value_seed(ObjectSeed(kind, PhantomData))?),
                    None => object_first = Some(map.next_value()?),
                },
                EventKey::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
        if let Some(event) = event {
            return Ok(event);
        }
        let raw = object_first.ok_or_else(|| de::Error::missing_field("object"))?;
        let mut object = serde_json::Deserializer::from_slice(raw.get().as_bytes());
        ObjectSeed(kind, PhantomData)
            .deserialize(&mut object)
            .map_err(de::Error::custom)
    }
}

/// Decodes an event's object as its event type says.
struct ObjectSeed<K>(EventType, PhantomData<K>);

impl<'de, K: DeserializeOwned> DeserializeSeed<'de> for ObjectSeed<K> {
    type Value = WireEvent<K>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<WireEvent<K>, D::Error> {
        Ok(match self.0 {
            EventType::Added => WireEvent::Added(K::deserialize(d)?),
            EventType::Modified => WireEvent::Modified(K::deserialize(d)?),
            EventType::Deleted => WireEvent::Deleted(K::deserialize(d)?),
            EventType::Bookmark => WireEvent::Bookmark(BookmarkObject::deserialize(d)?),
            EventType::Error => WireEvent::Error(Status::deserialize(d)?),
        })
    }
}

/// A bookmark's object is a nearly empty object of the watched kind: read it leniently,
/// keeping only its resource version and annotations.
#[derive(Default)]
struct BookmarkObject {
    metadata: BookmarkMeta,
}

#[derive(Default)]
struct BookmarkMeta {
    resource_version: Option<String>,
    annotations: Option<BTreeMap<String, String>>,
}

object_serde!(BookmarkObject named ("bookmark object") {
    metadata: required "metadata",
});

object_serde!(BookmarkMeta named ("bookmark metadata") {
    resource_version: optional "resourceVersion",
    annotations: optional "annotations",
});

impl<K> From<WireEvent<K>> for WatchEvent<K> {
    fn from(event: WireEvent<K>) -> Self {
        match event {
            WireEvent::Added(k) => WatchEvent::Added(k),
            WireEvent::Modified(k) => WatchEvent::Modified(k),
            WireEvent::Deleted(k) => WatchEvent::Deleted(k),
            WireEvent::Bookmark(b) => WatchEvent::Bookmark(Bookmark {
                resource_version: b.metadata.resource_version.unwrap_or_default(),
                annotations: b.metadata.annotations.unwrap_or_default(),
            }),
            WireEvent::Error(status) => WatchEvent::Error(ApiError::from_status("GET", "", status)),
        }
    }
}

/// Decodes one watch line into an event.
pub fn decode_event<K: DeserializeOwned>(
    line: &[u8],
) -> std::result::Result<WatchEvent<K>, serde_json::Error> {
    serde_json::from_slice::<WireEvent<K>>(line).map(WatchEvent::from)
}

/// Decodes one line; `None` for a blank one.
pub(super) fn decode_line<K: DeserializeOwned>(
    line: &[u8],
) -> Option<std::result::Result<WatchEvent<K>, serde_json::Error>> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(decode_event(line))
}

/// Decodes the first event of `lines` (whole lines, read in place): the event, or `None`
/// when only blank space is left, and the bytes it took up.
pub(super) fn decode_first<K: DeserializeOwned>(
    lines: &[u8],
) -> (
    Option<std::result::Result<WatchEvent<K>, serde_json::Error>>,
    usize,
) {
    let mut events = serde_json::Deserializer::from_slice(lines).into_iter::<WireEvent<K>>();
    let event = events.next().map(|r| r.map(WatchEvent::from));
    (event, events.byte_offset())
}

/// The error of a line of the watch at `url` that did not decode: an [`UndecodableObject`]
/// naming the object when the line is a JSON event the watched type rejects, else a plain
/// decode error.
pub(super) fn decode_error(url: &str, source: serde_json::Error, line: &[u8]) -> Error {
    if !source.is_data() {
        return plain_decode_error(url, source);
    }
    match UndecodableObject::from_line(line, url, source) {
        Ok(event) => Error::UndecodableObject(Box::new(event)),
        Err(source) => plain_decode_error(url, source),
    }
}

fn plain_decode_error(url: &str, source: serde_json::Error) -> Error {
    Error::Decode {
        what: "watch event".into(),
        verb: "GET".into(),
        url: url.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Cm {
        metadata: crate::meta::ObjectMeta,
    }

    fn name_of(event: &WatchEvent<Cm>) -> Option<&str> {
        event.object().and_then(|o| o.metadata.name.as_deref())
    }

    #[test]
    fn every_event_type_decodes_whatever_the_field_order() {
        let object = r#"{"metadata":{"name":"a","resourceVersion":"5"}}"#;
        for (wire, type_name) in [
            ("ADDED", "ADDED"),
            ("MODIFIED", "MODIFIED"),
            ("DELETED", "DELETED"),
        ] {
            let type_first = format!(r#"{{"type":"{wire}","object":{object}}}"#);
            let object_first = format!(r#"{{"object":{object},"extra":[1,{{}}],"type":"{wire}"}}"#);
            for line in [type_first, object_first] {
                let event = decode_event::<Cm>(line.as_bytes()).unwrap();
                assert_eq!(event.type_name(), type_name, "{line}");
                assert_eq!(name_of(&event), Some("a"), "{line}");
            }
        }
        let bookmark = br#"{"object":{"metadata":{"resourceVersion":"9","annotations":{"k8s.io/initial-events-end":"true"}}},"type":"BOOKMARK"}"#;
        match decode_event::<Cm>(bookmark).unwrap() {
            WatchEvent::Bookmark(b) => {
                assert_eq!(b.resource_version, "9");
                assert!(b.is_initial_events_end());
            }
            other => panic!("{other:?}"),
        }
        let error = br#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old","reason":"Expired","code":410}}"#;
        match decode_event::<Cm>(error).unwrap() {
            WatchEvent::Error(e) => assert!(e.is_gone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_or_malformed_parts_are_errors() {
        for line in [
            r#"{"object":{"metadata":{}}}"#,
            r#"{"type":"ADDED"}"#,
            r#"{"type":7,"object":{}}"#,
            r#"{"type":"ADDED","object":{"metadata":5}}"#,
            r#"{"object":{"metadata":5},"type":"ADDED"}"#,
            r#"[1,2]"#,
        ] {
            let err = decode_event::<Cm>(line.as_bytes()).map(|_| ()).unwrap_err();
            assert!(!err.to_string().is_empty(), "{line}");
        }
        let err = decode_event::<Cm>(br#"{"type":"ADDED"}"#)
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("object"), "{err}");
    }
}
