//! The dynamic client and dynamic informers: any resource, including custom resources no
//! code was generated for, with objects as [`DynamicObject`] (client-go's `dynamic` and
//! `dynamicinformer`).
//!
//! - [`DynamicObject`]: typed `metadata`, optional [`TypeMeta`], the rest as JSON;
//!   [`DynamicObject::try_parse`] / [`DynamicObject::from_typed`] convert to and from
//!   generated types.
//! - [`DynamicClient`]: every verb of the typed clients for a resource found by discovery
//!   ([`ApiResource`](crate::discovery::ApiResource)) or a bare
//!   [`GroupVersionResource`](crate::discovery::GroupVersionResource).
//! - [`DynamicSharedInformerFactory`]: shared informers of `DynamicObject`s keyed by
//!   group-version-resource, on the same reflector/store/handler machinery as typed ones.
//!
//! ```no_run
//! # async fn demo(client: kubegen_runtime::rest::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use kubegen_runtime::discovery::{DiscoveryClient, RestMapper};
//! use kubegen_runtime::dynamic::DynamicClient;
//! use kubegen_runtime::rest::ListOptions;
//!
//! let mapper = RestMapper::new(DiscoveryClient::new(client.clone()));
//! let widgets = mapper.resolve("widgets.example.com").await?;
//! let api = DynamicClient::new(client).resource(&widgets).namespace("default");
//! for w in api.list(&ListOptions::default()).await?.items {
//!     println!("{:?} size={:?}", w.name(), w.pointer("/spec/size"));
//! }
//! # Ok(()) }
//! ```

mod client;
#[cfg(feature = "cache")]
mod informer;
mod object;

pub use client::{DynamicClient, DynamicList, DynamicResourceClient};
#[cfg(feature = "cache")]
pub use informer::{DynamicListerWatcher, DynamicSharedInformerFactory};
pub use object::{ConversionError, DynamicObject, TypeMeta};
