//! Hand-written runtime for kubegen-generated Kubernetes clients.
//!
//! Layered bottom-up (nothing lower imports anything higher):
//! `meta` (apimachinery types and the [`meta::Resource`] traits) → `config` → `rest`
//! → `discovery`, `dynamic` → `cache` (informers); `workqueue` stands alone.

//!
//! Cargo features, all on by default: `client` (config + rest, the HTTP/TLS stack), `cache`
//! (informers and the workqueue), `http2`, `discovery` and `dynamic` (untyped clients and
//! informers), `connect` (exec, attach, port-forward over WebSocket; proxy requests).
//! Generated clients need only `client` (and `cache` for informers, `connect` for the pods'
//! connect verbs), so a program built on them does not compile discovery or the dynamic client. Without features only `meta`
//! is built: what generated types need, and nothing more.

#[cfg(feature = "cache")]
pub mod cache;
#[cfg(feature = "client")]
pub mod config;
#[cfg(feature = "connect")]
pub mod connect;
#[cfg(feature = "discovery")]
pub mod discovery;
#[cfg(feature = "dynamic")]
pub mod dynamic;
/// The apimachinery types (crate `kubegen-meta`, compiled on its own so a build runs it beside
/// the HTTP/TLS stack).
pub use kubegen_meta as meta;
#[cfg(feature = "client")]
pub mod rest;
#[cfg(feature = "cache")]
pub mod workqueue;

/// The interface level generated code is written against. Generated crates assert it at
/// compile time, so a runtime that changed what generated code relies on fails the build
/// with a message saying so, instead of with type errors deep in generated files. Bumped on
/// every such change; [`VERSION`] is informational.
pub const GENERATED_CODE_LEVEL: u32 = 3;

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
