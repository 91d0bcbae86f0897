//! An in-process, wire-compatible Kubernetes API server for tests.
//!
//! It serves every resource of an OpenAPI v3 spec (default: the pinned v1.36) plus the
//! custom resources of CRDs created through it, over real HTTP(S), with the semantics
//! controllers depend on: resourceVersions, watches with bookmarks and `410 Gone`,
//! paging, optimistic concurrency, server-side apply conflicts, finalizers, and faults
//! on demand.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubegen_testserver::TestServerError> {
//! use kubegen_testserver::TestServer;
//! let server = TestServer::builder().tls(true).token("secret").start().await?;
//! server.write_kubeconfig("/tmp/kubeconfig")?;
//! server.faults().close_watches_after(Some(10));
//! # Ok(()) }
//! ```

mod api;
mod catalog;
mod error;
mod faults;
mod http;
mod pod_logs;
mod pod_process;
mod semantics;
mod server;
mod store;

pub use catalog::{ResourceDef, SpecSource, SubresourceDef};
pub use error::TestServerError;
pub use faults::{ErrorKind, Faults, WatchDrop};
pub use server::{LoggedRequest, TestServer, TestServerBuilder};

/// The server's field-selector parser, reachable for the fuzz target (`fuzz/`) only.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::semantics::field_selector::{FieldRequirement, FieldSelector};
}
