//! Decoding a list page so that an item the type rejects is left out and described, not a
//! failure of the whole page: one object written by a newer client (an enum value this
//! build does not know) must not keep an informer from ever syncing. The typed decode is
//! tried first; only a page it rejects is decoded again item by item.

use serde_core::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::error::{Error, Result};
use super::request::decode;
use super::undecodable::UndecodableObject;
use crate::meta::List;

/// The page's items that decode, and a description of each one that does not.
pub(crate) fn decode_list<K: DeserializeOwned>(
    bytes: &[u8],
    verb: &str,
    url: &str,
) -> Result<(List<K>, Vec<UndecodableObject>)> {
    match decode::<List<K>>(bytes, verb, url) {
        Ok(list) => Ok((list, Vec::new())),
        Err(Error::Decode { source, .. }) if source.is_data() => item_by_item(bytes, verb, url),
        Err(e) => Err(e),
    }
}

/// Decodes the page's shape with raw items, then each item on its own.
fn item_by_item<K: DeserializeOwned>(
    bytes: &[u8],
    verb: &str,
    url: &str,
) -> Result<(List<K>, Vec<UndecodableObject>)> {
    let raw: List<Box<RawValue>> = decode(bytes, verb, url)?;
    let mut items = Vec::with_capacity(raw.items.len());
    let mut skipped = Vec::new();
    for item in raw.items {
        match serde_json::from_str::<K>(item.get()) {
            Ok(k) => items.push(k),
            Err(source) => skipped.push(UndecodableObject::from_item(
                item.get().as_bytes(),
                url,
                source,
            )),
        }
    }
    let list = List {
        api_version: raw.api_version,
        kind: raw.kind,
        metadata: raw.metadata,
        items,
    };
    Ok((list, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::Status;

    #[test]
    fn a_bad_item_is_left_out_and_described() {
        // `Status.code` is an integer: the second item is rejected.
        let page =
            br#"{"kind":"StatusList","metadata":{"resourceVersion":"9","continue":"c"},"items":[
            {"metadata":{"name":"a"},"code":1},
            {"metadata":{"name":"b","namespace":"ns","resourceVersion":"7"},"code":"two"},
            {"metadata":{"name":"c"},"code":3}]}"#;
        let (list, skipped) = decode_list::<Status>(page, "GET", "/x").unwrap();
        let codes: Vec<_> = list.items.iter().map(|s| s.code).collect();
        assert_eq!(codes, [Some(1), Some(3)]);
        assert_eq!(list.metadata.resource_version.as_deref(), Some("9"));
        assert_eq!(list.metadata.continue_.as_deref(), Some("c"));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].key(), "ns/b");
        assert_eq!(skipped[0].resource_version.as_deref(), Some("7"));
        assert!(
            skipped[0].to_string().contains("the list item ns/b"),
            "{}",
            skipped[0]
        );
    }

    #[test]
    fn a_broken_page_is_still_an_error() {
        assert!(decode_list::<Status>(b"{\"items\": [", "GET", "/x").is_err());
        assert!(decode_list::<Status>(br#"{"items": 5}"#, "GET", "/x").is_err());
    }
}
