//! The environment every integration test runs in.
//!
//! By default a test gets an in-process [`kubegen_testserver::TestServer`]. With
//! `KUBEGEN_E2E_KUBECONFIG` set (and optionally `KUBEGEN_E2E_CONTEXT`), it gets that cluster
//! instead, loaded through the runtime's own kubeconfig loader, so the same test code runs
//! against a real API server (or the test server run as a separate process, as CI does).
//!
//! On a shared cluster tests must not step on each other: each test works in its own
//! namespace with a unique name (deleted at the end without waiting, since namespace deletion
//! needs controllers), and cluster-scoped objects it creates use [`TestEnv::unique_name`] and
//! carry the [`TEST_LABEL`] label so `scripts/e2e-cleanup.sh` ([`sweep::sweep`]) can remove
//! leftovers. Tests that need what only the in-process server offers declare it with
//! [`Needs`] and are skipped, with the reason printed, elsewhere.

mod crd;
mod env;
mod names;
mod needs;
mod skip;
pub mod sweep;

pub use env::{is_external, TestEnv};
pub use needs::Needs;
pub use skip::{record as record_skip, SKIP_LOG_ENV};

/// Label on everything a test creates on a shared cluster (value: the test's run id).
pub const TEST_LABEL: &str = "kubegen.dev/e2e";

/// Environment variable naming the kubeconfig of the cluster to test against.
pub const KUBECONFIG_ENV: &str = "KUBEGEN_E2E_KUBECONFIG";
