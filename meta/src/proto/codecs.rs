//! [`Codec`] of scalars, containers and the apimachinery value types (`Time`, `Quantity`,
//! `IntOrString`, `RawExtension`, `FieldsV1`) whose protobuf form is a small message.

use super::envelope::MAGIC;
use super::wire::{DecodeErrorKind, Reader, WireType, Writer};
use super::{merge_message, Codec, DecodeError, Message};
use crate::{
    ByteString, CompactString, FieldsV1, IntOrString, Map, MicroTime, Quantity, RawExtension,
    Shared, Time,
};

/// A run of packed scalars (`Len`) or one of them.
fn merge_scalars<T: Codec + Default>(
    list: &mut Vec<T>,
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    if wire != WireType::Len {
        let mut value = T::default();
        value.merge(wire, r)?;
        list.push(value);
        return Ok(());
    }
    let mut packed = Reader::new(r.bytes()?);
    while !packed.is_empty() {
        let mut value = T::default();
        value.merge(WireType::Varint, &mut packed)?;
        list.push(value);
    }
    Ok(())
}

macro_rules! varint_codec {
    ($ty:ty, |$v:ident| $from:expr, |$s:ident| $to:expr) => {
        impl Codec for $ty {
            fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
                r.expect(wire, WireType::Varint)?;
                let $v = r.varint()?;
                *self = $from;
                Ok(())
            }
            fn encode(&self, field: u32, w: &mut Writer) {
                let $s = *self;
                w.key(field, WireType::Varint);
                w.varint($to);
            }
            fn is_zero(&self) -> bool {
                *self == <$ty>::default()
            }
            fn merge_repeated(
                list: &mut Vec<Self>,
                wire: WireType,
                r: &mut Reader<'_>,
            ) -> Result<(), DecodeError> {
                merge_scalars(list, wire, r)
            }
        }
    };
}

varint_codec!(bool, |v| v != 0, |s| u64::from(s));
// Negative int32s are sign-extended to ten bytes on the wire, as protobuf specifies.
varint_codec!(i32, |v| v as i64 as i32, |s| i64::from(s) as u64);
varint_codec!(i64, |v| v as i64, |s| s as u64);

impl Codec for f64 {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::Fixed64)?;
        *self = f64::from_bits(r.fixed64()?);
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.key(field, WireType::Fixed64);
        w.fixed64(self.to_bits());
    }
    fn is_zero(&self) -> bool {
        *self == 0.0
    }
}

impl Codec for CompactString {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::Len)?;
        // A well-known string's static, or the shared copy inside a sharing scope.
        *self = CompactString::decoded(&r.text()?);
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.bytes(field, self.as_bytes());
    }
    fn is_zero(&self) -> bool {
        self.is_empty()
    }
}

impl Codec for String {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::Len)?;
        *self = r.text()?.into_owned();
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.bytes(field, self.as_bytes());
    }
    fn is_zero(&self) -> bool {
        self.is_empty()
    }
}

impl Codec for ByteString {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::Len)?;
        self.0 = r.bytes()?.to_vec();
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.bytes(field, &self.0);
    }
}

impl<T: Codec + Default> Codec for Option<T> {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let value = self.get_or_insert_with(T::default);
        value.merge(wire, r)?;
        if value.is_null() {
            *self = None;
        }
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        if let Some(value) = self {
            value.encode(field, w);
        }
    }
}

impl<T: Codec + Default> Codec for Vec<T> {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        T::merge_repeated(self, wire, r)
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        for value in self {
            value.encode(field, w);
        }
    }
}

/// `map<string, V>`: each entry is a message of key (1) and value (2).
impl<V: Codec + Default> Codec for Map<V> {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut entry = r.message(wire)?;
        let mut key = CompactString::default();
        let mut value = V::default();
        while !entry.is_empty() {
            match entry.key()? {
                (1, wire) => key.merge(wire, &mut entry)?,
                (2, wire) => value.merge(wire, &mut entry)?,
                (_, wire) => entry.skip(wire)?,
            }
        }
        self.insert(key, value);
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        for (key, value) in self.iter() {
            w.message(field, |w| {
                w.bytes(1, key.as_bytes());
                value.encode(2, w);
            });
        }
    }
}

/// A sub-object that equal objects may share: inside a sharing scope (with `pooling`) an
/// equal one already decoded is reused, found by its protobuf bytes.
impl<T> Codec for Shared<T>
where
    T: Message + Default + Clone + PartialEq + Send + Sync + 'static,
{
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut inner = r.message(wire)?;
        #[cfg(feature = "pooling")]
        if crate::sharing::active() {
            let bytes = inner.remaining();
            let mut value = T::default();
            merge_message(&mut value, &mut inner)?;
            *self = crate::sharing::object_keyed(value, bytes);
            return Ok(());
        }
        merge_message(&mut **self, &mut inner)
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        (**self).encode(field, w);
    }
}

/// Seconds from the Unix epoch to Go's zero `time.Time` (0001-01-01T00:00:00Z), which Go
/// writes as an empty message and JSON as `null`.
const GO_ZERO_SECONDS: i64 = -62_135_596_800;

/// Reads a `Timestamp` message (seconds 1, nanos 2); an empty one is Go's zero time.
fn read_timestamp(wire: WireType, r: &mut Reader<'_>) -> Result<(i64, i32), DecodeError> {
    let mut inner = r.message(wire)?;
    if inner.is_empty() {
        return Ok((GO_ZERO_SECONDS, 0));
    }
    let (mut seconds, mut nanos) = (0i64, 0i32);
    while !inner.is_empty() {
        match inner.key()? {
            (1, wire) => seconds.merge(wire, &mut inner)?,
            (2, wire) => nanos.merge(wire, &mut inner)?,
            (_, wire) => inner.skip(wire)?,
        }
    }
    if !(0..1_000_000_000).contains(&nanos) {
        return Err(inner.error(DecodeErrorKind::Invalid(format!(
            "timestamp nanos {nanos} out of range"
        ))));
    }
    Ok((seconds, nanos))
}

fn write_timestamp(field: u32, seconds: i64, nanos: i32, w: &mut Writer) {
    w.message(field, |w| {
        if seconds != GO_ZERO_SECONDS || nanos != 0 {
            seconds.encode(1, w);
            nanos.encode(2, w);
        }
    });
}

fn out_of_range(r: &Reader<'_>, seconds: i64) -> DecodeError {
    r.error(DecodeErrorKind::Invalid(format!(
        "timestamp {seconds} s out of range"
    )))
}

/// `metav1.Time`: whole seconds (the fraction is dropped, as Go's JSON form drops it).
impl Codec for Time {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let (seconds, _) = read_timestamp(wire, r)?;
        *self = Time::from_unix_seconds(seconds).ok_or_else(|| out_of_range(r, seconds))?;
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        write_timestamp(field, self.as_unix_seconds(), 0, w);
    }
    fn is_null(&self) -> bool {
        self.as_unix_seconds() == GO_ZERO_SECONDS
    }
}

/// `metav1.MicroTime`: microseconds (finer fractions are dropped, as in its JSON form).
impl Codec for MicroTime {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let (seconds, nanos) = read_timestamp(wire, r)?;
        let micros = seconds
            .checked_mul(1_000_000)
            .and_then(|m| m.checked_add(i64::from(nanos / 1000)))
            .and_then(MicroTime::from_unix_micros);
        *self = micros.ok_or_else(|| out_of_range(r, seconds))?;
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        let micros = self.as_unix_micros();
        let (seconds, rest) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
        write_timestamp(field, seconds, (rest * 1000) as i32, w);
    }
    fn is_null(&self) -> bool {
        self.as_unix_micros() == GO_ZERO_SECONDS * 1_000_000
    }
}

/// `resource.Quantity`: its canonical text in field 1.
impl Codec for Quantity {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut inner = r.message(wire)?;
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => self.0.merge(wire, &mut inner)?,
                (_, wire) => inner.skip(wire)?,
            }
        }
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.message(field, |w| w.bytes(1, self.0.as_bytes()));
    }
}

/// `intstr.IntOrString`: type (1: 0 int, 1 string), intVal (2), strVal (3).
impl Codec for IntOrString {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut inner = r.message(wire)?;
        let (mut kind, mut int, mut text) = (0i64, 0i32, CompactString::default());
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => kind.merge(wire, &mut inner)?,
                (2, wire) => int.merge(wire, &mut inner)?,
                (3, wire) => text.merge(wire, &mut inner)?,
                (_, wire) => inner.skip(wire)?,
            }
        }
        *self = match kind {
            0 => IntOrString::Int(int),
            1 => IntOrString::String(text),
            other => {
                return Err(inner.error(DecodeErrorKind::Invalid(format!(
                    "IntOrString type {other} (0 int, 1 string)"
                ))))
            }
        };
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.message(field, |w| match self {
            IntOrString::Int(int) => {
                0i64.encode(1, w);
                int.encode(2, w);
                w.bytes(3, b"");
            }
            IntOrString::String(text) => {
                1i64.encode(1, w);
                0i32.encode(2, w);
                w.bytes(3, text.as_bytes());
            }
        });
    }
}

/// `runtime.RawExtension`: the embedded object's JSON text in field 1 (`raw`).
impl Codec for RawExtension {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut inner = r.message(wire)?;
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => {
                    inner.expect(wire, WireType::Len)?;
                    let at = inner.clone();
                    let raw = inner.bytes()?;
                    *self = raw_extension(raw)
                        .map_err(|why| at.error(DecodeErrorKind::Invalid(why)))?;
                }
                (_, wire) => inner.skip(wire)?,
            }
        }
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.message(field, |w| {
            if !self.is_empty() {
                w.bytes(1, self.json().as_bytes());
            }
        });
    }
}

fn raw_extension(raw: &[u8]) -> Result<RawExtension, String> {
    if raw.is_empty() {
        return Ok(RawExtension::default());
    }
    if raw.starts_with(&MAGIC) {
        return Err("an embedded object in protobuf form (only JSON ones are read)".into());
    }
    let text = std::str::from_utf8(raw).map_err(|e| format!("embedded object: {e}"))?;
    RawExtension::from_json(text).map_err(|e| format!("embedded object: {e}"))
}

/// `metav1.FieldsV1`: the field set's JSON text in field 1 (`Raw`), encoded as the JSON
/// decoding does (and shared the same way inside a sharing scope).
impl Codec for FieldsV1 {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut inner = r.message(wire)?;
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => {
                    inner.expect(wire, WireType::Len)?;
                    let at = inner.clone();
                    let raw = inner.bytes()?;
                    let text = std::str::from_utf8(raw).map_err(|e| {
                        at.error(DecodeErrorKind::Invalid(format!("field set: {e}")))
                    })?;
                    *self = FieldsV1::from_json_text(text).map_err(|e| {
                        at.error(DecodeErrorKind::Invalid(format!("field set: {e}")))
                    })?;
                }
                (_, wire) => inner.skip(wire)?,
            }
        }
        Ok(())
    }
    fn encode(&self, field: u32, w: &mut Writer) {
        w.message(field, |w| w.bytes(1, self.to_json().as_bytes()));
    }
}
