//! SPDY/3 frames: their binary layout, and the zlib-compressed header blocks of
//! `SYN_STREAM`, `SYN_REPLY` and `HEADERS` (one compression stream per direction of a
//! session, primed with the SPDY/3 dictionary and flushed after every block).
//!
//! Every frame has an 8-byte head. A control frame: the control bit and the version (3),
//! the type, the flags and a 24-bit length. A data frame: a 31-bit stream id, the flags
//! and the length.

use bytes::Bytes;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::dictionary::{DICTIONARY, DICTIONARY_ID};

/// The SPDY version of every control frame.
pub const VERSION: u16 = 3;
/// `FLAG_FIN`: the sender's side of the stream ends with this frame.
pub const FLAG_FIN: u8 = 0x01;
/// The most data one frame carries (its length field has 24 bits).
pub const MAX_FRAME_DATA: usize = (1 << 24) - 1;
/// The most a header block may hold once decompressed, unless a [`Decoder`] is told
/// otherwise: Kubernetes' streams carry a handful of short headers.
pub const DEFAULT_MAX_HEADER_BLOCK: usize = 256 * 1024;

const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const SETTINGS: u16 = 4;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const HEADERS: u16 = 8;
const WINDOW_UPDATE: u16 = 9;

/// `RST_STREAM` status codes used here.
pub mod rst {
    /// The peer broke the protocol.
    pub const PROTOCOL_ERROR: u32 = 1;
    /// The stream was refused before any processing.
    pub const REFUSED_STREAM: u32 = 3;
    /// The stream is no longer needed.
    pub const CANCEL: u32 = 5;
}

/// A header block: names in lower case, in the order sent (several values of one name
/// are joined by NUL bytes, as SPDY sends them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// The value of `name` (lower case), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Adds a header; the name is lower-cased, as SPDY requires.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.0.push((name.to_ascii_lowercase(), value.into()));
        self
    }
}

/// One SPDY/3 frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Opens a stream (`SYN_STREAM`).
    SynStream {
        /// The new stream's id (odd from the client).
        stream_id: u32,
        /// The stream it belongs to; 0 for none.
        associated_to: u32,
        /// 0 (highest) to 7.
        priority: u8,
        /// [`FLAG_FIN`], or 0.
        flags: u8,
        /// The stream's headers (Kubernetes' `streamtype`, `port`...).
        headers: Headers,
    },
    /// Accepts a stream (`SYN_REPLY`).
    SynReply {
        /// The stream accepted.
        stream_id: u32,
        /// [`FLAG_FIN`], or 0.
        flags: u8,
        /// The reply's headers.
        headers: Headers,
    },
    /// Ends a stream abnormally (`RST_STREAM`).
    RstStream {
        /// The stream reset.
        stream_id: u32,
        /// Why: one of [`rst`]'s codes.
        status: u32,
    },
    /// Settings (id, value) with their flags; this client and Kubernetes' servers act on
    /// none of them.
    Settings {
        /// The frame's flags.
        flags: u8,
        /// The settings sent.
        entries: Vec<Setting>,
    },
    /// A ping, answered with the same id (`PING`).
    Ping {
        /// The ping's id (odd from the client).
        id: u32,
    },
    /// The session ends (`GOAWAY`).
    GoAway {
        /// The last stream the sender acted on.
        last_good_stream_id: u32,
        /// 0 (OK), 1 (protocol error) or 2 (internal error).
        status: u32,
    },
    /// More headers for a stream (`HEADERS`).
    Headers {
        /// The stream they belong to.
        stream_id: u32,
        /// [`FLAG_FIN`], or 0.
        flags: u8,
        /// The headers.
        headers: Headers,
    },
    /// The receiver may send `delta` more bytes on a stream (`WINDOW_UPDATE`).
    WindowUpdate {
        /// The stream the window grows on.
        stream_id: u32,
        /// Bytes added to the window.
        delta: u32,
    },
    /// Bytes of a stream.
    Data {
        /// The stream they belong to.
        stream_id: u32,
        /// [`FLAG_FIN`], or 0.
        flags: u8,
        /// The bytes.
        data: Bytes,
    },
}

/// One entry of a `SETTINGS` frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The entry's flags (persist, persisted).
    pub flags: u8,
    /// Which setting (`SETTINGS_INITIAL_WINDOW_SIZE` is 7).
    pub id: u32,
    /// Its value.
    pub value: u32,
}

/// A frame that breaks the protocol, or a header block that cannot be read.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// A control frame of another SPDY version.
    #[error("control frame of SPDY version {0}, not 3")]
    UnsupportedVersion(u16),
    /// A payload whose length the frame's layout does not allow.
    #[error("{frame} frame with a payload of {length} bytes, which its layout does not allow")]
    BadLength {
        /// The frame's type.
        frame: &'static str,
        /// The payload's length.
        length: usize,
    },
    /// A frame that must name a stream named stream 0.
    #[error("{frame} frame for stream 0")]
    ZeroStreamId {
        /// The frame's type.
        frame: &'static str,
    },
    /// A frame longer than this side accepts.
    #[error("{frame} frame of {length} bytes, over the limit of {limit}")]
    TooLarge {
        /// The frame's type.
        frame: &'static str,
        /// The payload's length.
        length: usize,
        /// The most accepted.
        limit: usize,
    },
    /// A header block that does not decompress or parse.
    #[error("header block: {0}")]
    HeaderBlock(String),
    /// A header block over the decompressed limit.
    #[error("header block larger than {limit} bytes once decompressed")]
    HeaderBlockTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The input ended inside a frame.
    #[error("the connection ended in the middle of a frame ({read} of {expected} bytes)")]
    Truncated {
        /// Bytes of the frame read.
        read: usize,
        /// Bytes the frame needed.
        expected: usize,
    },
}

/// The 8-byte head of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    raw: [u8; 8],
}

impl Head {
    /// Bytes in a head.
    pub const LEN: usize = 8;

    /// The head read from the wire.
    pub fn new(raw: [u8; 8]) -> Self {
        Self { raw }
    }

    /// The length of the payload that follows.
    pub fn payload_len(&self) -> usize {
        usize::from(self.raw[5]) << 16 | usize::from(self.raw[6]) << 8 | usize::from(self.raw[7])
    }

    fn is_control(&self) -> bool {
        self.raw[0] & 0x80 != 0
    }

    fn flags(&self) -> u8 {
        self.raw[4]
    }

    /// The most payload a frame of this head may carry: data up to the protocol's limit,
    /// control frames up to `max_control`.
    pub fn limit(&self, max_control: usize) -> (&'static str, usize) {
        if self.is_control() {
            ("control", max_control)
        } else {
            ("DATA", MAX_FRAME_DATA)
        }
    }
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

fn stream_id_at(data: &[u8], at: usize) -> u32 {
    u32_at(data, at) & 0x7fff_ffff
}

/// Writes frames, compressing header blocks with this direction's zlib stream.
pub struct Encoder {
    deflate: Compress,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    /// An encoder with a fresh compression stream.
    pub fn new() -> Self {
        let mut deflate = Compress::new(Compression::best(), true);
        // A fresh stream accepts a dictionary; this cannot fail.
        if let Err(e) = deflate.set_dictionary(DICTIONARY) {
            tracing::error!(error = %e, "spdy: priming the header compressor failed");
        }
        Self { deflate }
    }

    /// Appends `frame` to `out`.
    pub fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> Result<(), FrameError> {
        if let Frame::Data {
            stream_id,
            flags,
            data,
        } = frame
        {
            if data.len() > MAX_FRAME_DATA {
                return Err(FrameError::TooLarge {
                    frame: "DATA",
                    length: data.len(),
                    limit: MAX_FRAME_DATA,
                });
            }
            out.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
            push_flags_len(out, *flags, data.len());
            out.extend_from_slice(data);
            return Ok(());
        }
        let mut payload = Vec::new();
        let (kind, flags) = match frame {
            Frame::SynStream {
                stream_id,
                associated_to,
                priority,
                flags,
                headers,
            } => {
                payload.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
                payload.extend_from_slice(&(associated_to & 0x7fff_ffff).to_be_bytes());
                payload.push((priority & 0x07) << 5);
                payload.push(0); // slot
                self.header_block(headers, &mut payload)?;
                (SYN_STREAM, *flags)
            }
            Frame::SynReply {
                stream_id,
                flags,
                headers,
            } => {
                payload.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
                self.header_block(headers, &mut payload)?;
                (SYN_REPLY, *flags)
            }
            Frame::Headers {
                stream_id,
                flags,
                headers,
            } => {
                payload.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
                self.header_block(headers, &mut payload)?;
                (HEADERS, *flags)
            }
            Frame::RstStream { stream_id, status } => {
                payload.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
                payload.extend_from_slice(&status.to_be_bytes());
                (RST_STREAM, 0)
            }
            Frame::Settings { flags, entries } => {
                payload.extend_from_slice(&(entries.len() as u32).to_be_bytes());
                for e in entries {
                    payload.push(e.flags);
                    payload.extend_from_slice(&(e.id & 0x00ff_ffff).to_be_bytes()[1..]);
                    payload.extend_from_slice(&e.value.to_be_bytes());
                }
                (SETTINGS, *flags)
            }
            Frame::Ping { id } => {
                payload.extend_from_slice(&id.to_be_bytes());
                (PING, 0)
            }
            Frame::GoAway {
                last_good_stream_id,
                status,
            } => {
                payload.extend_from_slice(&(last_good_stream_id & 0x7fff_ffff).to_be_bytes());
                payload.extend_from_slice(&status.to_be_bytes());
                (GOAWAY, 0)
            }
            Frame::WindowUpdate { stream_id, delta } => {
                payload.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
                payload.extend_from_slice(&(delta & 0x7fff_ffff).to_be_bytes());
                (WINDOW_UPDATE, 0)
            }
            Frame::Data { .. } => unreachable!("data frames are written above"),
        };
        if payload.len() > MAX_FRAME_DATA {
            return Err(FrameError::TooLarge {
                frame: "control",
                length: payload.len(),
                limit: MAX_FRAME_DATA,
            });
        }
        out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
        out.extend_from_slice(&kind.to_be_bytes());
        push_flags_len(out, flags, payload.len());
        out.extend_from_slice(&payload);
        Ok(())
    }

    /// The header block, compressed and flushed so the peer can read it whole.
    fn header_block(&mut self, headers: &Headers, out: &mut Vec<u8>) -> Result<(), FrameError> {
        let plain = plain_header_block(headers)?;
        let mut input = plain.as_slice();
        loop {
            out.reserve(input.len() / 2 + 64);
            let before = self.deflate.total_in();
            let status = self
                .deflate
                .compress_vec(input, out, FlushCompress::Sync)
                .map_err(|e| FrameError::HeaderBlock(format!("compressing: {e}")))?;
            let consumed = (self.deflate.total_in() - before) as usize;
            input = &input[consumed..];
            // Done once all input is in and the flush fit in the space given.
            if input.is_empty() && out.len() < out.capacity() {
                return Ok(());
            }
            if status == Status::StreamEnd {
                return Err(FrameError::HeaderBlock(
                    "the compressor ended its stream".into(),
                ));
            }
        }
    }
}

fn push_flags_len(out: &mut Vec<u8>, flags: u8, len: usize) {
    out.push(flags);
    out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
}

/// The uncompressed block: the number of pairs, then each name and value with its
/// 32-bit length.
fn plain_header_block(headers: &Headers) -> Result<Vec<u8>, FrameError> {
    let too_long = || FrameError::HeaderBlock("a header longer than 4 GiB".into());
    let mut out = Vec::new();
    let count = u32::try_from(headers.0.len()).map_err(|_| too_long())?;
    out.extend_from_slice(&count.to_be_bytes());
    for (name, value) in &headers.0 {
        for part in [name.as_bytes(), value.as_bytes()] {
            let len = u32::try_from(part.len()).map_err(|_| too_long())?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(part);
        }
    }
    Ok(out)
}

/// Reads frames, decompressing header blocks with the peer's zlib stream.
pub struct Decoder {
    inflate: Decompress,
    max_header_block: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_HEADER_BLOCK)
    }
}

impl Decoder {
    /// A decoder that refuses header blocks larger than `max_header_block` bytes once
    /// decompressed.
    pub fn new(max_header_block: usize) -> Self {
        Self {
            inflate: Decompress::new(true),
            max_header_block,
        }
    }

    /// The frame of `head` and its `payload`; `None` for a control frame of a type SPDY/3
    /// does not define (which the protocol says to ignore).
    pub fn decode(&mut self, head: Head, payload: Bytes) -> Result<Option<Frame>, FrameError> {
        let flags = head.flags();
        let len = payload.len();
        if !head.is_control() {
            let stream_id = stream_id_at(&head.raw, 0);
            if stream_id == 0 {
                return Err(FrameError::ZeroStreamId { frame: "DATA" });
            }
            return Ok(Some(Frame::Data {
                stream_id,
                flags,
                data: payload,
            }));
        }
        let version = u16::from_be_bytes([head.raw[0], head.raw[1]]) & 0x7fff;
        if version != VERSION {
            return Err(FrameError::UnsupportedVersion(version));
        }
        let kind = u16::from_be_bytes([head.raw[2], head.raw[3]]);
        let need = |frame: &'static str, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(FrameError::BadLength { frame, length: len })
            }
        };
        let stream = |frame: &'static str| {
            let id = stream_id_at(&payload, 0);
            if id == 0 {
                Err(FrameError::ZeroStreamId { frame })
            } else {
                Ok(id)
            }
        };
        let frame = match kind {
            SYN_STREAM => {
                need("SYN_STREAM", len >= 10)?;
                Frame::SynStream {
                    stream_id: stream("SYN_STREAM")?,
                    associated_to: stream_id_at(&payload, 4),
                    priority: payload[8] >> 5,
                    flags,
                    headers: self.header_block(&payload[10..])?,
                }
            }
            SYN_REPLY => {
                need("SYN_REPLY", len >= 4)?;
                Frame::SynReply {
                    stream_id: stream("SYN_REPLY")?,
                    flags,
                    headers: self.header_block(&payload[4..])?,
                }
            }
            HEADERS => {
                need("HEADERS", len >= 4)?;
                Frame::Headers {
                    stream_id: stream("HEADERS")?,
                    flags,
                    headers: self.header_block(&payload[4..])?,
                }
            }
            RST_STREAM => {
                need("RST_STREAM", len == 8)?;
                Frame::RstStream {
                    stream_id: stream("RST_STREAM")?,
                    status: u32_at(&payload, 4),
                }
            }
            SETTINGS => {
                need("SETTINGS", len >= 4)?;
                let count = u32_at(&payload, 0) as usize;
                need(
                    "SETTINGS",
                    count.checked_mul(8).and_then(|n| n.checked_add(4)) == Some(len),
                )?;
                let entries = payload[4..]
                    .chunks_exact(8)
                    .map(|e| Setting {
                        flags: e[0],
                        id: u32::from_be_bytes([0, e[1], e[2], e[3]]),
                        value: u32_at(e, 4),
                    })
                    .collect();
                Frame::Settings { flags, entries }
            }
            PING => {
                need("PING", len == 4)?;
                Frame::Ping {
                    id: u32_at(&payload, 0),
                }
            }
            GOAWAY => {
                // SPDY/2's GOAWAY had no status; accept both.
                need("GOAWAY", len == 8 || len == 4)?;
                Frame::GoAway {
                    last_good_stream_id: stream_id_at(&payload, 0),
                    status: if len == 8 { u32_at(&payload, 4) } else { 0 },
                }
            }
            WINDOW_UPDATE => {
                need("WINDOW_UPDATE", len == 8)?;
                Frame::WindowUpdate {
                    stream_id: stream_id_at(&payload, 0),
                    delta: u32_at(&payload, 4) & 0x7fff_ffff,
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(frame))
    }

    /// Decompresses and parses a header block. Every block continues the same zlib
    /// stream, so a block that fails leaves the session unusable (as SPDY says).
    fn header_block(&mut self, compressed: &[u8]) -> Result<Headers, FrameError> {
        let plain = self.inflate_block(compressed)?;
        parse_header_block(&plain)
    }

    fn inflate_block(&mut self, compressed: &[u8]) -> Result<Vec<u8>, FrameError> {
        let limit = self.max_header_block;
        let mut out = Vec::new();
        let mut chunk = [0u8; 4096];
        let mut input = compressed;
        loop {
            let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
            let result = self
                .inflate
                .decompress(input, &mut chunk, FlushDecompress::Sync);
            let consumed = (self.inflate.total_in() - in_before) as usize;
            let produced = (self.inflate.total_out() - out_before) as usize;
            input = &input[consumed..];
            out.extend_from_slice(&chunk[..produced]);
            if out.len() > limit {
                return Err(FrameError::HeaderBlockTooLarge { limit });
            }
            match result {
                Ok(Status::StreamEnd) => {
                    return Err(FrameError::HeaderBlock(
                        "the peer ended its compression stream".into(),
                    ))
                }
                Ok(_) => {}
                Err(e) => match e.needs_dictionary() {
                    Some(DICTIONARY_ID) => {
                        self.inflate.set_dictionary(DICTIONARY).map_err(|e| {
                            FrameError::HeaderBlock(format!("setting the dictionary: {e}"))
                        })?;
                        continue;
                    }
                    Some(other) => {
                        return Err(FrameError::HeaderBlock(format!(
                            "compressed with dictionary {other:#010x}, not SPDY/3's"
                        )))
                    }
                    None => return Err(FrameError::HeaderBlock(format!("decompressing: {e}"))),
                },
            }
            // All input read and the output not cut off by the chunk's size: the block is
            // whole (the sender flushed it).
            if input.is_empty() && produced < chunk.len() {
                return Ok(out);
            }
            if consumed == 0 && produced == 0 {
                return Err(FrameError::HeaderBlock(
                    "the compressed block does not decompress".into(),
                ));
            }
        }
    }
}

/// Parses the pairs of an uncompressed header block.
fn parse_header_block(block: &[u8]) -> Result<Headers, FrameError> {
    let bad = |what: String| FrameError::HeaderBlock(what);
    if block.len() < 4 {
        return Err(bad("no pair count".into()));
    }
    let count = u32_at(block, 0) as usize;
    let mut rest = &block[4..];
    // One length-prefixed field from the front of `rest`.
    let mut field = |what: &dyn Fn() -> String| -> Result<&[u8], FrameError> {
        if rest.len() < 4 {
            return Err(bad(format!("cut short before the length of {}", what())));
        }
        let len = u32_at(rest, 0) as usize;
        if rest.len() - 4 < len {
            return Err(bad(format!(
                "{} of {len} bytes runs past the block",
                what()
            )));
        }
        let (value, tail) = rest[4..].split_at(len);
        rest = tail;
        Ok(value)
    };
    let text = |bytes: &[u8], what: &dyn Fn() -> String| {
        String::from_utf8(bytes.to_vec()).map_err(|_| bad(format!("{} is not UTF-8", what())))
    };
    // Every pair takes at least 8 bytes: a count larger than that cannot be honest.
    let mut headers = Vec::with_capacity(count.min(block.len() / 8));
    for i in 0..count {
        let name_of = || format!("the name of pair {i}");
        let value_of = || format!("the value of pair {i}");
        let name = text(field(&name_of)?, &name_of)?;
        let value = text(field(&value_of)?, &value_of)?;
        if name.is_empty() {
            return Err(bad(format!("pair {i} has an empty name")));
        }
        headers.push((name.to_ascii_lowercase(), value));
    }
    if !rest.is_empty() {
        return Err(bad(format!("{} bytes after the {count} pairs", rest.len())));
    }
    Ok(Headers(headers))
}

/// Why reading a frame failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The bytes are no valid frame.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The connection failed.
    #[error("reading a frame: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads the next frame the protocol defines (skipping others); `None` once the peer has
/// closed the connection between frames. A control frame's payload is limited to the
/// decoder's header-block limit plus a little: its compressed block may not be larger.
pub async fn read_frame<R>(
    reader: &mut R,
    decoder: &mut Decoder,
) -> Result<Option<Frame>, ReadError>
where
    R: tokio::io::AsyncRead + Unpin,
{
    let max_control = decoder.max_header_block.saturating_add(1024);
    loop {
        let mut raw = [0u8; Head::LEN];
        let got = read_full(reader, &mut raw).await?;
        if got == 0 {
            return Ok(None);
        }
        if got < Head::LEN {
            return Err(FrameError::Truncated {
                read: got,
                expected: Head::LEN,
            }
            .into());
        }
        let head = Head::new(raw);
        let length = head.payload_len();
        let (frame, limit) = head.limit(max_control);
        if length > limit {
            return Err(FrameError::TooLarge {
                frame,
                length,
                limit,
            }
            .into());
        }
        let mut payload = vec![0u8; length];
        let got = read_full(reader, &mut payload).await?;
        if got < length {
            return Err(FrameError::Truncated {
                read: Head::LEN + got,
                expected: Head::LEN + length,
            }
            .into());
        }
        if let Some(frame) = decoder.decode(head, Bytes::from(payload))? {
            return Ok(Some(frame));
        }
    }
}

/// Fills `buf` unless the reader ends first: how many bytes were read.
async fn read_full<R>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize>
where
    R: tokio::io::AsyncRead + Unpin,
{
    use tokio::io::AsyncReadExt;
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]).await? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        pairs
            .iter()
            .fold(Headers::default(), |h, (n, v)| h.with(n, *v))
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    async fn round_trip(frames: &[Frame]) -> Vec<Frame> {
        let mut encoder = Encoder::new();
        let mut wire = Vec::new();
        for f in frames {
            encoder.encode(f, &mut wire).unwrap();
        }
        let mut decoder = Decoder::default();
        let mut reader = wire.as_slice();
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut reader, &mut decoder).await.unwrap() {
            out.push(f);
        }
        out
    }

    #[test]
    fn the_dictionary_is_spdy3s() {
        assert_eq!(DICTIONARY.len(), 1423);
        // Adler-32, computed here so a typo in the table cannot hide.
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in DICTIONARY {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(b << 16 | a, DICTIONARY_ID);
    }

    #[tokio::test]
    async fn every_frame_round_trips() {
        let frames = vec![
            Frame::SynStream {
                stream_id: 1,
                associated_to: 0,
                priority: 3,
                flags: 0,
                headers: headers(&[("streamType", "error"), ("port", "8080")]),
            },
            Frame::SynReply {
                stream_id: 1,
                flags: FLAG_FIN,
                headers: Headers::default(),
            },
            Frame::Headers {
                stream_id: 3,
                flags: 0,
                headers: headers(&[("a", "b\0c")]),
            },
            Frame::RstStream {
                stream_id: 5,
                status: rst::CANCEL,
            },
            Frame::Settings {
                flags: 1,
                entries: vec![Setting {
                    flags: 1,
                    id: 7,
                    value: 65536,
                }],
            },
            Frame::Ping { id: 2 },
            Frame::GoAway {
                last_good_stream_id: 7,
                status: 0,
            },
            Frame::WindowUpdate {
                stream_id: 0,
                delta: 1 << 20,
            },
            Frame::Data {
                stream_id: 9,
                flags: FLAG_FIN,
                data: Bytes::from_static(b"hello"),
            },
            Frame::Data {
                stream_id: 11,
                flags: 0,
                data: Bytes::new(),
            },
        ];
        let mut expected = frames.clone();
        // Names go out in lower case.
        if let Frame::SynStream { headers, .. } = &mut expected[0] {
            assert_eq!(headers.get("streamtype"), Some("error"));
        }
        assert_eq!(round_trip(&frames).await, expected);
    }

    #[test]
    fn frame_heads_have_spdy3s_layout() {
        let mut out = Vec::new();
        let mut encoder = Encoder::new();
        encoder
            .encode(&Frame::Ping { id: 0x0102_0304 }, &mut out)
            .unwrap();
        assert_eq!(out, [0x80, 3, 0, 6, 0, 0, 0, 4, 1, 2, 3, 4]);
        out.clear();
        encoder
            .encode(
                &Frame::Data {
                    stream_id: 5,
                    flags: FLAG_FIN,
                    data: Bytes::from_static(b"ab"),
                },
                &mut out,
            )
            .unwrap();
        assert_eq!(out, [0, 0, 0, 5, 1, 0, 0, 2, b'a', b'b']);
        out.clear();
        encoder
            .encode(
                &Frame::RstStream {
                    stream_id: 3,
                    status: rst::REFUSED_STREAM,
                },
                &mut out,
            )
            .unwrap();
        assert_eq!(out, [0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 3, 0, 0, 0, 3]);
    }

    /// Header blocks compressed by C zlib (as Go's `compress/zlib` writes them, which
    /// Kubernetes' SPDY uses): two blocks of one stream, the second relying on the first.
    #[test]
    fn header_blocks_of_another_zlib_decompress() {
        let first = hex("78f9e3c6a7c202a62346703a2b294a4dcc851625aca9a08006000000ffff");
        let second = hex("02651c0c2960624ec90797d1c022bb084c5b18581800000000ffff");
        let mut decoder = Decoder::default();
        assert_eq!(
            decoder.header_block(&first).unwrap(),
            headers(&[("streamtype", "error")])
        );
        assert_eq!(
            decoder.header_block(&second).unwrap(),
            headers(&[("streamtype", "stdout"), ("port", "8080")])
        );
        // And ours start with the zlib header naming SPDY/3's dictionary.
        let mut encoder = Encoder::new();
        let mut out = Vec::new();
        encoder
            .header_block(&headers(&[("streamtype", "error")]), &mut out)
            .unwrap();
        assert_eq!(&out[..6], &hex("78f9e3c6a7c2")[..]);
        assert_eq!(&out[out.len() - 4..], &[0, 0, 0xff, 0xff]);
        let mut decoder = Decoder::default();
        assert_eq!(
            decoder.header_block(&out).unwrap(),
            headers(&[("streamtype", "error")])
        );
    }

    #[tokio::test]
    async fn bad_frames_are_typed_errors() {
        async fn read(wire: &[u8]) -> Result<Option<Frame>, ReadError> {
            let mut reader = wire;
            read_frame(&mut reader, &mut Decoder::default()).await
        }
        let err = |r: Result<Option<Frame>, ReadError>| match r {
            Err(ReadError::Frame(e)) => e,
            other => panic!("expected a frame error, got {other:?}"),
        };
        assert!(read(&[]).await.unwrap().is_none());
        assert_eq!(
            err(read(&[0x80, 3, 0]).await),
            FrameError::Truncated {
                read: 3,
                expected: 8
            }
        );
        assert_eq!(
            err(read(&[0x80, 3, 0, 6, 0, 0, 0, 4, 1]).await),
            FrameError::Truncated {
                read: 9,
                expected: 12
            }
        );
        assert_eq!(
            err(read(&[0x80, 2, 0, 6, 0, 0, 0, 4, 1, 2, 3, 4]).await),
            FrameError::UnsupportedVersion(2)
        );
        assert_eq!(
            err(read(&[0x80, 3, 0, 6, 0, 0, 0, 3, 1, 2, 3]).await),
            FrameError::BadLength {
                frame: "PING",
                length: 3
            }
        );
        assert_eq!(
            err(read(&[0, 0, 0, 0, 0, 0, 0, 0]).await),
            FrameError::ZeroStreamId { frame: "DATA" }
        );
        // A control frame longer than any header block allowed: refused before reading it.
        assert!(matches!(
            err(read(&[0x80, 3, 0, 1, 0, 0xff, 0xff, 0xff]).await),
            FrameError::TooLarge { .. }
        ));
        // Garbage where a header block belongs.
        let mut garbage = vec![0x80, 3, 0, 2, 0, 0, 0, 12, 0, 0, 0, 1];
        garbage.extend_from_slice(b"notzlib!");
        assert!(matches!(
            err(read(&garbage).await),
            FrameError::HeaderBlock(_)
        ));
        // Unknown control frame types are skipped.
        let wire = [
            0x80, 3, 0, 0x42, 0, 0, 0, 1, 9, 0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 2,
        ];
        assert_eq!(read(&wire).await.unwrap(), Some(Frame::Ping { id: 2 }));
    }

    #[test]
    fn oversized_and_lying_header_blocks_are_refused() {
        // 300 KiB of one header value: compresses small, decompresses over the limit.
        let big = "x".repeat(300 * 1024);
        let mut encoder = Encoder::new();
        let mut out = Vec::new();
        encoder
            .header_block(&headers(&[("big", &big)]), &mut out)
            .unwrap();
        assert!(out.len() < 4096, "{}", out.len());
        assert_eq!(
            Decoder::default().header_block(&out),
            Err(FrameError::HeaderBlockTooLarge {
                limit: DEFAULT_MAX_HEADER_BLOCK
            })
        );
        // A count of pairs the block does not hold.
        let mut plain = vec![0xff, 0xff, 0xff, 0xff];
        plain.extend_from_slice(&[0, 0, 0, 1, b'a', 0, 0, 0, 1, b'b']);
        assert!(matches!(
            parse_header_block(&plain),
            Err(FrameError::HeaderBlock(m)) if m.contains("pair 1")
        ));
        assert!(matches!(
            parse_header_block(&[0, 0, 0, 1, 0, 0, 0, 9, b'a']),
            Err(FrameError::HeaderBlock(m)) if m.contains("runs past")
        ));
    }
}
