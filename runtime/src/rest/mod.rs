//! The REST client: requests to the API server with TLS, credentials, client-side rate
//! limiting, retries, typed errors, watch streams and pagination.
//!
//! - [`Client`]: one server, cheap to clone; [`Client::request`] builds any request.
//! - [`ResourceClient`]: the standard verbs of one kind, generic over generated types.
//! - [`WatchStream`]: the typed events of a watch, decoded incrementally.
//! - [`WatchEvent`], [`Bookmark`]: the one watch vocabulary of the runtime: what every watch
//!   hands out, the dynamic client's and informers' lister-watchers included.
//! - [`Error`]: `Status` answers as [`ApiError`] with predicates (`is_not_found`, ...).
//!
//! ```no_run
//! # use kubegen_runtime::meta::{Kind, Object, ObjectMeta, Resource, Scope};
//! # #[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
//! # struct ConfigMap { metadata: ObjectMeta }
//! # impl Kind for ConfigMap { const GROUP: &'static str = ""; const VERSION: &'static str = "v1";
//! #   const KIND: &'static str = "ConfigMap"; const API_VERSION: &'static str = "v1"; }
//! # impl Resource for ConfigMap { const PLURAL: &'static str = "configmaps";
//! #   const SCOPE: Scope = Scope::Namespaced; const LIST_KIND: &'static str = "ConfigMapList"; }
//! # impl Object for ConfigMap { fn metadata(&self) -> &ObjectMeta { &self.metadata }
//! #   fn metadata_mut(&mut self) -> &mut ObjectMeta { &mut self.metadata } }
//! use futures_util::TryStreamExt;
//! use kubegen_runtime::rest::{Client, GetOptions, ListOptions, ResourceClient, WatchEvent};
//!
//! # async fn demo() -> kubegen_runtime::rest::Result<()> {
//! let client = Client::try_default()?; // KUBECONFIG → in-cluster → ~/.kube/config
//! let cms = ResourceClient::<ConfigMap>::namespaced(client, "default");
//! match cms.get("settings", &GetOptions::default()).await {
//!     Ok(cm) => println!("found {:?}", cm.metadata.name),
//!     Err(e) if e.is_not_found() => println!("not there"),
//!     Err(e) => return Err(e),
//! }
//! let list = cms.list_all(&ListOptions::default()).await?; // pages of 500
//! let watch_from = ListOptions {
//!     resource_version: list.metadata.resource_version.clone(),
//!     allow_watch_bookmarks: true,
//!     ..Default::default()
//! };
//! let mut events = cms.watch(&watch_from).await?;
//! while let Some(event) = events.try_next().await? {
//!     match event {
//!         WatchEvent::Error(e) if e.is_gone() => break, // relist
//!         other => println!("{}", other.type_name()),
//!     }
//! }
//! # Ok(()) }
//! ```

mod attempts;
mod auth;
mod body;
mod cert_files;
mod client;
mod connector;
mod deadline;
mod error;
mod list_decoder;
mod options;
mod patch;
mod pool;
#[cfg(feature = "protobuf")]
mod proto_list_decoder;
#[cfg(feature = "protobuf")]
mod protobuf;
mod proxy;
mod query;
mod rate_limit;
mod redirect;
mod request;
mod resource_client;
mod response;
mod retry;
mod tls;
mod undecodable;
mod uri;
mod warning;
mod watch;

pub use client::Client;
#[cfg(feature = "connect")]
pub(crate) use connector::Connector;
pub use error::{ApiError, AuthError, Error, Result, TransportError, TransportErrorKind};
pub use options::{
    CreateOptions, FieldValidation, GetOptions, ListOptions, PatchOptions, ResourceVersionMatch,
    ToQuery, UpdateOptions,
};
pub use patch::Patch;
pub use query::query_pairs;
pub use request::{ByteStream, JsonFuture, RequestBuilder, WatchFuture};
#[cfg(feature = "dynamic")]
pub(crate) use resource_client::{object_or_status, pages};
pub use resource_client::{ObjectOrStatus, ResourceClient, DEFAULT_PAGE_SIZE};
pub use response::Response;
pub use undecodable::UndecodableObject;
pub use watch::{decode_event, Bookmark, WatchEvent, WatchStream};

pub use http::{Method, Uri};
