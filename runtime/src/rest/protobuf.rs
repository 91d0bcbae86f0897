//! Content negotiation of protobuf (`application/vnd.kubernetes.protobuf`): the Accept
//! header of built-in kinds, and reading enveloped objects from answers that came as
//! protobuf — the server may answer JSON anyway, which is then decoded as JSON.

use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};

use crate::meta::proto::{self, envelope, DecodeError, DecodeErrorKind};
use crate::meta::{List, Resource, Status};

/// What gets, lists and watches of built-in kinds ask for: protobuf, else JSON (as
/// client-go's protobuf clients ask).
pub(crate) const ACCEPT: HeaderValue =
    HeaderValue::from_static("application/vnd.kubernetes.protobuf, application/json");

/// A protobuf decoder: of a message body (what `runtime.Unknown.raw` holds) for items and
/// watch events, of a whole answer, envelope included, for reads (`object_decoder`,
/// `list_decoder`).
pub(crate) type Decode<T> = fn(&[u8]) -> Result<T, DecodeError>;

/// Whether an answer's `Content-Type` is protobuf (a body or a watch stream).
pub(crate) fn is_protobuf(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with(envelope::MEDIA_TYPE))
}

/// Decodes an enveloped object with `decode`.
pub(crate) fn decode_enveloped<T>(bytes: &[u8], decode: Decode<T>) -> Result<T, DecodeError> {
    let unknown = envelope::unwrap(bytes)?;
    // Errors name offsets in the whole body: `raw` starts this far into it.
    let raw_at = (unknown.raw.as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
    decode(unknown.raw).map_err(|e| e.shifted(raw_at))
}

/// The protobuf decoder of a whole (enveloped) answer holding one `K`, when `K` has a codec.
pub(crate) fn object_decoder<K: Resource>() -> Option<Decode<K>> {
    K::protobuf().map(|_| decode_object::<K> as Decode<K>)
}

/// The protobuf decoder of a whole (enveloped) answer holding a list of `K`, when `K` has a
/// codec.
pub(crate) fn list_decoder<K: Resource>() -> Option<Decode<List<K>>> {
    K::protobuf().map(|_| decode_list::<K> as Decode<List<K>>)
}

fn decode_object<K: Resource>(body: &[u8]) -> Result<K, DecodeError> {
    decode_enveloped(body, codec::<K>()?.decode)
}

/// The list's type strings come from the envelope, as a JSON list's come from its body
/// (`PodList`, or `PartialObjectMetadataList` for the metadata-only view).
fn decode_list<K: Resource>(body: &[u8]) -> Result<List<K>, DecodeError> {
    let item = codec::<K>()?.decode;
    let unknown = envelope::unwrap(body)?;
    let raw_at = (unknown.raw.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
    let mut list = proto::decode_list(unknown.raw, item).map_err(|e| e.shifted(raw_at))?;
    list.api_version = Some(unknown.api_version).filter(|v| !v.is_empty());
    list.kind = Some(unknown.kind).filter(|k| !k.is_empty());
    Ok(list)
}

fn codec<K: Resource>() -> Result<proto::KindCodec<K>, DecodeError> {
    K::protobuf().ok_or_else(|| {
        DecodeError::new(
            DecodeErrorKind::Invalid(format!("{} has no protobuf codec", K::KIND)),
            0,
        )
    })
}

/// A `Status` from an enveloped error answer, if `body` is one.
pub(crate) fn status(body: &[u8]) -> Option<Status> {
    if !body.starts_with(&envelope::MAGIC) {
        return None;
    }
    let unknown = envelope::unwrap(body).ok()?;
    let mut status: Status = proto::decode(unknown.raw).ok()?;
    status.kind = Some(unknown.kind).filter(|k| !k.is_empty());
    status.api_version = Some(unknown.api_version).filter(|v| !v.is_empty());
    Some(status)
}
