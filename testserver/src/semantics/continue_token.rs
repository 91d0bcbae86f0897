//! `continue` tokens in the API server's format: base64 of
//! `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Token {
    v: String,
    rv: i64,
    start: String,
}

/// A decoded continue token.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Continue {
    /// The list's resourceVersion; -1 for "continue inconsistently, from now".
    pub rv: i64,
    /// The last returned (namespace, name); the next page starts after it.
    pub after: (String, String),
}

/// Encodes a token resuming after `after` at `rv`.
pub(crate) fn encode(rv: i64, after: &(String, String)) -> String {
    let t = Token {
        v: "meta.k8s.io/v1".into(),
        rv,
        start: format!("{}/{}\u{0}", after.0, after.1),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&t).unwrap_or_default())
}

/// Decodes a token; the error is the 400 message.
pub(crate) fn decode(s: &str) -> Result<Continue, String> {
    let raw = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(s))
        .map_err(|e| format!("continue key is not valid: {e}"))?;
    let t: Token =
        serde_json::from_slice(&raw).map_err(|e| format!("continue key is not valid: {e}"))?;
    if t.v != "meta.k8s.io/v1" {
        return Err("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into());
    }
    let start = t.start.trim_end_matches('\u{0}');
    let (ns, name) = start
        .split_once('/')
        .ok_or_else(|| "continue key is not valid: malformed start key".to_string())?;
    Ok(Continue {
        rv: t.rv,
        after: (ns.to_string(), name.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = encode(42, &("default".into(), "a".into()));
        assert_eq!(
            decode(&t).unwrap(),
            Continue {
                rv: 42,
                after: ("default".into(), "a".into())
            }
        );
        assert!(decode("!!").is_err());
        assert!(decode("eyJ4IjoxfQ").is_err());
    }
}
