//! The frames of a protobuf watch stream (`application/vnd.kubernetes.protobuf;stream=watch`):
//! each a 4-byte big-endian length and that many bytes of a `metav1.WatchEvent`. A frame is
//! handed out as soon as it is whole, without a copy when it lies inside one body chunk;
//! one that spans chunks is assembled. A length over the limit ends the stream before
//! anything is allocated for it.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};

use super::event::{Bookmark, WatchEvent};
use crate::meta::proto::{self, envelope, Codec, DecodeError, DecodeErrorKind, Message};
use crate::meta::proto::{Reader, WireType, Writer};
use crate::meta::{ObjectMeta, Status};
use crate::rest::error::{ApiError, Error, Result};
use crate::rest::protobuf::Decode;
use crate::rest::request::ByteStream;

/// Splits a watch body into frames.
pub(crate) struct FrameReader {
    body: Option<ByteStream>,
    /// Bytes received and not handed out yet.
    pending: BytesMut,
    max: usize,
    url: String,
}

const LENGTH_BYTES: usize = 4;

impl FrameReader {
    pub(crate) fn new(body: ByteStream, url: String, max: usize) -> Self {
        Self {
            body: Some(body),
            pending: BytesMut::new(),
            max,
            url,
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn is_open(&self) -> bool {
        self.body.is_some()
    }

    /// The next whole frame already received, or an error for a frame over the limit.
    fn buffered(&mut self) -> Option<Result<Bytes>> {
        let header = self.pending.get(..LENGTH_BYTES)?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        if length > self.max {
            self.body = None;
            self.pending.clear();
            return Some(Err(Error::EventTooLarge {
                url: self.url.clone(),
                limit: self.max,
            }));
        }
        if self.pending.len() < LENGTH_BYTES + length {
            return None;
        }
        self.pending.advance(LENGTH_BYTES);
        Some(Ok(self.pending.split_to(length).freeze()))
    }
}

impl Stream for FrameReader {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        loop {
            if let Some(frame) = this.buffered() {
                return Poll::Ready(Some(frame));
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match body.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.pending.extend_from_slice(&chunk),
                Poll::Ready(Some(Err(e))) => {
                    this.body = None;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.body = None;
                    if !this.pending.is_empty() {
                        // A frame cut off by the end of the body: the connection broke.
                        tracing::debug!(url = %this.url, bytes = this.pending.len(), "watch body ended inside a frame");
                        this.pending.clear();
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

/// The typed events of a protobuf watch: each frame's `WatchEvent`, its enveloped object
/// decoded with the kind's codec. A frame that does not decode is an error item and the
/// stream goes on with the next one.
pub(crate) struct ProtoEvents<K> {
    frames: FrameReader,
    decode: Decode<K>,
    /// Decode inside a sharing scope ([`crate::meta::sharing`]).
    pub(crate) shared: bool,
}

impl<K> ProtoEvents<K> {
    pub(crate) fn new(frames: FrameReader, decode: Decode<K>) -> Self {
        Self {
            frames,
            decode,
            shared: false,
        }
    }

    pub(crate) fn frames(&self) -> &FrameReader {
        &self.frames
    }

    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<WatchEvent<K>>>> {
        let frame = match Pin::new(&mut self.frames).poll_next(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        let url = self.frames.url();
        let event = crate::meta::sharing::decode_shared_if(self.shared, || {
            decode_event(&frame, self.decode, url)
        });
        Poll::Ready(Some(event.map_err(|source| Error::ProtobufDecode {
            what: "watch event".into(),
            verb: "GET".into(),
            url: url.to_owned(),
            source,
        })))
    }
}

/// Decodes one frame's event.
pub(crate) fn decode_event<K>(
    frame: &[u8],
    decode: Decode<K>,
    url: &str,
) -> std::result::Result<WatchEvent<K>, DecodeError> {
    let event = envelope::watch_event(frame)?;
    let object = envelope::unwrap(event.object)?;
    let raw = object.raw;
    Ok(match event.type_.as_str() {
        "ADDED" => WatchEvent::Added(decode(raw)?),
        "MODIFIED" => WatchEvent::Modified(decode(raw)?),
        "DELETED" => WatchEvent::Deleted(decode(raw)?),
        "BOOKMARK" => {
            // Every built-in kind has its metadata in field 1; nothing else is set.
            let BookmarkObject(metadata) = proto::decode(raw)?;
            WatchEvent::Bookmark(Bookmark {
                resource_version: metadata
                    .resource_version
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                annotations: metadata
                    .annotations
                    .iter()
                    .flat_map(|a| a.iter())
                    .map(|(k, v)| (k.to_owned(), v.to_string()))
                    .collect(),
            })
        }
        "ERROR" => {
            let status: Status = proto::decode(raw)?;
            WatchEvent::Error(ApiError::from_status("GET", url, status))
        }
        other => {
            return Err(DecodeError::new(
                DecodeErrorKind::Invalid(format!("unknown watch event type {other:?}")),
                0,
            ))
        }
    })
}

/// A bookmark's object: only its metadata (field 1) is read.
#[derive(Default)]
struct BookmarkObject(ObjectMeta);

impl Message for BookmarkObject {
    const NAME: &'static str = "bookmark object";
    fn merge_field(
        &mut self,
        field: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> std::result::Result<(), DecodeError> {
        match field {
            1 => self.0.merge(wire, r),
            _ => r.skip(wire),
        }
    }
    fn encode_fields(&self, w: &mut Writer) {
        self.0.encode(1, w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    fn frames(chunks: Vec<Vec<u8>>, max: usize) -> Vec<Result<Bytes>> {
        let body: ByteStream = stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from(c)))).boxed();
        let reader = FrameReader::new(body, "https://k/api/v1/pods?watch=true".into(), max);
        futures::executor::block_on(reader.collect())
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut out = (payload.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn frames_within_and_across_chunks() {
        let mut all = frame(b"first");
        all.extend(frame(b""));
        all.extend(frame(b"third frame"));
        // Every split point of the body gives the same frames.
        for cut in 0..=all.len() {
            let got = frames(vec![all[..cut].to_vec(), all[cut..].to_vec()], 1024);
            let got: Vec<Bytes> = got.into_iter().map(|f| f.unwrap()).collect();
            assert_eq!(got, [&b"first"[..], b"", b"third frame"], "cut at {cut}");
        }
    }

    #[test]
    fn a_frame_over_the_limit_ends_the_stream_without_allocating_it() {
        let mut body = (u32::MAX).to_be_bytes().to_vec();
        body.extend_from_slice(b"xx");
        let got = frames(vec![body], 1 << 20);
        assert_eq!(got.len(), 1);
        assert!(matches!(got[0], Err(Error::EventTooLarge { limit, .. }) if limit == 1 << 20));
    }

    #[test]
    fn a_frame_cut_off_by_the_end_of_the_body_is_dropped() {
        let mut body = frame(b"whole");
        body.extend_from_slice(&frame(b"cut off")[..6]);
        let got = frames(vec![body], 1024);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_ref().unwrap(), &b"whole"[..]);
    }
}
