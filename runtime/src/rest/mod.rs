//! The REST client: requests to the API server with TLS, credentials, client-side rate
//! limiting, retries, typed errors, watch streams and pagination.
//!
//! - [`Client`]: one server, cheap to clone; [`Client::request`] builds any request.
//! - [`ResourceClient`]: the standard verbs of one kind, generic over generated types.
//! - [`WatchStream`]: the typed events of a watch, decoded incrementally.
//! - [`Error`]: `Status` answers as [`ApiError`] with predicates (`is_not_found`, ...).

mod auth;
mod client;
mod error;
mod options;
mod patch;
mod request;
mod resource_client;
mod retry;
mod tls;
mod warning;
mod watch;

pub use client::Client;
pub use error::{ApiError, AuthError, Error, Result};
pub use options::{
    CreateOptions, FieldValidation, GetOptions, ListOptions, PatchOptions, ResourceVersionMatch,
    ToQuery, UpdateOptions,
};
pub use patch::Patch;
pub use request::{ByteStream, RequestBuilder};
pub use resource_client::{ObjectOrStatus, ResourceClient, DEFAULT_PAGE_SIZE};
pub use watch::{decode_event, Bookmark, WatchEvent, WatchStream};

pub use http::Method;
pub use reqwest::Response;
