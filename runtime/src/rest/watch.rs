//! Watch streams: newline-delimited JSON events decoded as they arrive.
//!
//! The body is split on `\n` without copying when a line lies inside one chunk; only a line
//! spanning chunks is assembled in a buffer, so memory is bounded by the largest event
//! (and capped by `Config::max_watch_event_bytes`). Each line is decoded straight into
//! the typed event: the `type` tag comes first on the wire, so the object is deserialized
//! once, directly into `K`. A line that does not decode is an error item and the stream
//! goes on with the next line; a line over the cap or a broken connection ends it.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::{ApiError, Error, Result};
use super::request::ByteStream;
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

/// The wire form: `{"type": ..., "object": ...}` decoded in one pass.
#[allow(clippy::large_enum_variant)]
#[derive(Deserialize)]
#[serde(
    tag = "type",
    content = "object",
    bound(deserialize = "K: DeserializeOwned")
)]
enum WireEvent<K> {
    #[serde(rename = "ADDED")]
    Added(K),
    #[serde(rename = "MODIFIED")]
    Modified(K),
    #[serde(rename = "DELETED")]
    Deleted(K),
    #[serde(rename = "BOOKMARK")]
    Bookmark(BookmarkObject),
    #[serde(rename = "ERROR")]
    Error(Status),
}

/// A bookmark's object is a nearly empty object of the watched kind: read it leniently.
#[derive(Deserialize)]
struct BookmarkObject {
    #[serde(default)]
    metadata: BookmarkMeta,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookmarkMeta {
    #[serde(default)]
    resource_version: Option<String>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

/// Decodes one watch line into an event.
pub fn decode_event<K: DeserializeOwned>(
    line: &[u8],
) -> std::result::Result<WatchEvent<K>, serde_json::Error> {
    Ok(match serde_json::from_slice::<WireEvent<K>>(line)? {
        WireEvent::Added(k) => WatchEvent::Added(k),
        WireEvent::Modified(k) => WatchEvent::Modified(k),
        WireEvent::Deleted(k) => WatchEvent::Deleted(k),
        WireEvent::Bookmark(b) => WatchEvent::Bookmark(Bookmark {
            resource_version: b.metadata.resource_version.unwrap_or_default(),
            annotations: b.metadata.annotations.unwrap_or_default(),
        }),
        WireEvent::Error(status) => WatchEvent::Error(ApiError::from_status("GET", "", status)),
    })
}

/// The typed events of one watch response, in order.
pub struct WatchStream<K> {
    body: Option<ByteStream>,
    lines: LineSplitter,
    url: String,
    _kind: PhantomData<fn() -> K>,
}

impl<K> std::fmt::Debug for WatchStream<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchStream")
            .field("url", &self.url)
            .field("open", &self.body.is_some())
            .finish()
    }
}

impl<K: DeserializeOwned> WatchStream<K> {
    /// Decodes the events of a body stream; `url` names the watch in errors and
    /// `max_event_bytes` bounds one line.
    pub fn new(body: ByteStream, url: String, max_event_bytes: usize) -> Self {
        Self {
            body: Some(body),
            lines: LineSplitter::new(max_event_bytes),
            url,
            _kind: PhantomData,
        }
    }

    fn decode(line: &[u8], url: &str) -> Result<WatchEvent<K>> {
        match decode_event::<K>(line) {
            Ok(WatchEvent::Error(mut e)) => {
                e.url = url.to_owned();
                Ok(WatchEvent::Error(e))
            }
            Ok(ev) => Ok(ev),
            Err(source) => Err(Error::Decode {
                what: "watch event".into(),
                verb: "GET".into(),
                url: url.to_owned(),
                source,
            }),
        }
    }
}

impl<K: DeserializeOwned> Stream for WatchStream<K> {
    type Item = Result<WatchEvent<K>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match this.lines.next_line() {
                Next::Line(line) => {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Poll::Ready(Some(Self::decode(line, &this.url)));
                }
                Next::TooLarge => {
                    this.body = None;
                    return Poll::Ready(Some(Err(Error::EventTooLarge {
                        url: this.url.clone(),
                        limit: this.lines.max,
                    })));
                }
                Next::NeedMore => {}
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match body.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.lines.push(chunk),
                Poll::Ready(Some(Err(e))) => {
                    this.body = None;
                    this.lines.discard();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.body = None;
                    // A last event without its newline still counts; a cut-off one fails.
                    if let Some(rest) = this.lines.finish() {
                        return Poll::Ready(Some(Self::decode(rest, &this.url)));
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

enum Next<'a> {
    Line(&'a [u8]),
    NeedMore,
    TooLarge,
}

/// Splits a chunked body into lines, copying only lines that span chunks.
struct LineSplitter {
    chunk: Bytes,
    pos: usize,
    partial: Vec<u8>,
    /// `partial` holds a line already handed out; clear it on the next call.
    partial_done: bool,
    max: usize,
}

impl LineSplitter {
    fn new(max: usize) -> Self {
        Self {
            chunk: Bytes::new(),
            pos: 0,
            partial: Vec::new(),
            partial_done: false,
            max,
        }
    }

    fn push(&mut self, chunk: Bytes) {
        self.chunk = chunk;
        self.pos = 0;
    }

    fn discard(&mut self) {
        self.chunk = Bytes::new();
        self.pos = 0;
        self.partial = Vec::new();
        self.partial_done = false;
    }

    fn next_line(&mut self) -> Next<'_> {
        if self.partial_done {
            self.partial.clear();
            self.partial_done = false;
            // Give back the memory of an unusually large event.
            if self.partial.capacity() > (1 << 20) {
                self.partial.shrink_to(64 << 10);
            }
        }
        let rest = &self.chunk[self.pos..];
        match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let start = self.pos;
                self.pos += i + 1;
                if self.partial.len() + i > self.max {
                    self.discard();
                    return Next::TooLarge;
                }
                if self.partial.is_empty() {
                    return Next::Line(&self.chunk[start..start + i]);
                }
                self.partial
                    .extend_from_slice(&self.chunk[start..start + i]);
                self.partial_done = true;
                Next::Line(&self.partial)
            }
            None => {
                if self.partial.len() + rest.len() > self.max {
                    self.discard();
                    return Next::TooLarge;
                }
                self.partial.extend_from_slice(rest);
                self.pos = self.chunk.len();
                Next::NeedMore
            }
        }
    }

    /// The unterminated last line at the end of the body, unless it is blank.
    fn finish(&mut self) -> Option<&[u8]> {
        if self.partial_done {
            self.partial.clear();
            self.partial_done = false;
        }
        if self.partial.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        self.partial_done = true;
        Some(&self.partial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    #[derive(Debug, PartialEq, Deserialize)]
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

    #[test]
    fn unknown_type_is_a_decode_error() {
        let events = run(vec![b"{\"type\":\"WHAT\",\"object\":{}}\n"], 1 << 20);
        assert!(matches!(events[0], Err(Error::Decode { .. })));
    }
}
