//! kubegen: from Kubernetes OpenAPI v3 documents to typed Rust clients.
//!
//! The pipeline is `spec` (load and check documents) → `model` (decide every name, type and
//! resource once) → `emit` (print Rust with `quote` + `prettyplease`).

pub mod model;
pub mod spec;
