//! HTTP plumbing: requests, response bodies, `Status` errors.

pub(crate) mod body;
pub(crate) mod compression;
pub(crate) mod error;
pub(crate) mod request;
pub(crate) mod reset;

pub(crate) use body::Body;
pub(crate) use error::ApiError;
pub(crate) use request::{Output, Req};
pub(crate) use reset::ConnReset;
