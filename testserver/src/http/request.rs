//! The parts of a request the handlers read: path segments, query, headers, body.

use std::collections::HashMap;

use bytes::Bytes;
use hyper::{HeaderMap, Method};
use percent_encoding::percent_decode_str;

/// A fully read request.
pub(crate) struct Req {
    /// Method.
    pub method: Method,
    /// Path without the query.
    pub path: String,
    /// Query parameters (first value of each).
    pub query: HashMap<String, String>,
    /// The query as sent, for parameters given more than once (`command=a&command=b`).
    pub raw_query: String,
    /// Headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    /// The authenticated user name.
    pub user: String,
    /// The connection the request came in on, for injected resets.
    pub conn: super::ConnReset,
    /// `Warning` headers for the response.
    pub warnings: Warnings,
    /// The connection's protocol upgrade, taken by a handler that answers `101`.
    pub upgrade: std::sync::Mutex<Option<hyper::upgrade::OnUpgrade>>,
}

/// The `Warning` headers a handler adds to its response (`299 - "text"`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Warnings(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Warnings {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds the header `299 - "<text>"` (quotes and backslashes escaped).
    pub(crate) fn push(&self, text: &str) {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        self.lock().push(format!("299 - \"{escaped}\""));
    }

    /// Writes the collected headers.
    pub(crate) fn write_headers(&self, headers: &mut HeaderMap) {
        for w in self.lock().iter() {
            if let Ok(v) = hyper::header::HeaderValue::from_str(w) {
                headers.append(hyper::header::WARNING, v);
            }
        }
    }
}

/// Parses `a=b&c=d` with percent and `+` decoding.
pub(crate) fn parse_query(q: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in form_pairs(q) {
        out.entry(k).or_insert(v);
    }
    out
}

/// The decoded pairs of a query, in order.
fn form_pairs(q: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let dec = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    q.split('&').filter(|p| !p.is_empty()).map(move |pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (dec(k), dec(v))
    })
}

impl Req {
    /// Every value of a query parameter, in order.
    pub(crate) fn q_all(&self, k: &str) -> Vec<String> {
        form_pairs(&self.raw_query)
            .filter(|(name, _)| name == k)
            .map(|(_, v)| v)
            .collect()
    }

    /// Takes the connection's upgrade (once).
    pub(crate) fn take_upgrade(&self) -> Option<hyper::upgrade::OnUpgrade> {
        self.upgrade
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// A query parameter.
    pub(crate) fn q(&self, k: &str) -> Option<&str> {
        self.query.get(k).map(String::as_str)
    }

    /// A boolean query parameter (`true`/`1`).
    pub(crate) fn q_bool(&self, k: &str) -> bool {
        matches!(self.q(k), Some("true") | Some("1") | Some("True"))
    }

    /// Adds a `Warning` header to the response.
    pub(crate) fn warn(&self, text: String) {
        self.warnings.push(&text);
    }

    /// A header as text.
    pub(crate) fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }

    /// The media type of the body (without parameters).
    pub(crate) fn content_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("application/json")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// The manager name for update operations: `fieldManager`, else the user agent's
    /// first word, else `unknown` (as the API server derives it).
    pub(crate) fn field_manager(&self) -> String {
        if let Some(m) = self.q("fieldManager").filter(|m| !m.is_empty()) {
            return m.to_string();
        }
        match self.header("user-agent") {
            Some(ua) if !ua.is_empty() => ua.split('/').next().unwrap_or("unknown").to_string(),
            _ => "unknown".into(),
        }
    }

    /// What representation the client asked for via `Accept`.
    pub(crate) fn output(&self) -> Output {
        let accept = self.header("accept").unwrap_or("");
        for part in accept.split(',') {
            let params: Vec<&str> = part.split(';').map(str::trim).collect();
            let get = |k: &str| {
                params
                    .iter()
                    .find_map(|p| p.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
            };
            match get("as") {
                Some("Table") => return Output::Table,
                Some("PartialObjectMetadata") => return Output::Metadata,
                Some("PartialObjectMetadataList") => return Output::MetadataList,
                Some("APIGroupDiscoveryList") => return Output::AggregatedDiscovery,
                _ => {}
            }
        }
        Output::Full
    }
}

/// The representation of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    /// The objects themselves.
    Full,
    /// `PartialObjectMetadata`: one object, or the objects of a watch.
    Metadata,
    /// `PartialObjectMetadataList`: a list (a watch asking for it gets an empty stream).
    MetadataList,
    /// `meta.k8s.io/v1` `Table`.
    Table,
    /// `apidiscovery.k8s.io/v2` aggregated discovery.
    AggregatedDiscovery,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = parse_query("labelSelector=l%20in%20%28a%2Cb%29&x=1&x=2&f");
        assert_eq!(q["labelSelector"], "l in (a,b)");
        assert_eq!(q["x"], "1");
        assert_eq!(q["f"], "");
    }
}
