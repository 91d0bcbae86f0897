//! The envelope of every protobuf object the API server sends or accepts: the 4-byte magic
//! `k8s\0`, then a `runtime.Unknown` message holding the object's type (`typeMeta`), its
//! encoded body (`raw`), and content encoding and type (both empty in practice). A watch
//! stream is a sequence of frames, each a 4-byte big-endian length and a `metav1.WatchEvent`
//! (type, and the object as a `RawExtension` whose `raw` is again an enveloped object).

use super::wire::{DecodeErrorKind, Reader, WireType, Writer};
use super::{Codec, DecodeError};

/// What every enveloped object starts with.
pub const MAGIC: [u8; 4] = *b"k8s\0";

/// The media type of protobuf bodies.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The media type of protobuf watch streams.
pub const WATCH_MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf;stream=watch";

/// An enveloped object (`runtime.Unknown`), borrowing from the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unknown<'a> {
    /// The enveloped object's `apiVersion` (`v1`, `apps/v1`).
    pub api_version: String,
    /// The enveloped object's kind (`Pod`).
    pub kind: String,
    /// The object's message body.
    pub raw: &'a [u8],
    /// Empty unless the body is compressed (the API server never does).
    pub content_encoding: String,
    /// The body's media type; empty means protobuf.
    pub content_type: String,
}

/// Reads an enveloped object.
pub fn unwrap(bytes: &[u8]) -> Result<Unknown<'_>, DecodeError> {
    let Some(body) = bytes.strip_prefix(&MAGIC) else {
        return Err(DecodeError::new(
            DecodeErrorKind::Invalid("missing the protobuf magic `k8s\\0`".into()),
            0,
        ));
    };
    let mut r = Reader::new(body);
    let mut unknown = Unknown::default();
    while !r.is_empty() {
        let (field, wire) = r.key()?;
        let read = match field {
            1 => read_type_meta(&mut unknown, wire, &mut r),
            2 => r
                .expect(wire, WireType::Len)
                .and_then(|()| r.bytes())
                .map(|raw| unknown.raw = raw),
            3 => unknown.content_encoding.merge(wire, &mut r),
            4 => unknown.content_type.merge(wire, &mut r),
            _ => r.skip(wire),
        };
        read.map_err(|e| e.within("Unknown", field).shifted(MAGIC.len()))?;
    }
    if !unknown.content_encoding.is_empty() {
        return Err(DecodeError::new(
            DecodeErrorKind::Invalid(format!(
                "content encoding {:?} of an enveloped object is not supported",
                unknown.content_encoding
            )),
            0,
        ));
    }
    Ok(unknown)
}

fn read_type_meta(
    unknown: &mut Unknown<'_>,
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    let mut inner = r.message(wire)?;
    while !inner.is_empty() {
        match inner.key()? {
            (1, wire) => unknown.api_version.merge(wire, &mut inner)?,
            (2, wire) => unknown.kind.merge(wire, &mut inner)?,
            (_, wire) => inner.skip(wire)?,
        }
    }
    Ok(())
}

/// Envelopes an object body of `api_version`/`kind`, as the API server does.
pub fn wrap(api_version: &str, kind: &str, write_body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::from_vec(MAGIC.to_vec());
    w.message(1, |w| {
        w.bytes(1, api_version.as_bytes());
        w.bytes(2, kind.as_bytes());
    });
    w.message(2, write_body);
    w.bytes(3, b"");
    w.bytes(4, b"");
    w.into_vec()
}

/// One watch event (`metav1.WatchEvent`), borrowing from the frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchEvent<'a> {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
    pub type_: String,
    /// The enveloped object (`object.raw`): see [`unwrap`].
    pub object: &'a [u8],
}

/// Reads one watch frame's event (the frame's length prefix already taken off).
pub fn watch_event(frame: &[u8]) -> Result<WatchEvent<'_>, DecodeError> {
    let mut r = Reader::new(frame);
    let mut event = WatchEvent::default();
    while !r.is_empty() {
        let (field, wire) = r.key()?;
        let read = match field {
            1 => event.type_.merge(wire, &mut r),
            2 => read_raw_extension(&mut event, wire, &mut r),
            _ => r.skip(wire),
        };
        read.map_err(|e| e.within("WatchEvent", field))?;
    }
    Ok(event)
}

fn read_raw_extension<'a>(
    event: &mut WatchEvent<'a>,
    wire: WireType,
    r: &mut Reader<'a>,
) -> Result<(), DecodeError> {
    let mut inner = r.message(wire)?;
    while !inner.is_empty() {
        match inner.key()? {
            (1, wire) => {
                inner.expect(wire, WireType::Len)?;
                event.object = inner.bytes()?;
            }
            (_, wire) => inner.skip(wire)?,
        }
    }
    Ok(())
}

/// Writes one watch frame: length prefix and event.
pub fn write_watch_event(type_: &str, object: &[u8], out: &mut Vec<u8>) {
    let mut w = Writer::new();
    w.bytes(1, type_.as_bytes());
    w.message(2, |w| w.bytes(1, object));
    let event = w.into_vec();
    out.extend_from_slice(&(event.len() as u32).to_be_bytes());
    out.extend_from_slice(&event);
}
