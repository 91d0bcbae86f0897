//! What sits in front of the API handlers: an optional path prefix (the server as seen
//! through a proxy at `https://host/k8s/clusters/c-1`) and an optional log of requests, so
//! tests can count what a client actually sent.

use std::sync::Mutex;

/// One request as the server answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as received, prefix included.
    pub path: String,
    /// The raw query string (`""` when there is none).
    pub query: String,
    /// The HTTP status of the answer.
    pub status: u16,
}

/// The prefix and request log of one server.
#[derive(Debug, Default)]
pub(crate) struct Front {
    /// Normalized: starts with `/`, no trailing `/`; `None` serves at the root.
    prefix: Option<String>,
    /// `None` when logging is off (the default: long tests send many requests).
    log: Option<Mutex<Vec<LoggedRequest>>>,
    /// HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS` per connection (`None`: hyper's default).
    pub(crate) http2_max_streams: Option<u32>,
}

impl Front {
    pub(crate) fn new(prefix: Option<&str>, log: bool) -> Self {
        let prefix = prefix
            .map(|p| format!("/{}", p.trim_matches('/')))
            .filter(|p| p != "/");
        Self {
            prefix,
            log: log.then(|| Mutex::new(Vec::new())),
            http2_max_streams: None,
        }
    }

    /// The prefix to append to the server's origin in URLs (`""` at the root).
    pub(crate) fn prefix(&self) -> &str {
        self.prefix.as_deref().unwrap_or("")
    }

    /// The path the handlers see, or `None` when the request is outside the prefix (a
    /// proxy would not forward it).
    pub(crate) fn strip<'a>(&self, path: &'a str) -> Option<&'a str> {
        let Some(prefix) = &self.prefix else {
            return Some(path);
        };
        match path.strip_prefix(prefix.as_str()) {
            Some("") => Some("/"),
            Some(rest) if rest.starts_with('/') => Some(rest),
            _ => None,
        }
    }

    pub(crate) fn record(&self, method: &str, path: &str, query: &str, status: u16) {
        if let Some(log) = &self.log {
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(LoggedRequest {
                    method: method.to_owned(),
                    path: path.to_owned(),
                    query: query.to_owned(),
                    status,
                });
        }
    }

    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        match &self.log {
            Some(log) => log.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            None => Vec::new(),
        }
    }

    pub(crate) fn clear(&self) {
        if let Some(log) = &self.log {
            log.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_prefix_or_refuses() {
        let f = Front::new(Some("k8s/clusters/c-1/"), false);
        assert_eq!(f.prefix(), "/k8s/clusters/c-1");
        assert_eq!(f.strip("/k8s/clusters/c-1/version"), Some("/version"));
        assert_eq!(f.strip("/k8s/clusters/c-1"), Some("/"));
        assert_eq!(f.strip("/k8s/clusters/c-10/version"), None);
        assert_eq!(f.strip("/version"), None);
        let root = Front::new(None, false);
        assert_eq!(root.strip("/version"), Some("/version"));
        assert_eq!(Front::new(Some("/"), false).prefix(), "");
    }

    #[test]
    fn logs_only_when_asked() {
        let off = Front::new(None, false);
        off.record("GET", "/version", "", 200);
        assert!(off.requests().is_empty());
        let on = Front::new(None, true);
        on.record("GET", "/openapi/v3", "", 200);
        assert_eq!(on.requests().len(), 1);
        on.clear();
        assert!(on.requests().is_empty());
    }
}
