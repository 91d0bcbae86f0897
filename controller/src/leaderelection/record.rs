//! The leader election record: what a Lease's spec says about who leads.

use std::time::Duration;

use kubegen_api::coordination::v1::LeaseSpec;
use kubegen_runtime::meta::MicroTime;

/// The fields of a Lease that leader election reads and writes (client-go's
/// `LeaderElectionRecord`). Two records are compared to detect that the holder renewed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderElectionRecord {
    /// Who holds the lease; empty when nobody does (released).
    pub holder_identity: String,
    /// How long others must wait, from when they observe a change, before taking over.
    pub lease_duration: Duration,
    /// When the holder acquired it (wall clock; informative only).
    pub acquire_time: Option<MicroTime>,
    /// When the holder last renewed (wall clock; informative only: decisions use the local
    /// monotonic clock at which a change was observed, never this, so clock skew is harmless).
    pub renew_time: Option<MicroTime>,
    /// How many times the lease changed hands.
    pub leader_transitions: i32,
}

impl LeaderElectionRecord {
    /// Reads the record from a Lease's spec (an absent spec is a record nobody holds).
    pub fn from_spec(spec: Option<&LeaseSpec>) -> Self {
        let Some(spec) = spec else {
            return Self::default();
        };
        Self {
            holder_identity: spec
                .holder_identity
                .as_deref()
                .unwrap_or_default()
                .to_string(),
            lease_duration: Duration::from_secs(
                u64::try_from(spec.lease_duration_seconds.unwrap_or(0)).unwrap_or(0),
            ),
            acquire_time: spec.acquire_time,
            renew_time: spec.renew_time,
            leader_transitions: spec.lease_transitions.unwrap_or(0),
        }
    }

    /// Writes the record into `spec`, leaving fields leader election does not own
    /// (`strategy`, `preferredHolder`) as they are.
    pub fn apply_to(&self, spec: &mut LeaseSpec) {
        spec.holder_identity = Some(self.holder_identity.as_str().into());
        spec.lease_duration_seconds = Some(duration_seconds(self.lease_duration));
        spec.acquire_time = self.acquire_time;
        spec.renew_time = self.renew_time;
        spec.lease_transitions = Some(self.leader_transitions);
    }
}

/// Whole seconds for `leaseDurationSeconds`, rounded up: others then wait at least as long as
/// the holder assumed, never less.
pub(crate) fn duration_seconds(d: Duration) -> i32 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    i32::try_from(secs).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_a_spec_and_rounds_durations_up() {
        let record = LeaderElectionRecord {
            holder_identity: "a".into(),
            lease_duration: Duration::from_millis(2500),
            acquire_time: MicroTime::from_unix_micros(1),
            renew_time: MicroTime::from_unix_micros(2),
            leader_transitions: 3,
        };
        let mut spec = LeaseSpec {
            strategy: Some("OldestEmulationVersion".into()),
            ..LeaseSpec::default()
        };
        record.apply_to(&mut spec);
        assert_eq!(spec.lease_duration_seconds, Some(3));
        assert_eq!(spec.strategy.as_deref(), Some("OldestEmulationVersion"));
        let back = LeaderElectionRecord::from_spec(Some(&spec));
        assert_eq!(back.lease_duration, Duration::from_secs(3));
        assert_eq!(back.holder_identity, "a");
        assert_eq!(back.leader_transitions, 3);
        assert_eq!(
            LeaderElectionRecord::from_spec(None),
            LeaderElectionRecord::default()
        );
    }

    #[test]
    fn negative_durations_read_as_zero() {
        let spec = LeaseSpec {
            lease_duration_seconds: Some(-5),
            ..LeaseSpec::default()
        };
        let r = LeaderElectionRecord::from_spec(Some(&spec));
        assert_eq!(r.lease_duration, Duration::ZERO);
    }
}
