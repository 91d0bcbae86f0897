//! Recording `events.k8s.io/v1` Events, after client-go's `tools/events`; on servers
//! without that group, `core/v1` Events (client-go's `tools/record`: a series is the first
//! object's `count` and `lastTimestamp`), chosen by asking the server once
//! ([`BroadcasterOptions::api`]).
//!
//! A [`Recorder`] (one per controller, cheap to clone) builds an Event and hands it to a
//! bounded queue without ever waiting: when the queue is full the event is dropped and
//! counted ([`EventBroadcaster::dropped_events`]), because a controller must not stall on
//! its diagnostics. One writer task per [`EventBroadcaster`] sends the queued events to the
//! API server, folding repeats: an event with the same regarding and related objects, type,
//! reason, action and reporting controller and instance as one written within the window
//! becomes an `EventSeries` on the first object (count, lastObservedTime), updated by a
//! merge patch instead of creating another object.
//!
//! As in client-go, the second occurrence patches the series at once; later ones only count
//! until the next heartbeat ([`BroadcasterOptions::series_heartbeat`]), the end of the series
//! (no occurrence for [`BroadcasterOptions::series_window`]), or
//! [`EventBroadcaster::shutdown`], which all write the count.
//!
//! ```no_run
//! # async fn demo(client: kubegen_runtime::rest::Client, pod: kubegen_api::core::v1::ObjectReference) {
//! use kubegen_controller::events::{BroadcasterOptions, EventBroadcaster, EventType};
//!
//! let broadcaster = EventBroadcaster::new(client, BroadcasterOptions::default());
//! broadcaster.start();
//! let recorder = broadcaster.new_recorder("example.com/my-controller", "my-controller-pod-1");
//! recorder.eventf(&pod, None, EventType::Normal, "Scaled", "Scale", format_args!("to {} replicas", 3));
//! broadcaster.shutdown().await; // writes what is queued and pending series counts
//! # }
//! ```

mod aggregate;
mod broadcaster;
mod legacy;
mod recorder;
mod writer;

pub use broadcaster::{BroadcasterOptions, EventBroadcaster};
pub use legacy::EventsApi;
pub use recorder::{object_reference, EventType, Recorder};
