//! Which proxy a connection goes through: the kubeconfig's `proxy-url` for every request
//! (client-go's `http.ProxyURL`), or, when it is unset, the environment the way Go's
//! `http.ProxyFromEnvironment` reads it (`HTTPS_PROXY`/`HTTP_PROXY` by the request's scheme,
//! `NO_PROXY`, never for `localhost` or loopback addresses, `HTTP_PROXY` ignored under CGI).
//!
//! Matching and credential parsing are hyper-util's [`Matcher`]; the connectors in
//! [`super::connector`] act on the answer.

use std::net::IpAddr;

use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};

use super::uri::redact;

/// Proxy schemes client-go accepts in a kubeconfig.
const SCHEMES: [&str; 4] = ["http", "https", "socks5", "socks5h"];

/// The proxy rules of one client.
pub(crate) struct ProxyRules {
    matcher: Matcher,
    from_env: bool,
}

impl std::fmt::Debug for ProxyRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `Matcher`'s Debug prints proxy URLs without their credentials.
        f.debug_struct("ProxyRules")
            .field("matcher", &self.matcher)
            .field("from_env", &self.from_env)
            .finish()
    }
}

impl ProxyRules {
    /// The configured proxy (every request), or the environment's rules when `None`.
    pub(crate) fn new(proxy_url: Option<&Uri>) -> Result<Self, String> {
        match proxy_url {
            Some(url) => {
                let scheme = url.scheme_str().unwrap_or("");
                if !SCHEMES.contains(&scheme) {
                    return Err(format!(
                        "proxy-url {}: the scheme must be one of {}",
                        redact(url),
                        SCHEMES.join(", ")
                    ));
                }
                let matcher = Matcher::builder().all(url.to_string()).build();
                // The matcher drops a URL it cannot use instead of failing: check it took it.
                let probe = Uri::from_static("https://kubernetes.invalid/");
                if matcher.intercept(&probe).is_none() {
                    return Err(format!("proxy-url {}: not a usable proxy URL", redact(url)));
                }
                Ok(Self {
                    matcher,
                    from_env: false,
                })
            }
            None => Ok(Self::from_env(|name| std::env::var(name).ok())),
        }
    }

    /// The environment's rules, reading variables through `var` (tests pass a map).
    pub(crate) fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: [&str; 2]| {
            names
                .iter()
                .find_map(|n| var(n).filter(|v| !v.is_empty()))
                .unwrap_or_default()
        };
        let mut builder = Matcher::builder()
            .https(first(["HTTPS_PROXY", "https_proxy"]))
            .no(first(["NO_PROXY", "no_proxy"]));
        // Go ignores HTTP_PROXY in a CGI process, where a client could set it (httpoxy).
        if var("REQUEST_METHOD").is_none() {
            builder = builder.http(first(["HTTP_PROXY", "http_proxy"]));
        }
        Self {
            matcher: builder.build(),
            from_env: true,
        }
    }

    /// The proxy for a destination, if any.
    pub(crate) fn intercept(&self, dst: &Uri) -> Option<Intercept> {
        if self.from_env && dst.host().is_some_and(is_local) {
            return None;
        }
        self.matcher.intercept(dst)
    }

    /// The `Proxy-Authorization` header for a request an HTTP proxy forwards (an `http`
    /// server's); `None` for tunnelled requests, whose credentials went with `CONNECT`.
    pub(crate) fn forward_auth(&self, dst: &Uri) -> Option<HeaderValue> {
        if dst.scheme_str() != Some("http") {
            return None;
        }
        let proxy = self.intercept(dst)?;
        if !matches!(proxy.uri().scheme_str(), Some("http" | "https")) {
            return None;
        }
        proxy.basic_auth().cloned()
    }
}

/// `localhost` and loopback addresses, which Go never sends to an environment proxy.
fn is_local(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> ProxyRules {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyRules::from_env(move |name| map.get(name).cloned())
    }

    fn proxy_of(rules: &ProxyRules, dst: &str) -> Option<String> {
        rules
            .intercept(&dst.parse().unwrap())
            .map(|i| i.uri().to_string())
    }

    #[test]
    fn environment_rules_follow_go() {
        let rules = env(&[
            ("HTTPS_PROXY", "http://secure.proxy:3128"),
            ("http_proxy", "plain.proxy:8080"),
            ("ALL_PROXY", "http://ignored:1"),
            ("NO_PROXY", "skip.example,10.0.0.0/8"),
        ]);
        assert_eq!(
            proxy_of(&rules, "https://k.example:6443/").as_deref(),
            Some("http://secure.proxy:3128/")
        );
        assert_eq!(
            proxy_of(&rules, "http://k.example/").as_deref(),
            Some("http://plain.proxy:8080/")
        );
        assert_eq!(proxy_of(&rules, "https://api.skip.example/"), None);
        assert_eq!(proxy_of(&rules, "https://10.1.2.3/"), None);
        assert_eq!(proxy_of(&rules, "https://localhost:6443/"), None);
        assert_eq!(proxy_of(&rules, "https://127.0.0.1:6443/"), None);
        assert_eq!(proxy_of(&rules, "https://[::1]:6443/"), None);
        assert_eq!(proxy_of(&env(&[]), "https://k.example/"), None);
    }

    #[test]
    fn cgi_ignores_http_proxy() {
        let rules = env(&[("HTTP_PROXY", "http://p:1"), ("REQUEST_METHOD", "GET")]);
        assert_eq!(proxy_of(&rules, "http://k.example/"), None);
    }

    #[test]
    fn configured_proxy_takes_every_request_and_keeps_credentials_private() {
        let url: Uri = "socks5h://user:secret@127.0.0.1:1080".parse().unwrap();
        let rules = ProxyRules::new(Some(&url)).unwrap();
        let i = rules
            .intercept(&"https://127.0.0.1:6443/".parse().unwrap())
            .unwrap();
        assert_eq!(i.uri().scheme_str(), Some("socks5h"));
        assert_eq!(i.raw_auth(), Some(("user", "secret")));
        assert!(!format!("{rules:?}").contains("secret"));
        assert_eq!(
            rules.forward_auth(&"http://k.example/".parse().unwrap()),
            None
        );
        let url: Uri = "http://user:secret@127.0.0.1:3128".parse().unwrap();
        let rules = ProxyRules::new(Some(&url)).unwrap();
        let auth = rules.forward_auth(&"http://k.example/".parse().unwrap());
        assert_eq!(auth.unwrap(), "Basic dXNlcjpzZWNyZXQ=");
        assert_eq!(
            rules.forward_auth(&"https://k.example/".parse().unwrap()),
            None
        );
        let bad: Uri = "ftp://user:secret@p:1".parse().unwrap();
        let err = ProxyRules::new(Some(&bad)).unwrap_err();
        assert!(err.contains("ftp://p:1"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }
}
