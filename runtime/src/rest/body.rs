//! A response body in the encoding the server chose: as sent, or gzip-decoded.
//!
//! A client that asks for compression ([`Config::compression`](crate::config::Config), on by
//! default) sends `Accept-Encoding: gzip`; the API server then gzips whole answers of 128 KiB or
//! more (lists, large objects) and never a watch. The body is decoded chunk by chunk as it
//! arrives, so a compressed list still streams into the list decoders.

use std::io::Write;

use bytes::Bytes;
use flate2::write::GzDecoder;
use http::header::CONTENT_ENCODING;
use http::HeaderMap;
use hyper::body::Incoming;

use super::deadline::{next_frame, ReadLimits};
use super::error::{TransportError, TransportErrorKind};

/// The body of one response, decoded as its `Content-Encoding` says.
#[derive(Debug)]
pub(crate) struct Body {
    incoming: Incoming,
    decoder: Decoder,
}

impl Body {
    /// The body of a response with these `headers`.
    pub(crate) fn new(incoming: Incoming, headers: &HeaderMap) -> Self {
        Self {
            incoming,
            decoder: Decoder::for_headers(headers),
        }
    }

    /// Whether the wire bytes are decoded (so the response's `Content-Encoding` and
    /// `Content-Length` describe the wire, not the body one reads).
    pub(crate) fn is_decoded(&self) -> bool {
        matches!(self.decoder, Decoder::Gzip(_))
    }

    /// The next chunk of the decoded body within `limits`: `Ok(None)` at its end. Never an
    /// empty chunk.
    pub(crate) async fn next_chunk(
        &mut self,
        limits: ReadLimits,
    ) -> Result<Option<Bytes>, TransportError> {
        self.decoder.check()?;
        loop {
            let Some(frame) = next_frame(&mut self.incoming, limits).await? else {
                let rest = self.decoder.finish()?;
                return Ok((!rest.is_empty()).then_some(rest));
            };
            // Trailers carry no data; skip them.
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let decoded = self.decoder.decode(data)?;
            if !decoded.is_empty() {
                return Ok(Some(decoded));
            }
        }
    }
}

/// Turns the bytes on the wire into the body's bytes.
#[derive(Debug)]
enum Decoder {
    Identity,
    /// Decodes into its `Vec`, which each chunk empties.
    Gzip(Box<GzDecoder<Vec<u8>>>),
    /// An encoding the client never asked for: reading fails.
    Unsupported(String),
}

impl Decoder {
    fn for_headers(headers: &HeaderMap) -> Self {
        match headers.get(CONTENT_ENCODING).map(|v| v.to_str()) {
            None => Decoder::Identity,
            Some(Ok(e)) if e.trim().eq_ignore_ascii_case("identity") => Decoder::Identity,
            Some(Ok(e)) if e.trim().eq_ignore_ascii_case("gzip") => {
                Decoder::Gzip(Box::new(GzDecoder::new(Vec::new())))
            }
            Some(Ok(e)) => Decoder::Unsupported(e.to_owned()),
            Some(Err(_)) => Decoder::Unsupported("(not ASCII)".to_owned()),
        }
    }

    /// Fails for an encoding that cannot be decoded.
    fn check(&self) -> Result<(), TransportError> {
        match self {
            Decoder::Unsupported(name) => Err(TransportError::new(
                TransportErrorKind::Body,
                format!(
                    "the server answered with Content-Encoding {name:?}, which was not asked for"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The body bytes of the next wire bytes (possibly none yet).
    fn decode(&mut self, wire: Bytes) -> Result<Bytes, TransportError> {
        self.check()?;
        match self {
            Decoder::Gzip(decoder) => {
                decoder.write_all(&wire).map_err(corrupt)?;
                Ok(Bytes::from(std::mem::take(decoder.get_mut())))
            }
            _ => Ok(wire),
        }
    }

    /// The last body bytes at the end of the wire body, after checking that a gzip stream
    /// was complete (a truncated one is an error, not a short body).
    fn finish(&mut self) -> Result<Bytes, TransportError> {
        match std::mem::replace(self, Decoder::Identity) {
            Decoder::Gzip(decoder) => Ok(Bytes::from(decoder.finish().map_err(corrupt)?)),
            other => {
                *self = other;
                Ok(Bytes::new())
            }
        }
    }
}

fn corrupt(e: std::io::Error) -> TransportError {
    TransportError::new(
        TransportErrorKind::Body,
        format!("the gzip-encoded body is corrupt: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use http::HeaderValue;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn decoder(encoding: Option<&str>) -> Decoder {
        let mut headers = HeaderMap::new();
        if let Some(e) = encoding {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_str(e).unwrap());
        }
        Decoder::for_headers(&headers)
    }

    /// Feeds `wire` in chunks of `size` and returns everything decoded.
    fn feed(d: &mut Decoder, wire: &[u8], size: usize) -> Result<Vec<u8>, TransportError> {
        let mut out = Vec::new();
        for chunk in wire.chunks(size) {
            out.extend_from_slice(&d.decode(Bytes::copy_from_slice(chunk))?);
        }
        out.extend_from_slice(&d.finish()?);
        Ok(out)
    }

    fn body() -> Vec<u8> {
        (0..200_000u32)
            .flat_map(|i| format!("{{\"n\":{i}}}").into_bytes())
            .collect()
    }

    #[test]
    fn gzip_decodes_whatever_the_chunking() {
        let body = body();
        let wire = gzip(&body);
        for size in [1, 7, 10, 4096, wire.len()] {
            let mut d = decoder(Some("gzip"));
            assert_eq!(feed(&mut d, &wire, size).unwrap(), body, "chunks of {size}");
        }
    }

    #[test]
    fn identity_passes_bytes_through() {
        for encoding in [None, Some("identity")] {
            let mut d = decoder(encoding);
            assert_eq!(feed(&mut d, b"{\"a\":1}", 3).unwrap(), b"{\"a\":1}");
        }
    }

    #[test]
    fn a_truncated_or_corrupt_gzip_body_is_an_error() {
        let wire = gzip(&body());
        let mut d = decoder(Some("gzip"));
        let err = feed(&mut d, &wire[..wire.len() / 2], 4096).unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Body);

        let mut garbage = wire.clone();
        garbage[100..200].fill(0xAB);
        let mut d = decoder(Some("gzip"));
        assert!(feed(&mut d, &garbage, 4096).is_err());

        let mut d = decoder(Some("gzip"));
        assert!(feed(&mut d, b"not gzip at all", 4).is_err());
    }

    #[test]
    fn an_encoding_not_asked_for_is_an_error_naming_it() {
        let mut d = decoder(Some("br"));
        let err = d.decode(Bytes::from_static(b"x")).unwrap_err();
        assert!(err.to_string().contains("br") || format!("{err:?}").contains("br"));
    }
}
