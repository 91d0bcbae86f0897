//! URLs for messages, logs and `Debug`: a server or proxy URL may carry a password
//! (`http://user:password@proxy:3128`) and a query may carry a token.

use http::Uri;

/// The URL without `user:password@`, query or fragment.
pub fn redact_url(uri: &Uri) -> String {
    let mut out = String::new();
    if let Some(scheme) = uri.scheme_str() {
        out.push_str(scheme);
        out.push_str("://");
    }
    if let Some(authority) = uri.authority() {
        let host = authority
            .as_str()
            .rsplit_once('@')
            .map_or(authority.as_str(), |(_, host)| host);
        out.push_str(host);
    }
    out.push_str(uri.path());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_drops_userinfo_and_query() {
        let u: Uri = "socks5://user:secret@proxy.example:1080/x?token=t"
            .parse()
            .unwrap();
        assert_eq!(redact_url(&u), "socks5://proxy.example:1080/x");
        let u: Uri = "https://k.example".parse().unwrap();
        assert_eq!(redact_url(&u), "https://k.example/");
    }
}
