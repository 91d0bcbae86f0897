//! `kubegen fetch`: a live cluster's OpenAPI v3 spec, saved in the layout of the published
//! dumps with a lock file, so generation (the CLI or [`crate::Builder`] in `build.rs`) reads
//! it offline like any other spec.
//!
//! [`layout`] and [`lock`] are plain file formats, always available. Talking to a cluster
//! (`Fetcher`, `load_config`) needs the `live` feature, which brings the runtime's HTTP, TLS
//! and kubeconfig stack; `build.rs` users turn it off with `default-features = false`.
//!
//! What a fetch guarantees: each document's bytes exactly as served (their SHA-512 is the
//! `?hash=` of the index); a document whose hash the previous lock already has is not
//! downloaded again; a stale hash's redirect is followed (and, should it leave a proxy's path
//! prefix, the index is read again); the output is replaced whole or not at all, and
//! documents no longer in the index disappear from it.

pub mod layout;
pub mod lock;

#[cfg(feature = "live")]
mod error;
#[cfg(feature = "live")]
mod live;
#[cfg(feature = "live")]
mod stage;

#[cfg(feature = "live")]
pub use error::FetchError;
#[cfg(feature = "live")]
pub use live::{load_config, Document, FetchReport, Fetcher, Index};
pub use lock::{Lock, LockedDocument};
