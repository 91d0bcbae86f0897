//! Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics
//! (`tools/leaderelection`).
//!
//! Candidates poll the Lease every retry period. A Lease whose holder has not renewed it for
//! the lease duration — measured on the candidate's own monotonic clock from when it observed
//! the last change — is taken over by a conditional update (the resourceVersion read), so of
//! several candidates exactly one succeeds. The leader renews every retry period; if it cannot
//! renew within the renew deadline after its last successful renewal was sent, it stops
//! leading, which is before any candidate may consider the Lease expired.
//!
//! ```no_run
//! # async fn demo(client: kubegen_runtime::rest::Client) {
//! use kubegen_controller::leaderelection::{LeaderElectionConfig, LeaderElector};
//! use kubegen_controller::CancellationToken;
//!
//! let config = LeaderElectionConfig::new("kube-system", "my-controller", "pod-a-1234");
//! let elector = LeaderElector::new(client, config).unwrap();
//! let outcome = elector
//!     .run(CancellationToken::new(), |guard| async move {
//!         // ... work (e.g. a Controller run with guard.token()) until:
//!         guard.lost().await;
//!     })
//!     .await;
//! # let _ = outcome;
//! # }
//! ```

mod config;
mod decision;
mod elector;
mod guard;
mod lease_lock;
mod record;

pub use config::{Callback, Callbacks, ConfigError, LeaderCallback, LeaderElectionConfig, JITTER};
pub use elector::{LeaderElector, RunOutcome};
pub use guard::LeadershipGuard;
pub use lease_lock::LockError;
pub use record::LeaderElectionRecord;
