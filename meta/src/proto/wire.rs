//! The protobuf wire format: a bounds-checked reader over a byte slice and a writer into a
//! `Vec<u8>`. Every length is checked against the input that remains before anything is
//! sliced or allocated, and nesting is bounded, so bad input is an error, never a panic, an
//! overflow of the stack or an allocation larger than the input.

use std::borrow::Cow;
use std::fmt;

/// How a field's value is laid out on the wire. Groups (wire types 3 and 4) are not used by
/// any Kubernetes message and are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireType {
    /// Wire type 0: a base-128 varint (integers, booleans, enums).
    Varint,
    /// Wire type 1: eight little-endian bytes (`double`, `fixed64`).
    Fixed64,
    /// Length-delimited: strings, bytes, messages, packed repeated scalars.
    Len,
    /// Wire type 5: four little-endian bytes (`float`, `fixed32`).
    Fixed32,
}

impl WireType {
    fn from_bits(bits: u64) -> Option<Self> {
        match bits {
            0 => Some(Self::Varint),
            1 => Some(Self::Fixed64),
            2 => Some(Self::Len),
            5 => Some(Self::Fixed32),
            _ => None,
        }
    }

    fn bits(self) -> u64 {
        match self {
            Self::Varint => 0,
            Self::Fixed64 => 1,
            Self::Len => 2,
            Self::Fixed32 => 5,
        }
    }
}

/// Messages nested deeper than this are refused (Kubernetes objects nest about 15 deep).
pub const MAX_DEPTH: u32 = 100;

/// Why protobuf input could not be decoded, where, and in which fields. One pointer wide, so
/// decoding results stay small on the success path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(Box<ErrorInner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct ErrorInner {
    kind: DecodeErrorKind,
    /// Byte offset in the input given to the outermost reader.
    offset: usize,
    /// The fields being decoded, outermost first: (message, field number).
    path: Vec<(&'static str, u32)>,
}

/// What was wrong with protobuf input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended inside a value.
    Truncated,
    /// A varint longer than ten bytes.
    VarintTooLong,
    /// A length-delimited value longer than the input that remains.
    LengthPastEnd {
        /// The length the value declared.
        length: u64,
        /// The bytes left in the input.
        remaining: usize,
    },
    /// Field number 0, or a wire type that does not exist or that protobuf no longer uses.
    InvalidKey(u64),
    /// A field whose wire type does not fit its declared type.
    WrongWireType {
        /// The wire type of the field's declared type.
        expected: WireType,
        /// The wire type in the input.
        found: WireType,
    },
    /// Messages nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A value of the right shape that means nothing (an unknown `IntOrString` type...).
    Invalid(String),
}

impl DecodeError {
    /// An error of `kind` at `offset`.
    pub fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self(Box::new(ErrorInner {
            kind,
            offset,
            path: Vec::new(),
        }))
    }

    /// What was wrong.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.0.kind
    }

    /// Byte offset in the input where it was found.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// The same error in an input where the decoded bytes start at `by`.
    pub fn shifted(mut self, by: usize) -> Self {
        self.0.offset += by;
        self
    }

    /// Records that the error happened inside field `field` of message `message` (called
    /// from the innermost message outwards).
    pub fn within(mut self, message: &'static str, field: u32) -> Self {
        self.0.path.insert(0, (message, field));
        self
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("input ends inside a value"),
            Self::VarintTooLong => f.write_str("varint longer than 10 bytes"),
            Self::LengthPastEnd { length, remaining } => write!(
                f,
                "length {length} runs past the end of its message ({remaining} bytes left)"
            ),
            Self::InvalidKey(key) => write!(f, "invalid field key {key:#x}"),
            Self::WrongWireType { expected, found } => {
                write!(f, "wire type {found:?} where {expected:?} was expected")
            }
            Self::TooDeep => write!(f, "messages nested deeper than {MAX_DEPTH}"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid protobuf at byte {}: {}",
            self.0.offset, self.0.kind
        )?;
        for (i, (message, field)) in self.0.path.iter().enumerate() {
            let sep = if i == 0 { " (in " } else { " > " };
            write!(f, "{sep}{message} field {field}")?;
        }
        if !self.0.path.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// Reads protobuf values from a byte slice, front to back.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf` in the outermost input, for error messages.
    base: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader over a whole message.
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            base: 0,
            depth: 0,
        }
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The position in the outermost input.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        &self.buf[self.pos.min(self.buf.len())..]
    }

    /// An error of `kind` at the current position.
    pub fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(kind, self.base + self.pos)
    }

    /// The next field's number and wire type.
    pub fn key(&mut self) -> Result<(u32, WireType), DecodeError> {
        let at = self.pos;
        let key = self.varint()?;
        let field = key >> 3;
        match WireType::from_bits(key & 7) {
            Some(wire) if field > 0 && field <= u64::from(u32::MAX >> 3) => {
                Ok((field as u32, wire))
            }
            _ => {
                self.pos = at;
                Err(self.error(DecodeErrorKind::InvalidKey(key)))
            }
        }
    }

    /// A base-128 varint.
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut value = 0u64;
        for i in 0..10 {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(self.error(DecodeErrorKind::Truncated));
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(self.error(DecodeErrorKind::VarintTooLong))
    }

    /// Eight little-endian bytes.
    pub fn fixed64(&mut self) -> Result<u64, DecodeError> {
        let bytes = self.take(8)?;
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        Ok(u64::from_le_bytes(word))
    }

    /// Four little-endian bytes.
    pub fn fixed32(&mut self) -> Result<u32, DecodeError> {
        let bytes = self.take(4)?;
        let mut word = [0u8; 4];
        word.copy_from_slice(bytes);
        Ok(u32::from_le_bytes(word))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(self.error(DecodeErrorKind::Truncated));
        };
        let bytes = &self.buf[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    /// A length-delimited value's bytes, the length checked against what remains.
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let at = self.pos;
        let length = self.varint()?;
        let remaining = self.buf.len() - self.pos;
        if length > remaining as u64 {
            self.pos = at;
            return Err(self.error(DecodeErrorKind::LengthPastEnd { length, remaining }));
        }
        self.take(length as usize)
    }

    /// A length-delimited value as text. Invalid UTF-8 is replaced by U+FFFD, as Go's JSON
    /// encoder does, so an object reads the same in either format.
    pub fn text(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        Ok(String::from_utf8_lossy(self.bytes()?))
    }

    /// A reader over the embedded message that comes next (wire type `Len`), one level
    /// deeper.
    pub fn message(&mut self, wire: WireType) -> Result<Reader<'a>, DecodeError> {
        self.expect(wire, WireType::Len)?;
        if self.depth >= MAX_DEPTH {
            return Err(self.error(DecodeErrorKind::TooDeep));
        }
        let bytes = self.bytes()?;
        Ok(Reader {
            buf: bytes,
            pos: 0,
            base: self.base + self.pos - bytes.len(),
            depth: self.depth + 1,
        })
    }

    /// Fails unless `found` is `expected`.
    pub fn expect(&self, found: WireType, expected: WireType) -> Result<(), DecodeError> {
        if found == expected {
            Ok(())
        } else {
            Err(self.error(DecodeErrorKind::WrongWireType { expected, found }))
        }
    }

    /// Skips a value of an unknown field.
    pub fn skip(&mut self, wire: WireType) -> Result<(), DecodeError> {
        match wire {
            WireType::Varint => self.varint().map(drop),
            WireType::Fixed64 => self.take(8).map(drop),
            WireType::Len => self.bytes().map(drop),
            WireType::Fixed32 => self.take(4).map(drop),
        }
    }
}

/// Writes protobuf values into a growing buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer that appends to `buf`.
    pub fn from_vec(buf: Vec<u8>) -> Self {
        Self { buf }
    }

    /// The bytes written.
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }

    /// A field key.
    pub fn key(&mut self, field: u32, wire: WireType) {
        self.varint((u64::from(field) << 3) | wire.bits());
    }

    /// A base-128 varint.
    pub fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.buf.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.buf.push(value as u8);
    }

    /// Eight little-endian bytes.
    pub fn fixed64(&mut self, value: u64) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    /// Field `field` holding `bytes` (a string's or a byte string's).
    pub fn bytes(&mut self, field: u32, bytes: &[u8]) {
        self.key(field, WireType::Len);
        self.varint(bytes.len() as u64);
        self.buf.extend_from_slice(bytes);
    }

    /// Field `field` holding the message `write` writes. The length goes in front once
    /// known: one byte is reserved, and the body moved only when it is 128 bytes or more.
    pub fn message(&mut self, field: u32, write: impl FnOnce(&mut Writer)) {
        self.key(field, WireType::Len);
        let at = self.buf.len();
        self.buf.push(0);
        write(self);
        let length = self.buf.len() - at - 1;
        if length < 0x80 {
            self.buf[at] = length as u8;
        } else {
            let mut prefix = Writer::new();
            prefix.varint(length as u64);
            self.buf.splice(at..=at, prefix.buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_overlong_ones_fail() {
        for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut w = Writer::new();
            w.varint(v);
            let bytes = w.into_vec();
            assert_eq!(Reader::new(&bytes).varint().unwrap(), v);
        }
        let overlong = [0xffu8; 11];
        let err = Reader::new(&overlong).varint().unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::VarintTooLong);
        let err = Reader::new(&[0x80]).varint().unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::Truncated);
    }

    #[test]
    fn lengths_past_the_end_are_refused_before_any_slicing() {
        // Field 1, Len, length 2^62: nothing may be allocated for it.
        let mut w = Writer::new();
        w.key(1, WireType::Len);
        w.varint(1 << 62);
        let bytes = w.into_vec();
        let mut r = Reader::new(&bytes);
        let (field, wire) = r.key().unwrap();
        assert_eq!((field, wire), (1, WireType::Len));
        let err = r.bytes().unwrap_err();
        assert!(matches!(
            err.kind(),
            DecodeErrorKind::LengthPastEnd { remaining: 0, .. }
        ));
        assert_eq!(err.offset(), 1);
    }

    #[test]
    fn nesting_is_bounded() {
        // Each level: field 1, Len, the rest.
        let mut bytes = Vec::new();
        for _ in 0..=MAX_DEPTH + 1 {
            let mut w = Writer::new();
            w.bytes(1, &bytes);
            bytes = w.into_vec();
        }
        let mut r = Reader::new(&bytes);
        let mut depth = 0;
        let err = loop {
            let (_, wire) = r.key().unwrap();
            match r.message(wire) {
                Ok(inner) => r = inner,
                Err(e) => break e,
            }
            depth += 1;
        };
        assert_eq!(err.kind(), &DecodeErrorKind::TooDeep);
        assert_eq!(depth, MAX_DEPTH);
    }

    #[test]
    fn long_messages_get_their_length_in_front() {
        let mut w = Writer::new();
        w.message(3, |w| w.bytes(1, &[7u8; 200]));
        let bytes = w.into_vec();
        let mut r = Reader::new(&bytes);
        let (_, wire) = r.key().unwrap();
        let mut inner = r.message(wire).unwrap();
        assert!(r.is_empty());
        let (field, _) = inner.key().unwrap();
        assert_eq!(field, 1);
        assert_eq!(inner.bytes().unwrap(), &[7u8; 200][..]);
    }

    #[test]
    fn errors_name_offset_and_fields() {
        let err = DecodeError::new(DecodeErrorKind::Truncated, 12)
            .within("PodSpec", 2)
            .within("Pod", 3);
        assert_eq!(
            err.to_string(),
            "invalid protobuf at byte 12: input ends inside a value (in Pod field 3 > PodSpec field 2)"
        );
    }
}
