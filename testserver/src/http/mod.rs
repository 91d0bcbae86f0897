//! HTTP plumbing: requests, response bodies, `Status` errors.

pub mod body;
pub mod compression;
pub mod error;
pub mod request;
pub mod reset;

pub use body::Body;
pub use error::ApiError;
pub use request::{Output, Req};
pub use reset::ConnReset;
