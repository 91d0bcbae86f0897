//! The pure decisions of leader election: is the observed lease expired, what to write next.
//!
//! Safety rests on one rule (client-go's): a candidate measures a lease's expiry from the
//! instant *it observed the record change*, on its own monotonic clock, never from the
//! `renewTime` the holder wrote. The holder renewed no later than that observation, and stops
//! leading `renew_deadline` (< lease duration) after *sending* its last successful renewal, so
//! it has stopped before any candidate can consider the lease expired, whatever the wall
//! clocks of the machines say.

use std::time::Duration;

use kubegen_runtime::meta::MicroTime;
use tokio::time::Instant;

use super::record::LeaderElectionRecord;

/// What a candidate last saw of the lease, and when it first saw exactly that.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Observation {
    pub record: LeaderElectionRecord,
    /// Local monotonic instant of the first read (or write) of this exact record.
    pub observed_at: Instant,
}

impl Observation {
    /// The observation after reading `record` at `now`: a record equal to the previous one
    /// keeps its original instant (re-reading an unrenewed lease must not extend it).
    pub(crate) fn update(
        previous: Option<Observation>,
        record: LeaderElectionRecord,
        now: Instant,
    ) -> Self {
        match previous {
            Some(prev) if prev.record == record => prev,
            _ => Observation {
                record,
                observed_at: now,
            },
        }
    }

    /// When the lease expires for this observer.
    pub(crate) fn expires_at(&self) -> Instant {
        self.observed_at + self.record.lease_duration
    }

    /// Whether the holder may have stopped leading by `now` (strictly after the expiry instant).
    pub(crate) fn expired(&self, now: Instant) -> bool {
        now > self.expires_at()
    }
}

/// What a candidate does with the lease it just read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Another holder's lease is still valid by our clock.
    Wait { holder: String, remaining: Duration },
    /// The lease is free, released or expired: take it over.
    Acquire,
    /// We hold it: renew.
    Renew,
}

/// Decides from the observation of the lease at `now`.
pub(crate) fn decide(identity: &str, observation: &Observation, now: Instant) -> Decision {
    let holder = &observation.record.holder_identity;
    if holder == identity {
        return Decision::Renew;
    }
    if !holder.is_empty() && !observation.expired(now) {
        return Decision::Wait {
            holder: holder.clone(),
            remaining: observation.expires_at().saturating_duration_since(now),
        };
    }
    Decision::Acquire
}

/// The record to write for `decision` (never for [`Decision::Wait`], which writes nothing).
pub(crate) fn next_record(
    identity: &str,
    old: &LeaderElectionRecord,
    renewing: bool,
    lease_duration: Duration,
    now: MicroTime,
) -> LeaderElectionRecord {
    LeaderElectionRecord {
        holder_identity: identity.to_string(),
        lease_duration,
        acquire_time: if renewing {
            old.acquire_time
        } else {
            Some(now)
        },
        renew_time: Some(now),
        leader_transitions: if renewing {
            old.leader_transitions
        } else {
            old.leader_transitions.saturating_add(1)
        },
    }
}

/// The record a leader writes when it gives the lease up: no holder, a one-second duration,
/// so candidates take over at once (client-go's `release`).
pub(crate) fn released_record(old: &LeaderElectionRecord, now: MicroTime) -> LeaderElectionRecord {
    LeaderElectionRecord {
        holder_identity: String::new(),
        lease_duration: Duration::from_secs(1),
        acquire_time: Some(now),
        renew_time: Some(now),
        leader_transitions: old.leader_transitions,
    }
}

/// Until when a leader may act after a successful write it *sent* at `sent`.
pub(crate) fn leading_until(sent: Instant, renew_deadline: Duration) -> Instant {
    sent + renew_deadline
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(holder: &str, secs: u64, renew_micros: i64) -> LeaderElectionRecord {
        LeaderElectionRecord {
            holder_identity: holder.into(),
            lease_duration: Duration::from_secs(secs),
            renew_time: MicroTime::from_unix_micros(renew_micros),
            ..Default::default()
        }
    }

    #[test]
    fn another_holders_lease_is_valid_until_duration_after_our_observation() {
        let t0 = Instant::now();
        let obs = Observation::update(None, record("a", 10, 1), t0);
        assert_eq!(
            decide("b", &obs, t0 + Duration::from_secs(4)),
            Decision::Wait {
                holder: "a".into(),
                remaining: Duration::from_secs(6)
            }
        );
        // Exactly at the expiry instant it is still valid: only strictly later counts.
        assert!(matches!(
            decide("b", &obs, t0 + Duration::from_secs(10)),
            Decision::Wait { .. }
        ));
        assert_eq!(
            decide("b", &obs, t0 + Duration::from_millis(10_001)),
            Decision::Acquire
        );
    }

    #[test]
    fn the_holders_wall_clock_renew_time_is_ignored() {
        // A renewTime far in the past (a holder whose clock is behind) does not make the lease
        // look expired: only our own observation instant counts.
        let t0 = Instant::now();
        let obs = Observation::update(None, record("a", 10, -1_000_000_000_000), t0);
        assert!(matches!(
            decide("b", &obs, t0 + Duration::from_secs(1)),
            Decision::Wait { .. }
        ));
    }

    #[test]
    fn rereading_an_unchanged_record_keeps_the_first_observation() {
        let t0 = Instant::now();
        let first = Observation::update(None, record("a", 10, 1), t0);
        let again = Observation::update(
            Some(first.clone()),
            record("a", 10, 1),
            t0 + Duration::from_secs(8),
        );
        assert_eq!(again.observed_at, t0);
        assert_eq!(
            decide("b", &again, t0 + Duration::from_secs(11)),
            Decision::Acquire
        );
        // A renewal (changed record) restarts the clock.
        let renewed =
            Observation::update(Some(again), record("a", 10, 2), t0 + Duration::from_secs(9));
        assert!(matches!(
            decide("b", &renewed, t0 + Duration::from_secs(11)),
            Decision::Wait { .. }
        ));
    }

    #[test]
    fn free_released_and_own_leases() {
        let t0 = Instant::now();
        let free = Observation::update(None, record("", 10, 1), t0);
        assert_eq!(decide("b", &free, t0), Decision::Acquire);
        let own = Observation::update(None, record("b", 10, 1), t0);
        assert_eq!(decide("b", &own, t0), Decision::Renew);
        // Even an expired own lease is renewed (a restarted process with the same identity).
        assert_eq!(
            decide("b", &own, t0 + Duration::from_secs(60)),
            Decision::Renew
        );
    }

    #[test]
    fn records_for_acquire_renew_and_release() {
        let now = MicroTime::from_unix_micros(5_000_000).unwrap();
        let old = LeaderElectionRecord {
            holder_identity: "a".into(),
            lease_duration: Duration::from_secs(10),
            acquire_time: MicroTime::from_unix_micros(1),
            renew_time: MicroTime::from_unix_micros(2),
            leader_transitions: 4,
        };
        let acquired = next_record("b", &old, false, Duration::from_secs(15), now);
        assert_eq!(acquired.holder_identity, "b");
        assert_eq!(acquired.leader_transitions, 5);
        assert_eq!(acquired.acquire_time, Some(now));
        assert_eq!(acquired.lease_duration, Duration::from_secs(15));
        let renewed = next_record("a", &old, true, Duration::from_secs(10), now);
        assert_eq!(renewed.leader_transitions, 4);
        assert_eq!(renewed.acquire_time, old.acquire_time);
        assert_eq!(renewed.renew_time, Some(now));
        let released = released_record(&old, now);
        assert_eq!(released.holder_identity, "");
        assert_eq!(released.lease_duration, Duration::from_secs(1));
        assert_eq!(released.leader_transitions, 4);
    }

    #[test]
    fn a_leader_stops_before_any_observer_can_take_over() {
        // The leader sends its renewal at `sent`; the earliest anyone can observe it is `sent`
        // itself; they take over strictly after observed + lease duration.
        let sent = Instant::now();
        let renew_deadline = Duration::from_secs(8);
        let obs = Observation::update(None, record("a", 10, 1), sent);
        assert!(leading_until(sent, renew_deadline) < obs.expires_at());
    }
}
