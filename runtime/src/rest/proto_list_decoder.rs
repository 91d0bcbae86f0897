//! Decodes a protobuf list body (`application/vnd.kubernetes.protobuf`) as it streams in:
//! each item is decoded as soon as its bytes are in and its bytes are then dropped, so a
//! one-shot list of a large cluster never holds its whole body (hundreds of megabytes)
//! beside the decoded objects. The JSON counterpart is [`super::list_decoder`].
//!
//! The body is the envelope (`k8s\0`, then `runtime.Unknown`) whose field 2 (`raw`) is
//! the list message: field 1 `ListMeta`, field 2 each item. Only `raw` is read into; the
//! envelope's other fields (type strings, never a content encoding from the API server)
//! are skipped.

use crate::meta::proto::{self, envelope, Codec, DecodeError, DecodeErrorKind};
use crate::meta::{List, ListMeta};

use super::protobuf::Decode;

/// Where the decoder is in the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Before the four magic bytes.
    Magic,
    /// Between fields of the envelope.
    Envelope,
    /// Between fields of the list message, which ends at this offset of the body.
    List { end: usize },
}

/// A protobuf list read chunk by chunk; see the module docs.
pub(crate) struct ProtoListDecoder<T> {
    item: Decode<T>,
    /// Largest length-delimited field (an item) accepted.
    max_item: usize,
    /// Bytes received and not yet consumed start at `buf[start]`.
    buf: Vec<u8>,
    start: usize,
    /// The body offset of `buf[0]`.
    base: usize,
    stage: Stage,
    /// Whether `raw` began: a body without it is cut short (an empty list still has one).
    raw_seen: bool,
    list: List<T>,
}

impl<T> ProtoListDecoder<T> {
    pub(crate) fn new(item: Decode<T>, max_item: usize) -> Self {
        Self {
            item,
            max_item,
            buf: Vec::new(),
            start: 0,
            base: 0,
            stage: Stage::Magic,
            raw_seen: false,
            list: List::default(),
        }
    }

    /// Takes the next chunk of the body and decodes every item it completes.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.base += self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
        while self.step()? {}
        Ok(())
    }

    /// The list, once the body has ended.
    pub(crate) fn finish(self) -> Result<List<T>, DecodeError> {
        let at = self.position();
        match self.stage {
            Stage::Envelope if self.raw_seen && self.start == self.buf.len() => Ok(self.list),
            _ => Err(DecodeError::new(DecodeErrorKind::Truncated, at)),
        }
    }

    /// The body offset of the next unread byte.
    fn position(&self) -> usize {
        self.base + self.start
    }

    /// Reads one field (or the magic) if its bytes are all in; `false` when more are
    /// needed.
    fn step(&mut self) -> Result<bool, DecodeError> {
        let at = self.position();
        let avail = &self.buf[self.start..];
        let end = match self.stage {
            Stage::Magic => {
                if avail.len() < envelope::MAGIC.len() {
                    return Ok(false);
                }
                if avail[..envelope::MAGIC.len()] != envelope::MAGIC {
                    return Err(DecodeError::new(
                        DecodeErrorKind::Invalid("missing the protobuf magic `k8s\\0`".into()),
                        at,
                    ));
                }
                self.start += envelope::MAGIC.len();
                self.stage = Stage::Envelope;
                return Ok(true);
            }
            Stage::List { end } if at == end => {
                self.stage = Stage::Envelope;
                return Ok(true);
            }
            Stage::List { end } => Some(end),
            Stage::Envelope => None,
        };
        let Some((key, key_len)) = varint(avail, at)? else {
            return Ok(false);
        };
        let field = key >> 3;
        let (value_len, skip_to) = match key & 7 {
            0 => match varint(&avail[key_len..], at)? {
                Some((_, n)) => (n, None),
                None => return Ok(false),
            },
            1 => (8, None),
            5 => (4, None),
            2 => {
                let Some((len, n)) = varint(&avail[key_len..], at)? else {
                    return Ok(false);
                };
                if self.stage == Stage::Envelope && field == 2 {
                    // `raw`: the list message follows, read field by field.
                    self.start += key_len + n;
                    let end = self.position() + len as usize;
                    self.stage = Stage::List { end };
                    self.raw_seen = true;
                    return Ok(true);
                }
                if len > self.max_item as u64 {
                    return Err(DecodeError::new(
                        DecodeErrorKind::Invalid(format!(
                            "a list field of {len} bytes is over the limit of {} bytes (`Config::max_watch_event_bytes`)",
                            self.max_item
                        )),
                        at,
                    ));
                }
                (n + len as usize, Some(key_len + n))
            }
            _ => return Err(DecodeError::new(DecodeErrorKind::InvalidKey(key), at)),
        };
        let total = key_len + value_len;
        if avail.len() < total {
            return Ok(false);
        }
        if let Some(end) = end {
            if at + total > end {
                return Err(DecodeError::new(
                    DecodeErrorKind::LengthPastEnd {
                        length: total as u64,
                        remaining: end - at,
                    },
                    at,
                ));
            }
        }
        if let (None, Some(body_at), 1) = (end, skip_to, field) {
            (self.list.api_version, self.list.kind) =
                type_meta(&avail[body_at..total], at + body_at)?;
        }
        if let (Some(_), Some(body_at)) = (end, skip_to) {
            let body = &avail[body_at..total];
            let body_offset = at + body_at;
            match field {
                1 => {
                    self.list.metadata = proto::decode::<ListMeta>(body)
                        .map_err(|e| e.shifted(body_offset).within("List", 1))?;
                }
                2 => {
                    let item =
                        (self.item)(body).map_err(|e| e.shifted(body_offset).within("List", 2))?;
                    self.list.items.push(item);
                }
                _ => {}
            }
        }
        self.start += total;
        Ok(true)
    }
}

/// The envelope's `TypeMeta` (API version, kind): it names the list (`PodList`,
/// `PartialObjectMetadataList`), as a JSON list's body does.
fn type_meta(body: &[u8], at: usize) -> Result<(Option<String>, Option<String>), DecodeError> {
    let mut r = proto::Reader::new(body);
    let (mut api_version, mut kind) = (String::new(), String::new());
    while !r.is_empty() {
        let read = match r.key()? {
            (1, wire) => api_version.merge(wire, &mut r),
            (2, wire) => kind.merge(wire, &mut r),
            (_, wire) => r.skip(wire),
        };
        read.map_err(|e| e.shifted(at).within("TypeMeta", 1))?;
    }
    Ok((
        Some(api_version).filter(|v| !v.is_empty()),
        Some(kind).filter(|k| !k.is_empty()),
    ))
}

/// A varint at the start of `bytes`, with its length; `None` when it continues past the
/// bytes received so far.
fn varint(bytes: &[u8], at: usize) -> Result<Option<(u64, usize)>, DecodeError> {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().take(10).enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if bytes.len() >= 10 {
        return Err(DecodeError::new(DecodeErrorKind::VarintTooLong, at));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::proto::Writer;

    /// A list of items holding only a name (field 1), enveloped as the server sends.
    fn body(names: &[&str]) -> Vec<u8> {
        let mut list = Writer::new();
        let meta = ListMeta {
            resource_version: Some("42".into()),
            ..ListMeta::default()
        };
        meta.encode(1, &mut list);
        for name in names {
            list.message(2, |w| name.to_string().encode(1, w));
        }
        let raw = list.into_vec();
        let mut unknown = Writer::new();
        unknown.message(1, |w| {
            "v1".to_string().encode(1, w);
            "ConfigMapList".to_string().encode(2, w);
        });
        unknown.bytes(2, &raw);
        // `contentEncoding` and `contentType`: empty, but on the wire, as Go writes them.
        unknown.bytes(3, b"");
        unknown.bytes(4, b"");
        let mut out = envelope::MAGIC.to_vec();
        out.extend_from_slice(&unknown.into_vec());
        out
    }

    fn name(bytes: &[u8]) -> Result<String, DecodeError> {
        #[derive(Default)]
        struct Named(String);
        impl proto::Message for Named {
            const NAME: &'static str = "Named";
            fn merge_field(
                &mut self,
                field: u32,
                wire: proto::WireType,
                r: &mut proto::Reader<'_>,
            ) -> Result<(), DecodeError> {
                match field {
                    1 => self.0.merge(wire, r),
                    _ => r.skip(wire),
                }
            }
            fn encode_fields(&self, w: &mut Writer) {
                self.0.encode(1, w);
            }
        }
        proto::decode::<Named>(bytes).map(|n| n.0)
    }

    fn decode_in_chunks(body: &[u8], chunk: usize) -> Result<List<String>, DecodeError> {
        let mut decoder = ProtoListDecoder::new(name, 1 << 20);
        for part in body.chunks(chunk) {
            decoder.feed(part)?;
        }
        decoder.finish()
    }

    #[test]
    fn every_chunking_gives_the_whole_list() {
        let names = ["a", "bb", "ccc", &"d".repeat(300)];
        let body = body(&names);
        let whole = proto::decode_list(envelope::unwrap(&body).unwrap().raw, name).unwrap();
        for chunk in 1..=body.len() {
            let list = decode_in_chunks(&body, chunk).unwrap();
            assert_eq!(list.items, names, "chunks of {chunk}");
            assert_eq!(list.metadata.resource_version.as_deref(), Some("42"));
            assert_eq!(
                (list.api_version.as_deref(), list.kind.as_deref()),
                (Some("v1"), Some("ConfigMapList"))
            );
            assert_eq!(list.items, whole.items);
        }
    }

    #[test]
    fn a_body_cut_short_is_truncated() {
        let body = body(&["a", "b"]);
        // Up to the end of the list: the two empty strings after it are all optional.
        for cut in 0..body.len() - 4 {
            let err = decode_in_chunks(&body[..cut], 7).unwrap_err();
            assert!(
                matches!(err.kind(), DecodeErrorKind::Truncated),
                "cut at {cut}: {err}"
            );
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_in_chunks(b"{\"kind\":\"PodList\"}", 4).is_err());
        let mut trailing = body(&["a"]);
        trailing.extend_from_slice(&[0xff; 12]);
        assert!(decode_in_chunks(&trailing, 3).is_err());
        let mut decoder = ProtoListDecoder::new(name, 2);
        assert!(decoder.feed(&body(&["far too long"])).is_err());
    }
}
