//! Request URLs as `http::Uri`: the server's base (scheme, host, path prefix), path
//! segments percent-encoded one by one, form-encoded query strings, and
//! URLs with their credentials removed for messages (redirect targets: `redirect`).
//!
//! A server URL may carry a path prefix (`https://rancher.example/k8s/clusters/c-1`, a
//! cluster behind a proxy); every request path is appended to it, as client-go does.

use http::uri::{Authority, Scheme};
use http::Uri;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Bytes escaped in one path segment (the WHATWG path-segment set: what `url::Url`
/// escapes when a segment is pushed, `/` and `%` included).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// The server part of every request URL: scheme and host, without credentials, query or
/// fragment, and the path prefix without its trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Base {
    scheme: Scheme,
    authority: Authority,
    prefix: String,
}

impl Base {
    /// Checks a server URL (`http`/`https` with a host) and splits it.
    pub(crate) fn new(server: &Uri) -> Result<Self, String> {
        let scheme = server
            .scheme()
            .filter(|s| **s == Scheme::HTTP || **s == Scheme::HTTPS)
            .ok_or_else(|| {
                format!(
                    "server URL {}: the scheme must be http or https",
                    redact(server)
                )
            })?
            .clone();
        let authority = server
            .authority()
            .filter(|a| !a.host().is_empty())
            .ok_or_else(|| format!("server URL {}: no host", redact(server)))?;
        let authority = without_userinfo(authority);
        Ok(Self {
            scheme,
            authority,
            prefix: server.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The base as a URL (`https://host:port/prefix`, `/` when there is no prefix).
    pub(crate) fn uri(&self) -> Uri {
        let path = if self.prefix.is_empty() {
            "/"
        } else {
            &self.prefix
        };
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path)
            .build()
            // The parts came out of a valid `Uri`.
            .unwrap_or_default()
    }

    /// A URL under the base from its path segments (each escaped) and query pairs.
    pub(crate) fn join<'a>(
        &self,
        segments: impl IntoIterator<Item = &'a str>,
        query: &[(String, String)],
    ) -> Result<Uri, String> {
        let mut path = self.prefix.clone();
        for segment in segments {
            path.push('/');
            path.extend(utf8_percent_encode(segment, SEGMENT));
        }
        if path.is_empty() {
            path.push('/');
        }
        if !query.is_empty() {
            path.push('?');
            let mut q = form_urlencoded::Serializer::new(String::new());
            q.extend_pairs(query);
            path.push_str(&q.finish());
        }
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path.as_str())
            .build()
            .map_err(|e| format!("path {path:?}: {e}"))
    }
}

/// An authority without `user:password@`.
fn without_userinfo(authority: &Authority) -> Authority {
    match authority.as_str().rsplit_once('@') {
        Some((_, host)) => host.parse().unwrap_or_else(|_| authority.clone()),
        None => authority.clone(),
    }
}

pub(crate) use crate::config::redact_url as redact;

/// `host:port` with the scheme's default port filled in (proxy connectors need it).
pub(crate) fn with_port(uri: &Uri, default_port: u16) -> Option<Uri> {
    let authority = uri.authority()?;
    if authority.port_u16().is_some() {
        return Some(uri.clone());
    }
    let host_port = format!("{}:{default_port}", authority.host());
    let mut parts = uri.clone().into_parts();
    parts.authority = Some(host_port.parse().ok()?);
    if parts.path_and_query.is_none() {
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    }
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Base {
        Base::new(&s.parse().unwrap()).unwrap()
    }

    #[test]
    fn base_keeps_the_prefix_and_drops_credentials() {
        let b = base("https://u:p@rancher.example/k8s/clusters/c-1/?x=1");
        assert_eq!(
            b.uri().to_string(),
            "https://rancher.example/k8s/clusters/c-1"
        );
        let u = b.join(["api", "v1", "pods"], &[]).unwrap();
        assert_eq!(
            u.to_string(),
            "https://rancher.example/k8s/clusters/c-1/api/v1/pods"
        );
        assert_eq!(
            base("http://127.0.0.1:80").uri().to_string(),
            "http://127.0.0.1:80/"
        );
    }

    #[test]
    fn base_rejects_other_schemes_and_missing_hosts() {
        assert!(Base::new(&"ftp://h/".parse().unwrap()).is_err());
        assert!(Base::new(&"/just/a/path".parse().unwrap()).is_err());
    }

    #[test]
    fn segments_and_queries_are_escaped() {
        let b = base("https://k.example:6443");
        let u = b
            .join(
                ["api", "v1", "a b?#%"],
                &[("labelSelector".into(), "a in (b, c)".into())],
            )
            .unwrap();
        assert_eq!(
            u.to_string(),
            "https://k.example:6443/api/v1/a%20b%3F%23%25?labelSelector=a+in+%28b%2C+c%29"
        );
        assert_eq!(
            b.join([], &[]).unwrap().to_string(),
            "https://k.example:6443/"
        );
    }

    #[test]
    fn default_ports_are_filled_in() {
        let u: Uri = "http://proxy.example".parse().unwrap();
        assert_eq!(
            with_port(&u, 80).unwrap().to_string(),
            "http://proxy.example:80/"
        );
        let u: Uri = "https://[::1]:8443/".parse().unwrap();
        assert_eq!(with_port(&u, 443).unwrap(), u);
    }
}
