//! Protobuf (`application/vnd.kubernetes.protobuf`), the API server's binary encoding of
//! built-in kinds: the wire format ([`wire`]), how each field type is read and written
//! ([`Codec`]), the hand-written codecs of the apimachinery types, and the envelope around
//! every object on the wire ([`envelope`]).
//!
//! Generated kinds implement [`Message`] from the `generated.proto` files of their
//! Kubernetes version (field numbers and types), into the same types and the same
//! memory-saving representation as the JSON decoding: inside a sharing scope
//! ([`crate::sharing`]) long strings, field sets and `Shared` sub-objects come from the same
//! pools, sub-objects matched by their protobuf bytes.
//!
//! Decoding follows Go's rules for proto2: unknown fields are skipped, a repeated scalar may
//! come packed or not, the last occurrence of a singular field wins, messages merge.

mod codecs;
pub mod envelope;
mod meta_types;
pub mod wire;

pub use meta_types::{decode_list, encode_list};
pub use wire::{DecodeError, DecodeErrorKind, Reader, WireType, Writer};

/// A protobuf message: a struct whose fields are read one by one as they come.
pub trait Message {
    /// The message's name, for error messages.
    const NAME: &'static str;

    /// Reads one occurrence of field `field`; unknown fields are skipped.
    fn merge_field(
        &mut self,
        field: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError>;

    /// Writes every set field.
    fn encode_fields(&self, w: &mut Writer);
}

/// How a field's Rust type is read from and written to the wire.
pub trait Codec {
    /// Reads one occurrence of the field into `self` (messages merge, scalars replace).
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError>;

    /// Writes the value as field `field`.
    fn encode(&self, field: u32, w: &mut Writer);

    /// True for the value Go writes for a field it holds by value and JSON leaves out
    /// (`omitempty`): `""`, `0`, `false`. Only scalars have one.
    fn is_zero(&self) -> bool {
        false
    }

    /// True for a value whose JSON form is `null` (Go's zero `Time`, written as an empty
    /// message): an `Option` holding it reads as `None`.
    fn is_null(&self) -> bool {
        false
    }

    /// Reads one occurrence of a repeated field into `list`: one more element, or (scalars)
    /// a packed run of them.
    fn merge_repeated(
        list: &mut Vec<Self>,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError>
    where
        Self: Sized + Default,
    {
        let mut value = Self::default();
        value.merge(wire, r)?;
        list.push(value);
        Ok(())
    }
}

impl<M: Message> Codec for M {
    fn merge(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut inner = r.message(wire)?;
        merge_message(self, &mut inner)
    }

    fn encode(&self, field: u32, w: &mut Writer) {
        w.message(field, |w| self.encode_fields(w));
    }
}

/// Reads every field of a message body into `message`.
pub fn merge_message<M: Message + ?Sized>(
    message: &mut M,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    while !r.is_empty() {
        let (field, wire) = r.key()?;
        message
            .merge_field(field, wire, r)
            .map_err(|e| e.within(M::NAME, field))?;
    }
    Ok(())
}

/// Decodes a message body (without envelope).
pub fn decode<M: Message + Default>(bytes: &[u8]) -> Result<M, DecodeError> {
    let mut message = M::default();
    merge_message(&mut message, &mut Reader::new(bytes))?;
    Ok(message)
}

/// Encodes a message body (without envelope).
pub fn encode<M: Message + ?Sized>(message: &M) -> Vec<u8> {
    let mut w = Writer::new();
    message.encode_fields(&mut w);
    w.into_vec()
}

/// Reads field occurrences into an `Option`, where Go holds the field by value and JSON
/// leaves its zero value out: a zero value on the wire reads as `None`, as in JSON.
pub fn merge_unless_zero<T: Codec + Default>(
    slot: &mut Option<T>,
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    let mut value = T::default();
    value.merge(wire, r)?;
    *slot = (!value.is_zero()).then_some(value);
    Ok(())
}

/// Reads a fresh value of a field (a one-of member that replaces another).
pub fn merge_new<T: Codec + Default>(wire: WireType, r: &mut Reader<'_>) -> Result<T, DecodeError> {
    let mut value = T::default();
    value.merge(wire, r)?;
    Ok(value)
}

/// Reads a Go struct embedded inline (`json:",inline"`): on the wire a nested message
/// called `name`, whose fields `merge_field` stores in the enclosing struct.
pub fn merge_inline(
    name: &'static str,
    wire: WireType,
    r: &mut Reader<'_>,
    mut merge_field: impl FnMut(u32, WireType, &mut Reader<'_>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    let mut inner = r.message(wire)?;
    while !inner.is_empty() {
        let (field, wire) = inner.key()?;
        merge_field(field, wire, &mut inner).map_err(|e| e.within(name, field))?;
    }
    Ok(())
}

/// A map whose values Go holds as a slice and protobuf as a message wrapping a repeated
/// field 1 (`map<string, ExtraValue>`): reads one entry.
pub fn merge_map_of_lists<T: Codec + Default>(
    map: &mut Option<crate::Map<Vec<T>>>,
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    let mut entry = r.message(wire)?;
    let mut key = crate::CompactString::default();
    let mut values = Vec::new();
    while !entry.is_empty() {
        match entry.key()? {
            (1, wire) => key.merge(wire, &mut entry)?,
            (2, wire) => {
                let mut list = entry.message(wire)?;
                while !list.is_empty() {
                    match list.key()? {
                        (1, wire) => T::merge_repeated(&mut values, wire, &mut list)?,
                        (_, wire) => list.skip(wire)?,
                    }
                }
            }
            (_, wire) => entry.skip(wire)?,
        }
    }
    map.get_or_insert_with(Default::default).insert(key, values);
    Ok(())
}

/// Writes a map of lists the way [`merge_map_of_lists`] reads it.
pub fn encode_map_of_lists<T: Codec>(map: &Option<crate::Map<Vec<T>>>, field: u32, w: &mut Writer) {
    for (key, values) in map.iter().flat_map(|m| m.iter()) {
        w.message(field, |w| {
            w.bytes(1, key.as_bytes());
            w.message(2, |w| {
                for value in values {
                    value.encode(1, w);
                }
            });
        });
    }
}

/// How a generated kind is decoded and encoded, for code generic over kinds that may have
/// no protobuf form (the runtime's clients and informers; custom resources have none).
pub struct KindCodec<K> {
    /// Decodes a message body.
    pub decode: fn(&[u8]) -> Result<K, DecodeError>,
    /// Writes a message body.
    pub encode: fn(&K, &mut Writer),
}

impl<K> Clone for KindCodec<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for KindCodec<K> {}

impl<K> std::fmt::Debug for KindCodec<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KindCodec")
    }
}

impl<K: Message + Default> KindCodec<K> {
    /// The codec of a message type.
    pub const fn of() -> Self {
        Self {
            decode: decode::<K>,
            encode: encode_fields::<K>,
        }
    }
}

fn encode_fields<K: Message>(kind: &K, w: &mut Writer) {
    kind.encode_fields(w);
}

#[cfg(test)]
mod tests;
