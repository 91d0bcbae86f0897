//! Hand-written runtime for kubegen-generated Kubernetes clients.
//!
//! Layered bottom-up (nothing lower imports anything higher):
//! `meta` (apimachinery types and the [`meta::Resource`] traits) → `config` → `rest`
//! → `discovery`, `dynamic` → `cache` (informers); `workqueue` stands alone.

pub mod cache;
pub mod config;
pub mod meta;
pub mod rest;
pub mod workqueue;
