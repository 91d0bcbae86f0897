//! Decoding a JSON list while its body streams in, one item at a time.
//!
//! A list of 50,000 pods is over 400 MB of JSON. Reading it whole before decoding holds the
//! text and the objects at once (and a growing buffer doubles on the way), so the text, not
//! the cache, sets the process's peak memory; and nothing is decoded until the last byte
//! arrived. [`ListFramer`] finds each item's bytes in the chunks as they come (in place when
//! an item lies within one chunk, else assembled from several), and [`ListDecoder`] decodes
//! them at once: memory is the decoded objects plus one item's text.
//!
//! An item the type rejects is left out and described ([`UndecodableObject`]), not a failure
//! of the whole list: one object written by a newer client (an enum value this build does
//! not know) must not keep an informer from ever syncing.

use serde_core::de::DeserializeOwned;

use super::error::{Error, Result};
use super::request::decode;
use super::undecodable::UndecodableObject;
use crate::meta::List;

/// Where the framer is in the list's JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the list's opening `{`.
    Start,
    /// Inside the list object, between members (expecting a key, `,` or the closing `}`).
    Members,
    /// Inside a member's key string (`escaped`: after a backslash).
    Key { escaped: bool },
    /// After a key, before its `:`.
    Colon,
    /// After `:`, before the value.
    BeforeValue,
    /// Inside a member's value other than `items` (copied to the envelope).
    Value {
        depth: u32,
        in_string: bool,
        escaped: bool,
        /// A scalar (number, `true`, `null`): ends at a delimiter.
        scalar: bool,
    },
    /// Inside the `items` array, between items.
    Items,
    /// Inside one item object.
    Item {
        depth: u32,
        in_string: bool,
        escaped: bool,
    },
    /// After the list's closing `}`.
    End,
}

impl Phase {
    /// Whitespace between tokens means nothing here.
    fn skips_whitespace(self) -> bool {
        matches!(
            self,
            Phase::Start
                | Phase::Members
                | Phase::Colon
                | Phase::BeforeValue
                | Phase::Items
                | Phase::End
        )
    }
}

/// Splits a list's JSON text, fed chunk by chunk, into its items and an envelope: the list
/// with an empty `items` array (`kind`, `apiVersion`, `metadata`).
#[derive(Debug)]
pub(crate) struct ListFramer {
    phase: Phase,
    /// The list without its items' text.
    envelope: Vec<u8>,
    /// The key being read (only `items` matters; other keys are only copied).
    key: Vec<u8>,
    /// The text of an item that spans chunks.
    partial: Vec<u8>,
    /// Bound on one item's text.
    max_item: usize,
}

/// Why a list body could not be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FrameError {
    #[error("expected {expected} at byte {offset}, found {found:?}")]
    Unexpected {
        expected: &'static str,
        offset: usize,
        found: char,
    },
    #[error("one list item is larger than {max} bytes")]
    ItemTooLarge { max: usize },
    #[error("the list ends early (truncated body)")]
    Truncated,
}

impl ListFramer {
    /// A framer whose items may each be up to `max_item` bytes.
    pub(crate) fn new(max_item: usize) -> Self {
        Self {
            phase: Phase::Start,
            envelope: Vec::with_capacity(256),
            key: Vec::new(),
            partial: Vec::new(),
            max_item,
        }
    }

    /// Takes in the next chunk, handing each item completed in it to `on_item`. `offset` is
    /// the chunk's position in the body (for errors).
    pub(crate) fn feed<E: From<FrameError>>(
        &mut self,
        chunk: &[u8],
        offset: usize,
        on_item: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut pos = 0;
        while pos < chunk.len() {
            pos = match self.phase {
                Phase::Item { .. } => self.scan_item(chunk, pos, on_item)?,
                _ => self.step(chunk[pos], offset + pos)? + pos,
            };
        }
        Ok(())
    }

    /// The envelope once the whole body was fed: the list's JSON with `"items":[]`.
    pub(crate) fn finish(self) -> std::result::Result<Vec<u8>, FrameError> {
        match self.phase {
            Phase::End => Ok(self.envelope),
            _ => Err(FrameError::Truncated),
        }
    }

    /// One byte outside an item; returns how many bytes it used (0 when an item starts at
    /// it: `scan_item` takes it from there).
    fn step(&mut self, b: u8, offset: usize) -> std::result::Result<usize, FrameError> {
        let unexpected = |expected| FrameError::Unexpected {
            expected,
            offset,
            found: char::from(b),
        };
        match self.phase {
            _ if b.is_ascii_whitespace() && self.phase.skips_whitespace() => {}
            Phase::Start if b == b'{' => {
                self.envelope.push(b);
                self.phase = Phase::Members;
            }
            Phase::Start => return Err(unexpected("a JSON object")),
            Phase::End => return Err(unexpected("the end of the body")),
            Phase::Members => match b {
                b'"' => {
                    self.key.clear();
                    self.phase = Phase::Key { escaped: false };
                }
                b'}' => {
                    self.envelope.push(b);
                    self.phase = Phase::End;
                }
                b',' => {}
                _ => return Err(unexpected("a member name or '}'")),
            },
            Phase::Key { escaped } => {
                if b == b'"' && !escaped {
                    self.phase = Phase::Colon;
                } else {
                    // Kept as written (escapes too): only compared with `items` and copied.
                    self.key.push(b);
                    self.phase = Phase::Key {
                        escaped: b == b'\\' && !escaped,
                    };
                }
            }
            Phase::Colon if b == b':' => self.phase = Phase::BeforeValue,
            Phase::Colon => return Err(unexpected("':'")),
            Phase::BeforeValue => {
                self.begin_member();
                if b == b'[' && self.key == b"items" {
                    self.envelope.push(b);
                    self.phase = Phase::Items;
                } else {
                    self.envelope.push(b);
                    self.phase = Phase::Value {
                        depth: u32::from(matches!(b, b'{' | b'[')),
                        in_string: b == b'"',
                        escaped: false,
                        scalar: !matches!(b, b'{' | b'[' | b'"'),
                    };
                }
            }
            Phase::Value {
                depth,
                in_string,
                escaped,
                scalar,
            } => {
                if scalar && (matches!(b, b',' | b'}') || b.is_ascii_whitespace()) {
                    self.phase = Phase::Members;
                    return self.step(b, offset);
                }
                self.envelope.push(b);
                let (depth, in_string, escaped) = match (in_string, escaped, b) {
                    (true, true, _) => (depth, true, false),
                    (true, false, b'\\') => (depth, true, true),
                    (true, false, b'"') => (depth, false, false),
                    (true, false, _) => (depth, true, false),
                    (false, _, b'"') => (depth, true, false),
                    (false, _, b'{' | b'[') => (depth + 1, false, false),
                    (false, _, b'}' | b']') => (depth.saturating_sub(1), false, false),
                    (false, _, _) => (depth, false, false),
                };
                self.phase = if !scalar && !in_string && depth == 0 {
                    Phase::Members
                } else {
                    Phase::Value {
                        depth,
                        in_string,
                        escaped,
                        scalar,
                    }
                };
            }
            Phase::Items => match b {
                b'{' => {
                    self.partial.clear();
                    self.phase = Phase::Item {
                        depth: 0,
                        in_string: false,
                        escaped: false,
                    };
                    return Ok(0);
                }
                b']' => {
                    self.envelope.push(b);
                    self.phase = Phase::Members;
                }
                b',' => {}
                _ => return Err(unexpected("a list item object")),
            },
            Phase::Item { .. } => unreachable!("items are scanned by scan_item"),
        }
        Ok(1)
    }

    /// Writes the separator and key of the member whose value is copied next.
    fn begin_member(&mut self) {
        if self.envelope.len() > 1 {
            self.envelope.push(b',');
        }
        self.envelope.push(b'"');
        self.envelope.extend_from_slice(&self.key);
        self.envelope.extend_from_slice(b"\":");
    }

    /// Scans an item from `start` for its closing brace: a whole item is handed to
    /// `on_item`; the text of one that goes on past the chunk is kept. Returns where
    /// scanning stopped.
    fn scan_item<E: From<FrameError>>(
        &mut self,
        chunk: &[u8],
        start: usize,
        on_item: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<usize, E> {
        let Phase::Item {
            mut depth,
            mut in_string,
            mut escaped,
        } = self.phase
        else {
            return Ok(start);
        };
        let mut i = start;
        let end = loop {
            if i >= chunk.len() {
                break None;
            }
            if escaped {
                escaped = false;
                i += 1;
                continue;
            }
            let found = if in_string {
                memchr::memchr2(b'"', b'\\', &chunk[i..])
            } else {
                memchr::memchr3(b'"', b'{', b'}', &chunk[i..])
            };
            let Some(at) = found else { break None };
            i += at;
            match chunk[i] {
                b'\\' => escaped = true,
                b'"' => in_string = !in_string,
                b'{' => depth += 1,
                _ => {
                    depth -= 1;
                    if depth == 0 {
                        break Some(i + 1);
                    }
                }
            }
            i += 1;
        };
        match end {
            Some(end) => {
                if self.partial.is_empty() {
                    self.check_size(end - start)?;
                    on_item(&chunk[start..end])?;
                } else {
                    self.check_size(self.partial.len() + end - start)?;
                    self.partial.extend_from_slice(&chunk[start..end]);
                    let item = std::mem::take(&mut self.partial);
                    on_item(&item)?;
                    self.partial = item;
                    self.partial.clear();
                }
                self.phase = Phase::Items;
                Ok(end)
            }
            None => {
                self.check_size(self.partial.len() + chunk.len() - start)?;
                self.partial.extend_from_slice(&chunk[start..]);
                self.phase = Phase::Item {
                    depth,
                    in_string,
                    escaped,
                };
                Ok(chunk.len())
            }
        }
    }

    fn check_size(&self, len: usize) -> std::result::Result<(), FrameError> {
        if len > self.max_item {
            return Err(FrameError::ItemTooLarge { max: self.max_item });
        }
        Ok(())
    }
}

/// Decodes a list's items as its body streams in.
pub(crate) struct ListDecoder<K> {
    framer: ListFramer,
    items: Vec<K>,
    skipped: Vec<UndecodableObject>,
    /// Leave out items `K` rejects (else the first one fails the list).
    lenient: bool,
    received: usize,
    verb: String,
    url: String,
}

impl<K: DeserializeOwned> ListDecoder<K> {
    /// A decoder for the body of `verb url`; `max_item` bounds one item's text.
    pub(crate) fn new(verb: &str, url: &str, max_item: usize, lenient: bool) -> Self {
        Self {
            framer: ListFramer::new(max_item),
            items: Vec::new(),
            skipped: Vec::new(),
            lenient,
            received: 0,
            verb: verb.to_owned(),
            url: url.to_owned(),
        }
    }

    /// Decodes the items completed by the next chunk of the body.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        let offset = self.received;
        self.received += chunk.len();
        let Self {
            framer,
            items,
            skipped,
            lenient,
            verb: _,
            url,
            ..
        } = self;
        framer
            .feed(chunk, offset, &mut |item: &[u8]| {
                match serde_json::from_slice::<K>(item) {
                    Ok(k) => items.push(k),
                    Err(source) if *lenient && source.is_data() => {
                        skipped.push(UndecodableObject::from_item(item, url, source));
                    }
                    Err(source) => return Err(ItemError::Decode(source)),
                }
                Ok(())
            })
            .map_err(|e| self.error(e))
    }

    /// The list (its items in order) and the items left out, once the body has ended.
    pub(crate) fn finish(self) -> Result<(List<K>, Vec<UndecodableObject>)> {
        let envelope = self
            .framer
            .finish()
            .map_err(|e| frame_error(&self.verb, &self.url, e))?;
        let shape: List<serde_core::de::IgnoredAny> =
            decode(&envelope, self.verb.as_str(), &self.url)?;
        let list = List {
            api_version: shape.api_version,
            kind: shape.kind,
            metadata: shape.metadata,
            items: self.items,
        };
        Ok((list, self.skipped))
    }

    fn error(&self, e: ItemError) -> Error {
        match e {
            ItemError::Frame(e) => frame_error(&self.verb, &self.url, e),
            ItemError::Decode(source) => Error::Decode {
                what: format!("an item of a list of {}", short_name::<K>()),
                verb: self.verb.clone(),
                url: self.url.clone(),
                source,
            },
        }
    }
}

/// What stopped a list's decoding at an item.
enum ItemError {
    Frame(FrameError),
    Decode(serde_json::Error),
}

impl From<FrameError> for ItemError {
    fn from(e: FrameError) -> Self {
        ItemError::Frame(e)
    }
}

fn frame_error(verb: &str, url: &str, e: FrameError) -> Error {
    Error::Decode {
        what: "a list".to_owned(),
        verb: verb.to_owned(),
        url: url.to_owned(),
        source: <serde_json::Error as serde_core::de::Error>::custom(e),
    }
}

fn short_name<K>() -> &'static str {
    let full = std::any::type_name::<K>();
    full.rsplit("::").next().unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::Status;

    /// Frames `body` cut into chunks of `size` bytes; returns the items and the envelope.
    fn frame(body: &[u8], size: usize) -> std::result::Result<(Vec<String>, String), FrameError> {
        let mut framer = ListFramer::new(1 << 20);
        let mut items = Vec::new();
        let mut offset = 0;
        for chunk in body.chunks(size) {
            framer.feed(chunk, offset, &mut |item: &[u8]| {
                items.push(String::from_utf8(item.to_vec()).unwrap());
                Ok::<(), FrameError>(())
            })?;
            offset += chunk.len();
        }
        let envelope = framer.finish()?;
        Ok((items, String::from_utf8(envelope).unwrap()))
    }

    const LIST: &str = r#" {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"c}{"},
        "items":[ {"metadata":{"name":"a}\"{"},"spec":{"x":[1,{"y":"}"}]}},
        {"metadata":{"name":"b\\"}} ,{} ], "extra": [1, "]", {"z": null}], "n": 12 , "t":true}"#;

    #[test]
    fn items_and_envelope_at_every_chunk_size() {
        let want_items = [
            r#"{"metadata":{"name":"a}\"{"},"spec":{"x":[1,{"y":"}"}]}}"#,
            r#"{"metadata":{"name":"b\\"}}"#,
            "{}",
        ];
        let want_envelope = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"c}{"},"items":[],"extra":[1, "]", {"z": null}],"n":12,"t":true}"#;
        for size in 1..=LIST.len() {
            let (items, envelope) = frame(LIST.as_bytes(), size).unwrap();
            assert_eq!(items, want_items, "chunk size {size}");
            assert_eq!(envelope, want_envelope, "chunk size {size}");
            serde_json::from_str::<serde_json::Value>(&envelope).unwrap();
        }
    }

    #[test]
    fn truncated_and_malformed_bodies_are_errors() {
        for cut in [0, 1, 10, 60, 100, LIST.len() - 1] {
            let body = &LIST.as_bytes()[..cut];
            assert!(frame(body, 7).is_err(), "cut at {cut} must fail");
        }
        assert!(matches!(
            frame(b"[1,2]", 3),
            Err(FrameError::Unexpected { .. })
        ));
        assert!(matches!(
            frame(br#"{"items":[1]}"#, 3),
            Err(FrameError::Unexpected { .. })
        ));
        assert!(matches!(
            frame(br#"{"items":[]} x"#, 3),
            Err(FrameError::Unexpected { .. })
        ));
    }

    #[test]
    fn an_item_over_the_bound_is_an_error() {
        let mut framer = ListFramer::new(8);
        let r = framer.feed(
            br#"{"items":[{"a":"0123456789"}]}"#,
            0,
            &mut |_: &[u8]| Ok::<(), FrameError>(()),
        );
        assert_eq!(r, Err(FrameError::ItemTooLarge { max: 8 }));
    }

    fn decode_list<K: DeserializeOwned>(
        page: &[u8],
        chunk: usize,
        lenient: bool,
    ) -> Result<(List<K>, Vec<UndecodableObject>)> {
        let mut decoder = ListDecoder::<K>::new("GET", "/x", 1 << 20, lenient);
        for c in page.chunks(chunk) {
            decoder.feed(c)?;
        }
        decoder.finish()
    }

    const PAGE: &[u8] =
        br#"{"kind":"StatusList","metadata":{"resourceVersion":"9","continue":"c"},"items":[
        {"metadata":{"name":"a"},"code":1},
        {"metadata":{"name":"b","namespace":"ns","resourceVersion":"7"},"code":"two"},
        {"metadata":{"name":"c"},"code":3}]}"#;

    #[test]
    fn a_bad_item_is_left_out_and_described() {
        for chunk in [1, 5, 64, PAGE.len()] {
            let (list, skipped) = decode_list::<Status>(PAGE, chunk, true).unwrap();
            let codes: Vec<_> = list.items.iter().map(|s| s.code).collect();
            assert_eq!(codes, [Some(1), Some(3)]);
            assert_eq!(list.kind.as_deref(), Some("StatusList"));
            assert_eq!(list.metadata.resource_version.as_deref(), Some("9"));
            assert_eq!(list.metadata.continue_.as_deref(), Some("c"));
            assert_eq!(skipped.len(), 1);
            assert_eq!(skipped[0].key(), "ns/b");
            assert_eq!(skipped[0].resource_version.as_deref(), Some("7"));
            assert!(skipped[0].to_string().contains("the list item ns/b"));
        }
    }

    #[test]
    fn strict_decoding_fails_on_a_bad_item() {
        let err = decode_list::<Status>(PAGE, 16, false).unwrap_err();
        assert!(err.to_string().contains("Status"), "{err}");
    }

    #[test]
    fn a_broken_page_is_still_an_error() {
        assert!(decode_list::<Status>(b"{\"items\": [", 3, true).is_err());
        assert!(decode_list::<Status>(br#"{"items": 5}"#, 3, true).is_err());
        assert!(decode_list::<Status>(br#"{"metadata": 5, "items": []}"#, 3, true).is_err());
    }
}
