//! kubegen: from Kubernetes OpenAPI v3 documents to typed Rust clients.
