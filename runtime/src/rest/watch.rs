//! Watch streams: newline-delimited JSON events decoded as they arrive.
//!
//! Each body chunk is decoded in place, one event per poll: the run of whole lines it holds
//! needs no per-line newline scan or copy (the parser finds each event's end), and only a
//! line spanning chunks is assembled in a buffer, so memory is bounded by the largest
//! event (and capped by `Config::max_watch_event_bytes`). Each event is decoded
//! straight into the typed event: the `type` tag comes first on the wire, so the object is
//! deserialized once, directly into `K`. A line that does not decode is an error item and
//! the stream goes on with the next line; a line over the cap or a broken connection ends
//! it.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde_core::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde_core::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::error::{ApiError, Error, Result};
use super::request::ByteStream;
use super::undecodable::UndecodableObject;
use crate::meta::serde_impl::object_serde;
use crate::meta::{Object, Status};

/// One event of a watch.
// Objects are usually larger than the other variants; boxing would cost an allocation
// per event on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent<K> {
    Added(K),
    Modified(K),
    Deleted(K),
    /// The server's progress marker: only the resource version (and annotations) are set.
    Bookmark(Bookmark),
    /// An `ERROR` event; `410`/`Expired` (`is_gone()`) means the watch must restart from
    /// a fresh list.
    Error(ApiError),
}

impl<K> WatchEvent<K> {
    /// The object of an added, modified or deleted event.
    pub fn object(&self) -> Option<&K> {
        match self {
            WatchEvent::Added(k) | WatchEvent::Modified(k) | WatchEvent::Deleted(k) => Some(k),
            _ => None,
        }
    }

    /// The event's type as on the wire (`ADDED`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            WatchEvent::Added(_) => "ADDED",
            WatchEvent::Modified(_) => "MODIFIED",
            WatchEvent::Deleted(_) => "DELETED",
            WatchEvent::Bookmark(_) => "BOOKMARK",
            WatchEvent::Error(_) => "ERROR",
        }
    }
}

impl<K: Object> WatchEvent<K> {
    /// The resource version this event brings the watcher to.
    pub fn resource_version(&self) -> Option<&str> {
        match self {
            WatchEvent::Bookmark(b) => Some(&b.resource_version),
            WatchEvent::Error(_) => None,
            _ => self
                .object()
                .and_then(|k| k.metadata().resource_version.as_deref()),
        }
    }
}

/// The content of a `BOOKMARK` event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bookmark {
    pub resource_version: String,
    pub annotations: BTreeMap<String, String>,
}

impl Bookmark {
    /// Annotation marking the end of the initial events of a `sendInitialEvents` watch.
    pub const INITIAL_EVENTS_END: &'static str = "k8s.io/initial-events-end";

    /// True on the bookmark that ends a watch-list's initial state.
    pub fn is_initial_events_end(&self) -> bool {
        self.annotations
            .get(Self::INITIAL_EVENTS_END)
            .is_some_and(|v| v == "true")
    }
}

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

/// The typed events of one watch response, in order.
///
/// Only decoding depends on `K`; the framing of the body into events (`EventFramer`) is
/// compiled once, not once per watched kind in every program.
pub struct WatchStream<K> {
    framer: EventFramer,
    /// The events of a protobuf stream (then `framer` has no body).
    #[cfg(feature = "protobuf")]
    protobuf: Option<super::watch_frames::ProtoEvents<K>>,
    _kind: PhantomData<fn() -> K>,
}

impl<K> std::fmt::Debug for WatchStream<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        #[cfg(feature = "protobuf")]
        if let Some(events) = &self.protobuf {
            return f
                .debug_struct("WatchStream")
                .field("url", &events.frames().url())
                .field("open", &events.frames().is_open())
                .field("encoding", &"protobuf")
                .finish();
        }
        f.debug_struct("WatchStream")
            .field("url", &self.framer.url)
            .field("open", &self.framer.body.is_some())
            .finish()
    }
}

impl<K: DeserializeOwned> WatchStream<K> {
    /// Decodes the events of a body stream; `url` names the watch in errors and
    /// `max_event_bytes` bounds one line.
    pub fn new(body: ByteStream, url: String, max_event_bytes: usize) -> Self {
        Self {
            framer: EventFramer::new(body, url, max_event_bytes),
            #[cfg(feature = "protobuf")]
            protobuf: None,
            _kind: PhantomData,
        }
    }

    /// Decodes the frames of a protobuf watch body
    /// (`application/vnd.kubernetes.protobuf;stream=watch`), objects with `decode`;
    /// `max_event_bytes` bounds one frame.
    #[cfg(feature = "protobuf")]
    pub(crate) fn protobuf(
        body: ByteStream,
        url: String,
        max_event_bytes: usize,
        decode: super::protobuf::Decode<K>,
    ) -> Self {
        let frames = super::watch_frames::FrameReader::new(body, url.clone(), max_event_bytes);
        Self {
            framer: EventFramer::new(futures_util::stream::empty().boxed(), url, max_event_bytes),
            protobuf: Some(super::watch_frames::ProtoEvents::new(frames, decode)),
            _kind: PhantomData,
        }
    }

    /// Decodes events with [`sharing`](crate::meta::sharing) on: repeated long strings and
    /// field sets come from the shared pools (for objects a cache keeps).
    pub fn decode_shared(mut self, shared: bool) -> Self {
        self.framer.shared = shared;
        #[cfg(feature = "protobuf")]
        if let Some(events) = &mut self.protobuf {
            events.shared = shared;
        }
        self
    }

    /// The next event already in memory, or `None` when more body is needed.
    fn next_buffered(&mut self) -> Option<Result<WatchEvent<K>>> {
        let f = &mut self.framer;
        if let Some(line) = f.take_line() {
            let decoded = decode_line::<K>(&line).map(|r| r.map_err(|e| f.decode_error(e, &line)));
            f.recycle(line);
            if let Some(result) = decoded {
                return Some(f.finish(result));
            }
        }
        while let Some(region) = f.region() {
            let mut events =
                serde_json::Deserializer::from_slice(region).into_iter::<WireEvent<K>>();
            let item = events.next();
            let used = events.byte_offset();
            match item {
                None => f.end_region(),
                Some(Ok(event)) => {
                    let event = f.advance(used).map(|()| event.into());
                    return Some(f.finish(event));
                }
                Some(Err(e)) => {
                    let err = f.decode_error(e, f.failed_line());
                    f.skip_failed_line();
                    return Some(Err(err));
                }
            }
        }
        f.stash_tail().err().map(Err)
    }
}

#[cfg(feature = "protobuf")]
impl<K: crate::meta::Resource + DeserializeOwned> WatchStream<K> {
    /// Decodes a protobuf watch body (`application/vnd.kubernetes.protobuf;stream=watch`)
    /// with `K`'s codec; `None` when `K` has none. `url` names the watch in errors and
    /// `max_event_bytes` bounds one frame.
    pub fn from_protobuf(body: ByteStream, url: String, max_event_bytes: usize) -> Option<Self> {
        let codec = K::protobuf()?;
        Some(Self::protobuf(body, url, max_event_bytes, codec.decode))
    }
}

/// Decodes one line; `None` for a blank one.
fn decode_line<K: DeserializeOwned>(
    line: &[u8],
) -> Option<std::result::Result<WatchEvent<K>, serde_json::Error>> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(decode_event(line))
}

impl<K: DeserializeOwned> Stream for WatchStream<K> {
    type Item = Result<WatchEvent<K>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        #[cfg(feature = "protobuf")]
        if let Some(events) = &mut this.protobuf {
            return events.poll_next(cx);
        }
        loop {
            let shared = this.framer.shared;
            let item = crate::meta::sharing::decode_shared_if(shared, || this.next_buffered());
            if let Some(item) = item {
                return Poll::Ready(Some(item));
            }
            match this.framer.poll_fill(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(()))) => {}
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
            }
        }
    }
}

/// Splits a watch body into what is decoded next: a run of whole lines inside the current
/// chunk (decoded in place, the parser finding each event's end), or a line assembled
/// across chunks. Memory is bounded by the largest event, capped at `max`.
struct EventFramer {
    body: Option<ByteStream>,
    /// The current body chunk; `chunk[pos..region_end]` holds whole lines not yet decoded
    /// and `chunk[tail..]` the start of a line that continues in the next chunk.
    chunk: Bytes,
    pos: usize,
    region_end: usize,
    tail: usize,
    /// A line assembled across chunks: complete when `line_ready`, else still growing.
    partial: Vec<u8>,
    line_ready: bool,
    max: usize,
    url: String,
    /// Decode inside a sharing scope ([`crate::meta::sharing`]).
    shared: bool,
}

impl EventFramer {
    fn new(body: ByteStream, url: String, max: usize) -> Self {
        Self {
            body: Some(body),
            chunk: Bytes::new(),
            pos: 0,
            region_end: 0,
            tail: 0,
            partial: Vec::new(),
            line_ready: false,
            max,
            url,
            shared: false,
        }
    }

    /// Waits for the next body chunk and takes it in: `Some(Ok(()))` when there may be
    /// more to decode, `None` once the body has ended and everything was handed out.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<()>>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        Poll::Ready(Some(match body.poll_next_unpin(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => self.feed(chunk),
            Poll::Ready(Some(Err(e))) => {
                self.body = None;
                self.partial = Vec::new();
                Err(e)
            }
            Poll::Ready(None) => {
                self.body = None;
                // A last event without its newline still counts; a cut-off one fails.
                self.line_ready = !self.partial.is_empty();
                Ok(())
            }
        }))
    }

    /// Takes in the next body chunk: completes a pending line if the chunk ends it, and
    /// marks the run of whole lines to decode in place. Only the bytes of a line that
    /// spans chunks are scanned for its newline or copied.
    fn feed(&mut self, chunk: Bytes) -> Result<()> {
        self.chunk = chunk;
        self.pos = 0;
        if !self.partial.is_empty() {
            match memchr::memchr(b'\n', &self.chunk) {
                None => {
                    self.pos = self.chunk.len();
                    self.region_end = self.pos;
                    self.tail = self.pos;
                    return self.keep(0);
                }
                Some(i) => {
                    if self.partial.len() + i > self.max {
                        return Err(self.too_large());
                    }
                    self.partial.extend_from_slice(&self.chunk[..i]);
                    self.line_ready = true;
                    self.pos = i + 1;
                }
            }
        }
        match memchr::memrchr(b'\n', &self.chunk[self.pos..]) {
            Some(j) => {
                self.region_end = self.pos + j;
                self.tail = self.region_end + 1;
            }
            None => {
                self.region_end = self.pos;
                self.tail = self.pos;
            }
        }
        Ok(())
    }

    /// The assembled line, when one is complete (hand it back with [`Self::recycle`]).
    fn take_line(&mut self) -> Option<Vec<u8>> {
        if !self.line_ready {
            return None;
        }
        self.line_ready = false;
        Some(std::mem::take(&mut self.partial))
    }

    /// Returns a decoded line's buffer for the next line that spans chunks.
    fn recycle(&mut self, mut line: Vec<u8>) {
        line.clear();
        self.partial = line;
    }

    /// Whole lines of the current chunk not yet decoded.
    fn region(&self) -> Option<&[u8]> {
        (self.pos < self.region_end).then(|| &self.chunk[self.pos..self.region_end])
    }

    /// Nothing but blank space was left in the region.
    fn end_region(&mut self) {
        self.pos = self.region_end;
    }

    /// Moves past an event of `used` bytes, within the bound.
    fn advance(&mut self, used: usize) -> Result<()> {
        if used > self.max {
            return Err(self.too_large());
        }
        self.pos += used;
        Ok(())
    }

    /// The line that failed to decode (from the current position to its newline).
    fn failed_line(&self) -> &[u8] {
        let region = self.chunk[self.pos..self.region_end].trim_ascii_start();
        match memchr::memchr(b'\n', region) {
            Some(i) => &region[..i],
            None => region,
        }
    }

    /// Resumes at the line after the one that failed to decode.
    fn skip_failed_line(&mut self) {
        let region = &self.chunk[self.pos..self.region_end];
        let start = region
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0);
        self.pos = match memchr::memchr(b'\n', &region[start..]) {
            Some(i) => self.pos + start + i + 1,
            None => self.region_end,
        };
    }

    /// Once the region is done, keeps the chunk's unterminated last line for the next one.
    fn stash_tail(&mut self) -> Result<()> {
        if self.tail < self.chunk.len() {
            let tail = self.tail;
            self.tail = self.chunk.len();
            self.keep(tail)?;
        }
        Ok(())
    }

    /// Moves `chunk[from..]` (an unterminated line start) into `partial`, within the bound.
    fn keep(&mut self, from: usize) -> Result<()> {
        let rest = &self.chunk[from..];
        if self.partial.len() + rest.len() > self.max {
            return Err(self.too_large());
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    fn too_large(&mut self) -> Error {
        self.body = None;
        self.partial = Vec::new();
        self.line_ready = false;
        self.chunk = Bytes::new();
        self.pos = 0;
        self.region_end = 0;
        self.tail = 0;
        Error::EventTooLarge {
            url: self.url.clone(),
            limit: self.max,
        }
    }

    /// The error of a line that did not decode: an [`UndecodableObject`] naming the object
    /// when the line is a JSON event the watched type rejects, else a plain decode error.
    fn decode_error(&self, source: serde_json::Error, line: &[u8]) -> Error {
        if !source.is_data() {
            return self.plain_decode_error_from(source);
        }
        match UndecodableObject::from_line(line, &self.url, source) {
            Ok(event) => Error::UndecodableObject(Box::new(event)),
            Err(source) => self.plain_decode_error_from(source),
        }
    }

    fn plain_decode_error_from(&self, source: serde_json::Error) -> Error {
        Error::Decode {
            what: "watch event".into(),
            verb: "GET".into(),
            url: self.url.clone(),
            source,
        }
    }

    /// Names the watch in an `ERROR` event's error.
    fn finish<K>(&self, event: Result<WatchEvent<K>>) -> Result<WatchEvent<K>> {
        match event {
            Ok(WatchEvent::Error(e)) => Ok(WatchEvent::Error(self.with_url(e))),
            other => other,
        }
    }

    fn with_url(&self, mut e: ApiError) -> ApiError {
        e.url = self.url.clone();
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Cm {
        metadata: crate::meta::ObjectMeta,
    }

    fn run(chunks: Vec<&'static [u8]>, max: usize) -> Vec<Result<WatchEvent<Cm>>> {
        let body = stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from_static(c)))).boxed();
        let s = WatchStream::<Cm>::new(body, "u".into(), max);
        futures::executor::block_on(s.collect())
    }

    const ADDED: &[u8] = br#"{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"5"}}}"#;

    #[test]
    fn splits_across_chunks() {
        let mut whole = ADDED.to_vec();
        whole.push(b'\n');
        whole.extend_from_slice(br#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"9","annotations":{"k8s.io/initial-events-end":"true"}}}}"#);
        whole.push(b'\n');
        let whole: &'static [u8] = Box::leak(whole.into_boxed_slice());
        for split in [1, 7, 50, whole.len() - 1] {
            let events = run(vec![&whole[..split], &whole[split..]], 1 << 20);
            assert_eq!(events.len(), 2, "split at {split}");
            let WatchEvent::Added(cm) = events[0].as_ref().unwrap() else {
                panic!("{:?}", events[0])
            };
            assert_eq!(cm.metadata.name.as_deref(), Some("a"));
            let WatchEvent::Bookmark(b) = events[1].as_ref().unwrap() else {
                panic!()
            };
            assert_eq!(b.resource_version, "9");
            assert!(b.is_initial_events_end());
        }
    }

    #[test]
    fn error_event_410_is_gone() {
        let events = run(
            vec![b"{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"The resourceVersion for the provided watch is too old.\",\"reason\":\"Expired\",\"code\":410}}\n"],
            1 << 20,
        );
        let WatchEvent::Error(e) = events[0].as_ref().unwrap() else {
            panic!()
        };
        assert!(e.is_gone());
        assert_eq!(e.url, "u");
    }

    #[test]
    fn broken_line_is_an_error_and_the_stream_goes_on() {
        let events = run(
            vec![b"{\"type\":\"ADDED\",\"obj\n", ADDED, b"\n\n"],
            1 << 20,
        );
        assert_eq!(events.len(), 2);
        assert!(matches!(events[0], Err(Error::Decode { .. })));
        assert!(matches!(events[1], Ok(WatchEvent::Added(_))));
    }

    #[test]
    fn truncated_last_event_is_an_error() {
        let events = run(vec![&ADDED[..30]], 1 << 20);
        assert_eq!(events.len(), 1);
        assert!(events[0].is_err());
        let events = run(vec![ADDED], 1 << 20);
        assert!(matches!(events[0], Ok(WatchEvent::Added(_))));
    }

    #[test]
    fn oversized_event_ends_the_stream() {
        let events = run(vec![ADDED, ADDED, b"\n", ADDED, b"\n"], 64);
        assert_eq!(events.len(), 1);
        assert!(matches!(
            events[0],
            Err(Error::EventTooLarge { limit: 64, .. })
        ));
    }

    fn leak(parts: &[&[u8]]) -> &'static [u8] {
        Box::leak(parts.concat().into_boxed_slice())
    }

    #[test]
    fn broken_lines_inside_one_chunk_resume_at_the_next_line() {
        // A line cut inside a string, then one missing its closing brace (the parser only
        // notices on the next line), each followed by a good event.
        let chunk = leak(&[
            ADDED,
            b"\n{\"type\":\"ADDED\",\"obj\n",
            ADDED,
            b"\n{\"type\":\"ADDED\",\"object\":{}\n",
            ADDED,
            b"\n",
        ]);
        let events = run(vec![chunk], 1 << 20);
        let kinds: Vec<bool> = events.iter().map(Result::is_ok).collect();
        assert_eq!(kinds, [true, false, true, false, true], "{events:?}");
    }

    #[test]
    fn an_event_the_type_rejects_names_its_object_and_the_stream_goes_on() {
        // `generation` is an integer: valid JSON, rejected by the type.
        const BAD: &[u8] = br#"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"6","generation":"x"}}}"#;
        let body = leak(&[ADDED, b"\n\n", BAD, b"\n", ADDED, b"\n"]);
        let split = ADDED.len() + 20;
        for chunks in [vec![body], vec![&body[..split], &body[split..]]] {
            let events = run(chunks, 1 << 20);
            assert_eq!(events.len(), 3, "{events:?}");
            let Err(Error::UndecodableObject(e)) = &events[1] else {
                panic!("{:?}", events[1])
            };
            assert_eq!(e.key(), "ns/a");
            assert_eq!(e.resource_version.as_deref(), Some("6"));
            assert_eq!(e.event_type.as_deref(), Some("MODIFIED"));
            assert!(matches!(events[2], Ok(WatchEvent::Added(_))));
        }
    }

    #[test]
    fn oversized_event_inside_one_chunk_ends_the_stream() {
        let chunk = leak(&[
            b"{\"type\":\"BOOKMARK\",\"object\":{}}\n",
            ADDED,
            b"\n",
            ADDED,
            b"\n",
        ]);
        let events = run(vec![chunk], 64);
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(matches!(events[0], Ok(WatchEvent::Bookmark(_))));
        assert!(matches!(events[1], Err(Error::EventTooLarge { .. })));
    }

    #[test]
    fn unknown_type_is_a_decode_error() {
        let events = run(vec![b"{\"type\":\"WHAT\",\"object\":{}}\n"], 1 << 20);
        assert!(matches!(events[0], Err(Error::Decode { .. })));
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
