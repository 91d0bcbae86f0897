//! kubegen: from Kubernetes OpenAPI v3 documents to typed Rust clients.
//!
//! The pipeline is [`spec`] (load and check documents) → [`model`] (decide every name, type and
//! resource once) → [`emit`] (print Rust with `quote` + `prettyplease`); [`generate()`] runs it
//! and writes the output whole or not at all.

pub mod builder;
pub mod check;
pub mod diff;
pub mod emit;
pub mod fetch;
pub mod generate;
pub mod manifest;
pub mod model;
pub mod spec;
pub mod yaml;

pub use builder::{BuildError, Builder};
pub use generate::{generate, render, GenerateError, Settings, SpecSource};
