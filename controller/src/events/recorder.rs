//! The caller's side: build an Event and queue it without blocking.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use kubegen_api::core::v1::ObjectReference;
use kubegen_api::events::v1::Event;
use kubegen_runtime::meta::{Kind, MicroTime, Object};
use tokio::sync::mpsc;

use super::broadcaster::Stats;

/// Longest note the API server accepts (`events.k8s.io/v1` validation).
pub(crate) const NOTE_LIMIT: usize = 1024;

/// The type of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Something expected happened.
    Normal,
    /// Something may need attention.
    Warning,
}

impl EventType {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// Records events as one reporting controller instance. Cloning shares the queue.
#[derive(Clone, Debug)]
pub struct Recorder {
    pub(crate) queue: mpsc::Sender<Event>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) reporting_controller: String,
    pub(crate) reporting_instance: String,
}

impl Recorder {
    /// Queues an event about `regarding` (and optionally `related`): `reason` says why
    /// (`"FailedCreate"`), `action` what was done (`"Create"`), `note` the human-readable
    /// detail (truncated to 1 kB). Never waits: a full queue drops the event and counts it.
    pub fn eventf(
        &self,
        regarding: &ObjectReference,
        related: Option<&ObjectReference>,
        type_: EventType,
        reason: &str,
        action: &str,
        note: impl fmt::Display,
    ) {
        let event = self.build(regarding, related, type_, reason, action, note.to_string());
        match self.queue.try_send(event) {
            Ok(()) => {
                self.stats.queued.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                let total = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                let why = match e {
                    mpsc::error::TrySendError::Full(_) => "queue full",
                    mpsc::error::TrySendError::Closed(_) => "broadcaster shut down",
                };
                tracing::debug!(reason, why, dropped_total = total, "event dropped");
            }
        }
    }

    /// How many events recorders of this broadcaster dropped.
    pub fn dropped_events(&self) -> u64 {
        self.stats.dropped.load(Ordering::Relaxed)
    }

    fn build(
        &self,
        regarding: &ObjectReference,
        related: Option<&ObjectReference>,
        type_: EventType,
        reason: &str,
        action: &str,
        mut note: String,
    ) -> Event {
        truncate(&mut note, NOTE_LIMIT);
        let namespace = regarding
            .namespace
            .as_deref()
            .filter(|ns| !ns.is_empty())
            .unwrap_or("default");
        let mut event = Event {
            event_time: Some(MicroTime::now()),
            regarding: Some(regarding.clone()),
            related: related.cloned(),
            type_: Some(type_.as_str().into()),
            reason: Some(reason.into()),
            action: Some(action.into()),
            note: Some(note.into()),
            reporting_controller: Some(self.reporting_controller.as_str().into()),
            reporting_instance: Some(self.reporting_instance.as_str().into()),
            ..Event::default()
        };
        let name = regarding.name.as_deref().unwrap_or("unnamed");
        event.metadata.name = Some(format!("{name}.{:x}", unique_nanos()).into());
        event.metadata.namespace = Some(namespace.into());
        event
    }
}

/// A reference to `obj` for [`Recorder::eventf`] (kind, apiVersion, namespace, name, uid,
/// resourceVersion).
pub fn object_reference<K: Object + Kind>(obj: &K) -> ObjectReference {
    let meta = obj.metadata();
    ObjectReference {
        api_version: Some(K::API_VERSION.into()),
        kind: Some(K::KIND.into()),
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        field_path: None,
    }
}

/// Nanoseconds since the epoch, strictly increasing within the process, so two events about
/// one object recorded in the same clock tick still get different names (client-go names
/// events `<name>.<unix nanos in hex>`).
fn unique_nanos() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// Cuts `s` to at most `limit` bytes on a character boundary.
fn truncate(s: &mut String, limit: usize) {
    if s.len() <= limit {
        return;
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_cut_on_a_character_boundary() {
        let mut s = "é".repeat(600); // 1200 bytes
        truncate(&mut s, NOTE_LIMIT);
        assert_eq!(s.len(), 1024);
        let mut s = format!("a{}", "é".repeat(600));
        truncate(&mut s, NOTE_LIMIT);
        assert_eq!(s.len(), 1023);
    }

    #[test]
    fn names_are_unique_even_in_one_clock_tick() {
        let a = unique_nanos();
        let b = unique_nanos();
        assert!(b > a);
    }
}
