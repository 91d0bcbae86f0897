//! An object that is well-formed JSON but that the expected type rejects (a field of the
//! wrong type, an enum value this build does not know), in a watch event or a list page.
//! A watch goes on after it and a lenient list leaves it out; what can be read of it
//! leniently (the event's type, the object's name and resource version) is kept, so a
//! watcher can skip it explicitly instead of re-watching from before it (and being served
//! the same event again, for ever).

use std::fmt;

use serde_json::Value;

/// One object the expected type could not decode; see the module docs.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {}{} at resourceVersion {} does not decode: {source}", What(self), Key(self), self.resource_version.as_deref().unwrap_or("?"))]
pub struct UndecodableObject {
    /// The URL of the watch or list.
    pub url: String,
    /// `ADDED`, `MODIFIED`, ... for a watch event; `None` for a list item.
    pub event_type: Option<String>,
    /// The object's namespace, if it could be read.
    pub namespace: Option<String>,
    /// The object's name, if it could be read.
    pub name: Option<String>,
    /// The object's `metadata.resourceVersion`: a watcher may resume after it.
    pub resource_version: Option<String>,
    /// Why it does not decode.
    #[source]
    pub source: serde_json::Error,
}

impl UndecodableObject {
    /// Reads what it can of a line that did not decode as an event of the watched type;
    /// gives `source` back when the line is not even a JSON watch event with an object.
    pub(crate) fn from_line(
        line: &[u8],
        url: &str,
        source: serde_json::Error,
    ) -> Result<Self, serde_json::Error> {
        let Some((event_type, metadata)) = lenient_event(line) else {
            return Err(source);
        };
        Ok(Self::new(url, Some(event_type), &metadata, source))
    }

    /// Describes a list item that did not decode; `item` is its raw JSON.
    pub(crate) fn from_item(item: &[u8], url: &str, source: serde_json::Error) -> Self {
        let metadata = serde_json::from_slice::<Value>(item)
            .ok()
            .and_then(|mut v| v.get_mut("metadata").map(Value::take))
            .unwrap_or_default();
        Self::new(url, None, &metadata, source)
    }

    fn new(
        url: &str,
        event_type: Option<String>,
        metadata: &Value,
        source: serde_json::Error,
    ) -> Self {
        let text = |field: &str| {
            metadata
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Self {
            url: url.to_owned(),
            event_type,
            namespace: text("namespace"),
            name: text("name"),
            resource_version: text("resourceVersion"),
            source,
        }
    }

    /// The object's cache key: `namespace/name`, or `name` at cluster scope.
    pub fn key(&self) -> String {
        Key(self).to_string()
    }
}

/// The `type` and `object.metadata` of a watch line, read as untyped JSON.
fn lenient_event(line: &[u8]) -> Option<(String, Value)> {
    let mut event: Value = serde_json::from_slice(line.trim_ascii()).ok()?;
    let event_type = event.get("type")?.as_str()?.to_owned();
    let metadata = event.get_mut("object")?.get_mut("metadata")?.take();
    Some((event_type, metadata))
}

/// Writes `the MODIFIED event of ` or `the list item ` before the key.
struct What<'a>(&'a UndecodableObject);

impl fmt::Display for What<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.event_type {
            Some(t) => write!(f, "the {t} event of "),
            None => f.write_str("the list item "),
        }
    }
}

/// Writes `namespace/name` (`?` for a missing name).
struct Key<'a>(&'a UndecodableObject);

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ns) = self.0.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            write!(f, "{ns}/")?;
        }
        f.write_str(self.0.name.as_deref().unwrap_or("?"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> serde_json::Error {
        serde_json::from_str::<u8>("x").unwrap_err()
    }

    #[test]
    fn reads_type_key_and_version_leniently() {
        let line = br#"{"type":"MODIFIED","object":{"metadata":{"namespace":"ns","name":"a","resourceVersion":"7"},"spec":{"replicas":"many"}}}"#;
        let e = UndecodableObject::from_line(line, "/w", source()).unwrap();
        assert_eq!(
            (
                e.event_type.as_deref(),
                e.key(),
                e.resource_version.as_deref()
            ),
            (Some("MODIFIED"), "ns/a".to_owned(), Some("7"))
        );
        assert!(
            e.to_string()
                .contains("MODIFIED event of ns/a at resourceVersion 7"),
            "{e}"
        );
        assert!(UndecodableObject::from_line(b"{not json", "/w", source()).is_err());
        assert!(UndecodableObject::from_line(br#"{"type":"ADDED"}"#, "/w", source()).is_err());
    }
}
