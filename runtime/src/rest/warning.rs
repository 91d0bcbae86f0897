//! `Warning` response headers (RFC 7234 form `299 - "text"`), logged through `tracing`.

use http::HeaderMap;

/// Logs every `Warning` header of a response at `warn` level.
pub(crate) fn log_warnings(verb: &str, url: &str, headers: &HeaderMap) {
    for value in headers.get_all(http::header::WARNING) {
        let raw = String::from_utf8_lossy(value.as_bytes());
        let text = warning_text(&raw);
        tracing::warn!(target: "kubegen_runtime::rest::warning", %verb, %url, "server warning: {text}");
    }
}

/// The quoted text of a warning value, unescaped; the raw value when it has no quotes.
pub(crate) fn warning_text(raw: &str) -> String {
    let Some(start) = raw.find('"') else {
        return raw.trim().to_owned();
    };
    let mut out = String::new();
    let mut chars = raw[start + 1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '"' => return out,
            c => out.push(c),
        }
    }
    raw.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_text() {
        assert_eq!(
            warning_text(r#"299 - "unknown field \"bogus\"""#),
            r#"unknown field "bogus""#
        );
        assert_eq!(warning_text("no quotes"), "no quotes");
    }
}
