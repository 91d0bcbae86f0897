//! Watch streams: the typed events of one watch response, decoded as they arrive.
//!
//! Three jobs, one module each: what an event is ([`event`]: [`WatchEvent`], [`Bookmark`]),
//! which bytes hold the next one ([`lines`] for newline-delimited JSON, [`frames`] for
//! length-prefixed protobuf), and how those bytes become an event ([`json`]; protobuf
//! frames are decoded beside their framing). [`WatchStream`] ties them together.
//!
//! Each JSON body chunk is decoded in place, one event per poll: the run of whole lines it
//! holds needs no per-line newline scan or copy (the parser finds each event's end), and only
//! a line spanning chunks is assembled in a buffer, so memory is bounded by the largest
//! event (and capped by `Config::max_watch_event_bytes`). Each event is decoded straight
//! into the typed event: the `type` tag comes first on the wire, so the object is
//! deserialized once, directly into `K`. A line that does not decode is an error item and
//! the stream goes on with the next line; a line over the cap or a broken connection ends
//! it.

mod event;
#[cfg(feature = "protobuf")]
mod frames;
mod json;
mod lines;

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use serde_core::de::DeserializeOwned;

pub use event::{Bookmark, WatchEvent};
pub use json::decode_event;

use super::error::{ApiError, Result};
use super::request::ByteStream;
use lines::LineFramer;

/// The typed events of one watch response, in order.
///
/// Only decoding depends on `K`; the framing of the body into events (`lines::LineFramer`) is
/// compiled once, not once per watched kind in every program.
pub struct WatchStream<K> {
    framer: LineFramer,
    /// Decode inside a sharing scope ([`crate::meta::sharing`]).
    shared: bool,
    /// The events of a protobuf stream (then `framer` has no body).
    #[cfg(feature = "protobuf")]
    protobuf: Option<frames::ProtoEvents<K>>,
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
            .field("url", &self.framer.url())
            .field("open", &self.framer.is_open())
            .finish()
    }
}

impl<K: DeserializeOwned> WatchStream<K> {
    /// Decodes the events of a body stream; `url` names the watch in errors and
    /// `max_event_bytes` bounds one line.
    pub fn new(body: ByteStream, url: String, max_event_bytes: usize) -> Self {
        Self {
            framer: LineFramer::new(body, url, max_event_bytes),
            shared: false,
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
        use futures_util::StreamExt;
        let frames = frames::FrameReader::new(body, url.clone(), max_event_bytes);
        Self {
            framer: LineFramer::new(futures_util::stream::empty().boxed(), url, max_event_bytes),
            shared: false,
            protobuf: Some(frames::ProtoEvents::new(frames, decode)),
            _kind: PhantomData,
        }
    }

    /// Decodes events with [`sharing`](crate::meta::sharing) on: repeated long strings and
    /// field sets come from the shared pools (for objects a cache keeps).
    pub fn decode_shared(mut self, shared: bool) -> Self {
        self.shared = shared;
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
            let decoded = json::decode_line::<K>(&line)
                .map(|r| r.map_err(|e| json::decode_error(f.url(), e, &line)));
            f.recycle(line);
            if let Some(result) = decoded {
                return Some(name_watch(f.url(), result));
            }
        }
        while let Some(region) = f.region() {
            match json::decode_first::<K>(region) {
                (None, _) => f.end_region(),
                (Some(Ok(event)), used) => {
                    let event = f.advance(used).map(|()| event);
                    return Some(name_watch(f.url(), event));
                }
                (Some(Err(e)), _) => {
                    let err = json::decode_error(f.url(), e, f.failed_line());
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

/// Names the watch at `url` in an `ERROR` event's error.
fn name_watch<K>(url: &str, event: Result<WatchEvent<K>>) -> Result<WatchEvent<K>> {
    match event {
        Ok(WatchEvent::Error(e)) => Ok(WatchEvent::Error(ApiError {
            url: url.to_owned(),
            ..e
        })),
        other => other,
    }
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
            let shared = this.shared;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::Error;
    use bytes::Bytes;
    use futures_util::{stream, StreamExt};

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
}
