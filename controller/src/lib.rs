//! Building blocks for Kubernetes controllers, after client-go's `tools/leaderelection`,
//! `tools/events` and the informer → workqueue → worker pattern of its sample controller.
//!
//! - [`leaderelection`]: one active replica among many, on a `coordination.k8s.io/v1` Lease;
//! - [`events`]: a non-blocking recorder of `events.k8s.io/v1` Events that folds repeats into
//!   an `EventSeries`;
//! - [`controller`]: a shared informer feeding keys to a rate-limited work queue drained by
//!   `N` workers calling your `reconcile(key)`.
//!
//! They are independent: a typical binary runs the [`controller::Controller`] inside the work
//! future of [`leaderelection::LeaderElector::run`], passing it the leadership guard's token,
//! and records what it does with an [`events::Recorder`].

pub mod controller;
pub mod events;
pub mod leaderelection;

/// Re-exported so callers need no direct `tokio-util` dependency for cancellation.
pub use tokio_util::sync::CancellationToken;
