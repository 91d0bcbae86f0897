//! The connect verbs of pods: `exec`, `attach` and `portforward` over WebSocket (or
//! SPDY/3.1 where the server does not offer WebSocket), and `proxy` requests to pods,
//! services and nodes.
//!
//! - [`Client::exec`](crate::rest::Client::exec) / [`Client::attach`](crate::rest::Client::attach):
//!   a [`Process`] with `tokio::io` streams for stdin, stdout and stderr, terminal resize, and
//!   its [`ExitStatus`] from the error channel's `Status`. Spoken as `v5.channel.k8s.io`
//!   (client-go's default since 1.30: stdin can be closed), or `v4.channel.k8s.io` where the
//!   server offers no v5.
//! - [`Client::port_forward`](crate::rest::Client::port_forward): one connection to a pod's
//!   port as a [`PortStream`] (WebSocket, `v4.channel.k8s.io` port-forward framing: a data
//!   and an error channel, each opened by the port number); [`serve_port_forward`] serves a
//!   local TCP listener with one such connection per accepted client.
//! - [`ProxyTarget`]: `.../pods/NAME:PORT/proxy/PATH` as a plain request.
//!
//! The upgrade goes over the client's own connector: TLS, `tls-server-name`, proxies and
//! credentials behave as for every other request. Where the WebSocket upgrade fails in a way
//! that says the server does not offer it ([`Error::is_websocket_unsupported`]), the verb
//! is tried again over SPDY/3.1 ([`spdy`]), as client-go's `FallbackExecutor` does;
//! [`StreamProtocol`] forces either.
//!
//! ```no_run
//! use kubegen_runtime::connect::ExecOptions;
//! use kubegen_runtime::rest::Client;
//! use tokio::io::AsyncReadExt;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::try_default()?;
//! let options = ExecOptions::command(["sh", "-c", "echo hi; exit 3"]).stdout(true);
//! let mut process = client.exec("default", "web-0", &options).await?;
//! let mut out = String::new();
//! if let Some(mut stdout) = process.stdout.take() {
//!     stdout.read_to_string(&mut out).await?;
//! }
//! let status = process.join().await?;
//! println!("{out:?} exited with {}", status.code());
//! # Ok(()) }
//! ```

mod error;
mod frames;
mod portforward;
mod process;
mod proxy;
pub mod spdy;
mod streams;
mod upgrade;

pub use error::Error;
pub use portforward::{serve_port_forward, PortStream};
pub use process::{
    AttachOptions, ExecOptions, ExitStatus, Process, TerminalSize, TerminalSizeSender,
};
pub use proxy::{proxy_subresource, ProxyKind, ProxyTarget};
pub use streams::ChannelReader;

/// The stream protocol of a connect verb.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StreamProtocol {
    /// WebSocket, and SPDY/3.1 where the server does not offer WebSocket
    /// ([`Error::is_websocket_unsupported`]): client-go's `FallbackExecutor`.
    #[default]
    Auto,
    /// WebSocket only (`v5.channel.k8s.io`, or `v4.channel.k8s.io` where the server
    /// offers no v5).
    WebSocket,
    /// SPDY/3.1 only (`v4.channel.k8s.io` for exec and attach, `portforward.k8s.io`).
    Spdy,
}

/// The namespace of a typed client, which the connect verbs need (a client of all
/// namespaces has none).
pub fn namespace_of<K: crate::meta::Resource>(
    client: &crate::rest::ResourceClient<K>,
) -> Result<&str, Error> {
    client.namespace().ok_or_else(|| {
        crate::rest::Error::InvalidRequest(
            "connect verbs need a namespaced client, not one of all namespaces".into(),
        )
        .into()
    })
}
