//! Folding repeated events into series (client-go's `eventBroadcasterImpl.recordToSink`,
//! `refreshExistingEventSeries` and `finishSeries`), as pure bookkeeping that says what to
//! write; the writer does the writing.

use std::collections::HashMap;
use std::time::Duration;

use kubegen_api::core::v1::ObjectReference;
use kubegen_api::events::v1::{Event, EventSeries};
use kubegen_runtime::meta::MicroTime;
use tokio::time::Instant;

/// What makes two events "the same": everything but the note and the times.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct EventKey {
    regarding: RefKey,
    related: Option<RefKey>,
    type_: String,
    reason: String,
    action: String,
    reporting_controller: String,
    reporting_instance: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RefKey([String; 6]);

impl RefKey {
    fn of(r: &ObjectReference) -> Self {
        let s = |v: &Option<kubegen_runtime::meta::CompactString>| {
            v.as_deref().unwrap_or_default().to_string()
        };
        RefKey([
            s(&r.api_version),
            s(&r.kind),
            s(&r.namespace),
            s(&r.name),
            s(&r.uid),
            s(&r.field_path),
        ])
    }
}

impl EventKey {
    pub(crate) fn of(e: &Event) -> Self {
        let s = |v: &Option<kubegen_runtime::meta::CompactString>| {
            v.as_deref().unwrap_or_default().to_string()
        };
        EventKey {
            regarding: e
                .regarding
                .as_ref()
                .map(RefKey::of)
                .unwrap_or(RefKey(Default::default())),
            related: e.related.as_ref().map(RefKey::of),
            type_: s(&e.type_),
            reason: s(&e.reason),
            action: s(&e.action),
            reporting_controller: s(&e.reporting_controller),
            reporting_instance: s(&e.reporting_instance),
        }
    }
}

/// A write to send to the API server.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Write {
    /// A new Event object.
    Create(Event),
    /// The series of an existing Event (`event` carries the series too, to create it again
    /// if the object is gone, e.g. expired by the server's TTL).
    Series(Event),
}

struct Entry {
    /// The first occurrence as written (its name and namespace are the object's), with the
    /// series as last counted.
    event: Event,
    /// Occurrences so far.
    count: i32,
    /// The count the server last received (1 for the create).
    written: i32,
    /// Local instant of the last occurrence (the window is measured on the monotonic clock).
    last_seen: Instant,
}

impl Entry {
    fn series_write(&mut self) -> Write {
        self.written = self.count;
        Write::Series(self.event.clone())
    }
}

/// The events seen within the window, by key.
pub(crate) struct Aggregator {
    window: Duration,
    entries: HashMap<EventKey, Entry>,
}

impl Aggregator {
    /// Events repeat into one series while less than `window` separates occurrences.
    pub(crate) fn new(window: Duration) -> Self {
        Self {
            window,
            entries: HashMap::new(),
        }
    }

    /// How many keys are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// An event was recorded at `now`: the first occurrence is created, the second starts the
    /// series (patched at once), later ones are only counted.
    pub(crate) fn observe(&mut self, event: Event, now: Instant) -> Option<Write> {
        let key = EventKey::of(&event);
        let observed = event.event_time.unwrap_or_else(MicroTime::now);
        if let Some(entry) = self.entries.get_mut(&key) {
            if now.saturating_duration_since(entry.last_seen) <= self.window {
                entry.count = entry.count.saturating_add(1);
                entry.last_seen = now;
                entry.event.series = Some(EventSeries {
                    count: Some(entry.count),
                    last_observed_time: Some(observed),
                });
                return (entry.count == 2).then(|| entry.series_write());
            }
        }
        self.entries.insert(
            key,
            Entry {
                event: event.clone(),
                count: 1,
                written: 1,
                last_seen: now,
            },
        );
        Some(Write::Create(event))
    }

    /// Series with occurrences the server has not seen (the periodic heartbeat).
    pub(crate) fn heartbeat(&mut self) -> Vec<Write> {
        self.entries
            .values_mut()
            .filter(|e| e.count > e.written)
            .map(Entry::series_write)
            .collect()
    }

    /// Forgets keys with no occurrence within the window before `now`; a finished series
    /// with unwritten occurrences gets its final write.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<Write> {
        let window = self.window;
        let mut writes = Vec::new();
        self.entries.retain(|_, e| {
            if now.saturating_duration_since(e.last_seen) <= window {
                return true;
            }
            if e.count > e.written {
                writes.push(e.series_write());
            }
            false
        });
        writes
    }

    /// Every unwritten count, at shutdown.
    pub(crate) fn flush(&mut self) -> Vec<Write> {
        let writes = self.heartbeat();
        self.entries.clear();
        writes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, reason: &str) -> Event {
        let mut e = Event {
            regarding: Some(ObjectReference {
                kind: Some("Pod".into()),
                name: Some("web".into()),
                namespace: Some("ns".into()),
                ..Default::default()
            }),
            reason: Some(reason.into()),
            action: Some("Act".into()),
            type_: Some("Normal".into()),
            reporting_controller: Some("c".into()),
            reporting_instance: Some("i".into()),
            event_time: MicroTime::from_unix_micros(1),
            note: Some(name.into()),
            ..Default::default()
        };
        e.metadata.name = Some(name.into());
        e
    }

    fn count(w: &Write) -> Option<i32> {
        match w {
            Write::Create(_) => None,
            Write::Series(e) => e.series.as_ref().and_then(|s| s.count),
        }
    }

    #[test]
    fn repeats_become_one_series_on_the_first_object() {
        let t0 = Instant::now();
        let mut agg = Aggregator::new(Duration::from_secs(60));
        let first = agg.observe(event("e1", "R"), t0);
        assert!(
            matches!(first, Some(Write::Create(ref e)) if e.metadata.name.as_deref() == Some("e1"))
        );
        let second = agg.observe(event("e2", "R"), t0).unwrap();
        assert_eq!(count(&second), Some(2));
        let Write::Series(e) = &second else { panic!() };
        assert_eq!(
            e.metadata.name.as_deref(),
            Some("e1"),
            "the series patches the first object"
        );
        assert_eq!(e.note.as_deref(), Some("e1"), "the first note is kept");
        for i in 3..=10 {
            assert_eq!(agg.observe(event(&format!("e{i}"), "R"), t0), None);
        }
        let beats = agg.heartbeat();
        assert_eq!(beats.iter().map(count).collect::<Vec<_>>(), vec![Some(10)]);
        assert!(
            agg.heartbeat().is_empty(),
            "nothing new since the last write"
        );
        // A different reason is another key.
        assert!(matches!(
            agg.observe(event("x", "Other"), t0),
            Some(Write::Create(_))
        ));
        assert_eq!(agg.len(), 2);
    }

    #[test]
    fn the_window_ends_a_series_and_writes_its_last_count() {
        let t0 = Instant::now();
        let w = Duration::from_secs(60);
        let mut agg = Aggregator::new(w);
        agg.observe(event("e1", "R"), t0);
        agg.observe(event("e2", "R"), t0);
        agg.observe(event("e3", "R"), t0 + Duration::from_secs(30));
        assert!(
            agg.expire(t0 + Duration::from_secs(60)).is_empty(),
            "still within the window"
        );
        let last = agg.expire(t0 + Duration::from_secs(91));
        assert_eq!(last.iter().map(count).collect::<Vec<_>>(), vec![Some(3)]);
        assert_eq!(agg.len(), 0);
        // The same event later starts a new object.
        assert!(matches!(
            agg.observe(event("e4", "R"), t0 + Duration::from_secs(100)),
            Some(Write::Create(_))
        ));
        // A gap longer than the window also starts anew even before expiry ran.
        assert!(matches!(
            agg.observe(event("e5", "R"), t0 + Duration::from_secs(200)),
            Some(Write::Create(_))
        ));
    }

    #[test]
    fn flush_writes_unwritten_counts_once() {
        let t0 = Instant::now();
        let mut agg = Aggregator::new(Duration::from_secs(60));
        agg.observe(event("a", "R"), t0);
        agg.observe(event("b", "R"), t0);
        assert!(
            agg.flush().is_empty(),
            "the second occurrence was written at once"
        );
        agg.observe(event("a", "R"), t0);
        agg.observe(event("b", "R"), t0);
        agg.observe(event("c", "R"), t0);
        assert_eq!(
            agg.flush().iter().map(count).collect::<Vec<_>>(),
            vec![Some(3)]
        );
        assert_eq!(agg.len(), 0);
    }
}
