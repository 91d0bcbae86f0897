//! Following redirects, as Go's `net/http` client does, and what may travel with one.
//!
//! - 301, 302, 303, 307 and 308 with a `Location` are followed, at most [`MAX_REDIRECTS`]
//!   times; the `Location` is resolved against the URL that answered.
//! - 301/302/303 turn anything but GET/HEAD into a GET without a body; 307/308 repeat the
//!   request as it was.
//! - A redirect from `https` down to `http` is refused whoever the target is: the request
//!   (a body with a Secret's data, on a 307) would travel unencrypted.
//! - Credentials go to the configured server only ([`carries_credentials`]: same scheme
//!   and authority), never to another host, nor in clear text on the same host.

use http::header::{HeaderName, AUTHORIZATION, COOKIE, LOCATION, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, StatusCode, Uri};

/// Redirects followed before giving up (Go's limit).
pub(crate) const MAX_REDIRECTS: u32 = 10;

/// Where one followed redirect sends the request next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    /// The resolved target.
    pub(crate) to: Uri,
    /// The verb to send there.
    pub(crate) verb: Method,
    /// False when the body is dropped (a 301/302/303 turned the request into a GET).
    pub(crate) keep_body: bool,
}

/// The `Location` of a redirect Go would follow (301, 302, 303, 307, 308).
pub(crate) fn location(status: StatusCode, headers: &HeaderMap) -> Option<&str> {
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    headers.get(LOCATION)?.to_str().ok()
}

/// The `hop`-th redirect (1-based) of a `verb` request to `from`, answered with `status`
/// and `location`: where to go next, or why not to go (too many hops, a downgrade to
/// clear text, a target that is not an `http(s)` URL).
pub(crate) fn follow(
    verb: &Method,
    from: &Uri,
    status: StatusCode,
    location: &str,
    hop: u32,
) -> Result<Hop, String> {
    if hop > MAX_REDIRECTS {
        return Err(format!("stopped after {MAX_REDIRECTS} redirects"));
    }
    let Some(to) = resolve(from, location) else {
        return Err(format!("cannot follow the redirect to {location:?}"));
    };
    if is_downgrade(from, &to) {
        return Err(format!(
            "refusing the redirect from https to http ({location:?})"
        ));
    }
    let becomes_get = matches!(status.as_u16(), 301..=303) && !is_get_or_head(verb);
    Ok(Hop {
        to,
        verb: if becomes_get {
            Method::GET
        } else {
            verb.clone()
        },
        keep_body: !becomes_get,
    })
}

fn is_get_or_head(verb: &Method) -> bool {
    verb == Method::GET || verb == Method::HEAD
}

/// True when a request to `url` may carry the credentials configured for `origin`: both
/// have the same scheme and authority. A redirect that changes either (another host, or
/// `https` down to `http`) must not carry them.
pub(crate) fn carries_credentials(url: &Uri, origin: &Uri) -> bool {
    url.scheme() == origin.scheme() && url.authority() == origin.authority()
}

/// Headers a caller may set that carry credentials, dropped on a redirect to another
/// origin (Go's list: `Authorization`, `WWW-Authenticate`, `Cookie`, `Cookie2`).
pub(crate) fn is_credential_header(name: &HeaderName) -> bool {
    name == AUTHORIZATION
        || name == WWW_AUTHENTICATE
        || name == COOKIE
        || name.as_str() == "cookie2"
}

/// True for a redirect from `https` to `http`: the request would go on in clear text.
fn is_downgrade(from: &Uri, to: &Uri) -> bool {
    from.scheme_str() == Some("https") && to.scheme_str() == Some("http")
}

/// Where a redirect's `Location` points, resolved against the URL that answered:
/// absolute, scheme-relative (`//host/p`), root-relative (`/p`) or relative to the
/// current path. `None` for anything else (another scheme, an unparsable value).
fn resolve(current: &Uri, location: &str) -> Option<Uri> {
    let scheme = current.scheme()?.clone();
    let target = if location.starts_with("http://") || location.starts_with("https://") {
        location.parse::<Uri>().ok()?
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}").parse::<Uri>().ok()?
    } else {
        let path_and_query = if location.starts_with('/') {
            location.to_owned()
        } else if location.contains("://") {
            return None;
        } else {
            let dir = current.path().rsplit_once('/').map_or("", |(d, _)| d);
            format!("{dir}/{location}")
        };
        Uri::builder()
            .scheme(scheme)
            .authority(current.authority()?.clone())
            .path_and_query(path_and_query)
            .build()
            .ok()?
    };
    target.authority()?;
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Uri {
        s.parse().unwrap()
    }

    fn status(code: u16) -> StatusCode {
        StatusCode::from_u16(code).unwrap()
    }

    #[test]
    fn credentials_stay_with_the_same_scheme_and_authority() {
        let base = u("https://k.example:6443/api");
        assert!(carries_credentials(
            &u("https://k.example:6443/other?x=1"),
            &base
        ));
        assert!(!carries_credentials(&u("http://k.example:6443/api"), &base));
        assert!(!carries_credentials(
            &u("https://evil.example:6443/api"),
            &base
        ));
        assert!(!carries_credentials(&u("https://k.example:443/api"), &base));
        assert!(is_downgrade(&base, &u("http://k.example:6443/api")));
        assert!(!is_downgrade(&u("http://a/"), &u("https://a/")));
    }

    #[test]
    fn credential_headers_are_gos_list() {
        for name in ["authorization", "www-authenticate", "cookie", "cookie2"] {
            assert!(
                is_credential_header(&HeaderName::from_static(name)),
                "{name}"
            );
        }
        assert!(!is_credential_header(&HeaderName::from_static("accept")));
        assert!(!is_credential_header(&HeaderName::from_static(
            "proxy-authorization"
        )));
    }

    #[test]
    fn redirects_resolve_like_a_browser() {
        let cur = u("https://h.example/k8s/openapi/v3/apis/apps/v1?hash=A");
        let r = |l| resolve(&cur, l).map(|u| u.to_string());
        assert_eq!(
            r("/openapi/v3/x?hash=B").as_deref(),
            Some("https://h.example/openapi/v3/x?hash=B")
        );
        assert_eq!(
            r("v2").as_deref(),
            Some("https://h.example/k8s/openapi/v3/apis/apps/v2")
        );
        assert_eq!(r("//o.example/p").as_deref(), Some("https://o.example/p"));
        assert_eq!(
            r("http://o.example/p").as_deref(),
            Some("http://o.example/p")
        );
        assert_eq!(r("ftp://o.example/p"), None);
    }

    #[test]
    fn only_redirect_statuses_with_a_location_are_followed() {
        let mut h = HeaderMap::new();
        assert_eq!(location(status(302), &h), None);
        h.insert(LOCATION, "/next".parse().unwrap());
        for code in [301, 302, 303, 307, 308] {
            assert_eq!(location(status(code), &h), Some("/next"), "{code}");
        }
        for code in [200, 300, 304, 305, 401, 500] {
            assert_eq!(location(status(code), &h), None, "{code}");
        }
    }

    #[test]
    fn see_other_turns_a_write_into_a_bodiless_get() {
        let from = u("https://k.example/api/v1/pods");
        for code in [301, 302, 303] {
            let hop = follow(&Method::POST, &from, status(code), "/x", 1).unwrap();
            assert_eq!(hop.verb, Method::GET, "{code}");
            assert!(!hop.keep_body, "{code}");
            let hop = follow(&Method::HEAD, &from, status(code), "/x", 1).unwrap();
            assert_eq!(hop.verb, Method::HEAD, "{code}");
            assert!(hop.keep_body, "{code}");
        }
        for code in [307, 308] {
            let hop = follow(&Method::PUT, &from, status(code), "/x", 1).unwrap();
            assert_eq!(hop.verb, Method::PUT, "{code}");
            assert!(hop.keep_body, "{code}");
            assert_eq!(hop.to, u("https://k.example/x"));
        }
    }

    #[test]
    fn refuses_a_downgrade_too_many_hops_and_odd_targets() {
        let from = u("https://k.example/api");
        let why = follow(&Method::GET, &from, status(302), "http://k.example/api", 1);
        assert!(why.unwrap_err().contains("from https to http"));
        let plain = u("http://k.example/api");
        assert!(follow(&Method::GET, &plain, status(302), "https://k.example/a", 1).is_ok());
        assert!(follow(&Method::GET, &from, status(302), "/a", MAX_REDIRECTS).is_ok());
        let why = follow(&Method::GET, &from, status(302), "/a", MAX_REDIRECTS + 1);
        assert_eq!(why.unwrap_err(), "stopped after 10 redirects");
        let why = follow(&Method::GET, &from, status(302), "ftp://o.example/p", 1);
        assert!(why.unwrap_err().contains("cannot follow the redirect"));
    }
}
