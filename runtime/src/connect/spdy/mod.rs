//! SPDY/3.1, the stream protocol of the connect verbs before WebSocket (and still the
//! only one of servers older than Kubernetes 1.30, or behind proxies that pass no
//! WebSocket). The HTTP upgrade asks for `SPDY/3.1`; then one connection carries many
//! streams, each opened by the client with a `streamType` header (`stdin`, `stdout`,
//! `stderr`, `error`, `resize`; for port-forward `data` and `error` with `port` and
//! `requestID`), and each half-closed by its sender.
//!
//! No maintained Rust crate speaks SPDY: [`frame`] is the framing (public, so a test
//! server can answer in kind) and the client session is this crate's own.

pub mod frame;

mod dictionary;
pub(crate) mod exec;
pub(crate) mod portforward;
pub(crate) mod session;

pub use frame::{Frame, FrameError, Headers};
pub use session::SessionError;
