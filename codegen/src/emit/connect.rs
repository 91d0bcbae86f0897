//! Typed methods for the connect verbs of core/v1: `exec`, `attach` and `port_forward` on
//! pods and `proxy` on pods, services and nodes, over the runtime's `connect` module. Other
//! connect subresources (an aggregated API's) get none: their protocol is their own.

use proc_macro2::TokenStream;
use quote::quote;

use super::names::path_tokens;
use crate::model::{ClientDef, SubClientDef};

/// The methods of one connect subresource, or `None` when it has no typed form.
pub(super) fn methods(
    c: &ClientDef,
    sub: &SubClientDef,
    rest: &TokenStream,
) -> Option<TokenStream> {
    if !(c.resource.group.is_empty() && c.resource.version == "v1") {
        return None;
    }
    let connect = path_tokens("kubegen_runtime::connect");
    let plural = c.resource.plural.as_str();
    let tokens = match (plural, sub.def.name.as_str()) {
        ("pods", "exec") => quote! {
            /// Runs a command in a container of the pod (`pods/exec` over WebSocket, as
            /// `kubectl exec`): its streams, terminal resize and exit status.
            #[cfg(feature = "connect")]
            pub async fn exec(&self, name: &str, options: &#connect::ExecOptions) -> Result<#connect::Process, #connect::Error> {
                let namespace = #connect::namespace_of(&self.inner)?;
                self.inner.client().exec(namespace, name, options).await
            }
        },
        ("pods", "attach") => quote! {
            /// Attaches to the main process of a container of the pod (`pods/attach` over
            /// WebSocket, as `kubectl attach`).
            #[cfg(feature = "connect")]
            pub async fn attach(&self, name: &str, options: &#connect::AttachOptions) -> Result<#connect::Process, #connect::Error> {
                let namespace = #connect::namespace_of(&self.inner)?;
                self.inner.client().attach(namespace, name, options).await
            }
        },
        ("pods", "portforward") => quote! {
            /// Opens a connection to a port of the pod (`pods/portforward` over WebSocket);
            /// [`kubegen_runtime::connect::serve_port_forward`] serves a local listener.
            #[cfg(feature = "connect")]
            pub async fn port_forward(&self, name: &str, port: u16) -> Result<#connect::PortStream, #connect::Error> {
                let namespace = #connect::namespace_of(&self.inner)?;
                self.inner.client().port_forward(namespace, name, port).await
            }
        },
        ("pods" | "services" | "nodes", "proxy") => quote! {
            /// A request the API server passes on to `path` of the object (its `proxy`
            /// subresource). `name` may name a port and scheme: `web:8080`, `https:web:443`.
            #[cfg(feature = "connect")]
            pub fn proxy(&self, verb: #rest::Method, name: &str, path: &str) -> #rest::RequestBuilder {
                self.inner.request(verb, Some(name)).subresource(&#connect::proxy_subresource(path))
            }
        },
        _ => return None,
    };
    Some(tokens)
}
