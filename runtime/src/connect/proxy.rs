//! `proxy` subresources: HTTP requests the API server passes on to a pod, a service or a
//! node (`.../pods/[SCHEME:]NAME[:PORT]/proxy/PATH`), as plain requests.

use http::Method;

use crate::rest::{Client, RequestBuilder};

/// What a proxy request reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyKind {
    /// `pods/{name}/proxy`.
    Pod,
    /// `services/{name}/proxy`.
    Service,
    /// `nodes/{name}/proxy`.
    Node,
}

impl ProxyKind {
    fn resource(self) -> &'static str {
        match self {
            ProxyKind::Pod => "pods",
            ProxyKind::Service => "services",
            ProxyKind::Node => "nodes",
        }
    }
}

/// A pod, service or node, and which of its ports (and scheme) the server proxies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyTarget {
    /// What is proxied to.
    pub kind: ProxyKind,
    /// `None` for nodes.
    pub namespace: Option<String>,
    /// Its name (with `:port` or `scheme:name:port` where the server allows).
    pub name: String,
    /// A port number or name; the default port when `None`.
    pub port: Option<String>,
    /// `https` to reach the target over TLS; `http` when `None`.
    pub scheme: Option<String>,
}

impl ProxyTarget {
    /// The pod `name` in `namespace`.
    pub fn pod(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self::new(ProxyKind::Pod, Some(namespace.into()), name.into())
    }

    /// The service `name` in `namespace`.
    pub fn service(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self::new(ProxyKind::Service, Some(namespace.into()), name.into())
    }

    /// The node `name`.
    pub fn node(name: impl Into<String>) -> Self {
        Self::new(ProxyKind::Node, None, name.into())
    }

    fn new(kind: ProxyKind, namespace: Option<String>, name: String) -> Self {
        Self {
            kind,
            namespace,
            name,
            port: None,
            scheme: None,
        }
    }

    /// Through this port (number or name).
    pub fn port(mut self, port: impl ToString) -> Self {
        self.port = Some(port.to_string());
        self
    }

    /// With this scheme (`https`).
    pub fn scheme(mut self, scheme: impl Into<String>) -> Self {
        self.scheme = Some(scheme.into());
        self
    }

    /// The path segment naming the target: `[scheme:]name[:port]`.
    fn segment(&self) -> String {
        let mut s = String::new();
        if let Some(scheme) = &self.scheme {
            s.push_str(scheme);
            s.push(':');
        }
        s.push_str(&self.name);
        if let Some(port) = &self.port {
            s.push(':');
            s.push_str(port);
        }
        s
    }
}

/// The subresource part of a proxy request to `path`: `proxy/PATH`.
pub fn proxy_subresource(path: &str) -> String {
    let mut subresource = String::from("proxy");
    let path = path.trim_start_matches('/');
    if !path.is_empty() {
        subresource.push('/');
        subresource.push_str(path);
    }
    subresource
}

impl Client {
    /// A request through the target's `proxy` subresource to `path` on it; add a body,
    /// headers or query as for any request, then `bytes()` or `send()`.
    pub fn proxy(&self, verb: Method, target: &ProxyTarget, path: &str) -> RequestBuilder {
        let subresource = proxy_subresource(path);
        self.request(verb)
            .namespace(target.namespace.as_deref())
            .resource(target.kind.resource())
            .name(&target.segment())
            .subresource(&subresource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn proxy_urls_name_scheme_and_port() {
        let client = Client::new(Config::new("https://k:6443".parse().unwrap())).unwrap();
        let pod = ProxyTarget::pod("ns", "web").port(8080);
        let url = client.proxy(Method::GET, &pod, "/healthz").url().unwrap();
        assert_eq!(
            url.to_string(),
            "https://k:6443/api/v1/namespaces/ns/pods/web:8080/proxy/healthz"
        );
        let svc = ProxyTarget::service("ns", "api")
            .scheme("https")
            .port("web");
        let url = client.proxy(Method::GET, &svc, "a/b").url().unwrap();
        assert_eq!(
            url.to_string(),
            "https://k:6443/api/v1/namespaces/ns/services/https:api:web/proxy/a/b"
        );
        let node = client.proxy(Method::GET, &ProxyTarget::node("n1"), "");
        assert_eq!(
            node.url().unwrap().to_string(),
            "https://k:6443/api/v1/nodes/n1/proxy"
        );
    }
}
