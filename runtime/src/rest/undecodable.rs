//! A watch event whose line is well-formed JSON but whose object the watched type rejects
//! (a field of the wrong type, an enum value this build does not know). The stream goes on
//! after it; what can be read of the event leniently (its type, the object's name and
//! resource version) is kept, so a watcher can skip it explicitly instead of re-watching
//! from before it (and being served the same event again, for ever).

use std::fmt;

use serde_json::Value;

/// One watch event the watched type could not decode; see the module docs.
#[derive(Debug, thiserror::Error)]
#[error("watch {url}: the {event_type} event of {} at resourceVersion {} does not decode: {source}", Key(self), self.resource_version.as_deref().unwrap_or("?"))]
pub struct UndecodableEvent {
    /// The watch's URL.
    pub url: String,
    /// `ADDED`, `MODIFIED`, ...
    pub event_type: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// The object's `metadata.resourceVersion`: a watcher may resume after it.
    pub resource_version: Option<String>,
    #[source]
    pub source: serde_json::Error,
}

impl UndecodableEvent {
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
        let text = |field: &str| {
            metadata
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Ok(Self {
            url: url.to_owned(),
            event_type,
            namespace: text("namespace"),
            name: text("name"),
            resource_version: text("resourceVersion"),
            source,
        })
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

/// Writes `namespace/name` (`?` for a missing name).
struct Key<'a>(&'a UndecodableEvent);

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
        let e = UndecodableEvent::from_line(line, "/w", source()).unwrap();
        assert_eq!(
            (
                e.event_type.as_str(),
                e.key(),
                e.resource_version.as_deref()
            ),
            ("MODIFIED", "ns/a".to_owned(), Some("7"))
        );
        assert!(
            e.to_string()
                .contains("MODIFIED event of ns/a at resourceVersion 7"),
            "{e}"
        );
        assert!(UndecodableEvent::from_line(b"{not json", "/w", source()).is_err());
        assert!(UndecodableEvent::from_line(br#"{"type":"ADDED"}"#, "/w", source()).is_err());
    }
}
