//! Discovery and the RESTMapper: what resources the server serves, and how to reach one
//! named by a user or by an object's `apiVersion` + `kind` (client-go's `discovery` and
//! `restmapper`).
//!
//! - [`DiscoveryClient`] reads the server's groups, versions and resources, from aggregated
//!   discovery (`apidiscovery.k8s.io/v2`: `/api` and `/apis`, one request each) when the
//!   server offers it and the legacy per-group-version documents otherwise
//!   ([`DiscoveryOptions::legacy`] forces them). It caches in memory and, when asked, on
//!   disk per server with a TTL ([`DiskCache`]); [`DiscoveryClient::invalidate`] forgets both.
//!   One group-version failing is recorded in [`ServerResources::failures`] and does not fail
//!   the rest.
//! - [`RestMapper`] resolves `deploy`, `Deployment`, `apps/v1/Deployment`,
//!   `deployments.apps` or a [`GroupVersionKind`] to an [`ApiResource`], refreshing discovery
//!   once on a miss.
//!
//! ```no_run
//! # async fn demo(client: kubegen_runtime::rest::Client) -> Result<(), kubegen_runtime::discovery::DiscoveryError> {
//! use kubegen_runtime::discovery::{DiscoveryClient, RestMapper};
//!
//! let discovery = DiscoveryClient::cached(client); // ~/.cache/kubegen/discovery/<host_port>
//! println!("server {}", discovery.server_version().await?.git_version);
//! let mapper = RestMapper::new(discovery);
//! let deploy = mapper.resolve("deploy").await?;
//! assert_eq!((deploy.group.as_str(), deploy.plural.as_str()), ("apps", "deployments"));
//! # Ok(()) }
//! ```

mod aggregated;
mod client;
mod disk_cache;
mod error;
mod gvk;
mod legacy;
mod resources;
mod rest_mapper;

pub use aggregated::AGGREGATED_ACCEPT;
pub use client::{DiscoveryClient, DiscoveryMode, DiscoveryOptions};
pub use disk_cache::{DiskCache, DEFAULT_TTL};
pub use error::DiscoveryError;
pub use gvk::{GroupVersion, GroupVersionKind, GroupVersionResource};
pub use resources::{
    ApiGroupResources, ApiResource, ApiSubresource, ApiVersionResources, DiscoverySource,
    ServerResources,
};
pub use rest_mapper::RestMapper;
