//! Leader election settings and their validation.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A leadership notification (called on the elector's task: keep it short).
pub type Callback = Arc<dyn Fn() + Send + Sync>;
/// A notification naming the new leader (called on the elector's task: keep it short).
pub type LeaderCallback = Arc<dyn Fn(&str) + Send + Sync>;

/// Why a [`LeaderElectionConfig`] cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// The lease needs a name, a namespace and the candidate an identity.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Leases count whole seconds.
    #[error("lease duration {0:?} is shorter than one second")]
    LeaseTooShort(Duration),
    /// The leader must stop before candidates may take over.
    #[error("lease duration {lease:?} must be greater than renew deadline {renew:?}")]
    RenewDeadlineTooLong {
        /// The lease duration.
        lease: Duration,
        /// The renew deadline.
        renew: Duration,
    },
    /// A leader must get more than one attempt (with jitter) before its deadline.
    #[error("renew deadline {renew:?} must be greater than {JITTER} x retry period {retry:?}")]
    RetryPeriodTooLong {
        /// The renew deadline.
        renew: Duration,
        /// The retry period.
        retry: Duration,
    },
    /// A zero retry period would spin.
    #[error("retry period must be positive")]
    ZeroRetryPeriod,
}

/// The jitter factor of candidate retries (client-go's `JitterFactor`).
pub const JITTER: f64 = 1.2;

/// Callbacks of leadership changes, in the spirit of client-go's `LeaderCallbacks`. The work
/// itself is the future given to [`super::LeaderElector::run`]; these are for notifications
/// (metrics, logs, readiness).
#[derive(Clone, Default)]
pub struct Callbacks {
    /// This candidate became leader (called before the work future starts).
    pub on_started_leading: Option<Callback>,
    /// This candidate stopped leading: lost the lease, or stopped on cancellation (called
    /// before the lease is released, at the instant the leadership guard reports loss).
    pub on_stopped_leading: Option<Callback>,
    /// Someone (possibly this candidate) was observed holding the lease for the first time.
    pub on_new_leader: Option<LeaderCallback>,
}

impl fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callbacks")
            .field("on_started_leading", &self.on_started_leading.is_some())
            .field("on_stopped_leading", &self.on_stopped_leading.is_some())
            .field("on_new_leader", &self.on_new_leader.is_some())
            .finish()
    }
}

/// Settings of one candidate (client-go's `LeaderElectionConfig`).
#[derive(Clone, Debug)]
pub struct LeaderElectionConfig {
    /// Namespace of the Lease.
    pub namespace: String,
    /// Name of the Lease (one per elected role).
    pub name: String,
    /// This candidate's identity, unique among candidates (e.g. the pod name plus a UUID).
    pub identity: String,
    /// How long candidates wait, after observing the lease's last change, before taking over.
    pub lease_duration: Duration,
    /// How long a leader keeps trying to renew before it stops leading; measured from when
    /// it sent its last successful renewal, so it ends before the lease can expire for others.
    pub renew_deadline: Duration,
    /// Pause between attempts (jittered for candidates).
    pub retry_period: Duration,
    /// Give the lease up when cancelled, so another candidate takes over at once instead of
    /// after the lease duration. Only safe when the work has really stopped by then, which
    /// [`super::LeaderElector::run`] ensures by waiting for the work future first.
    pub release_on_cancel: bool,
    /// Notifications.
    pub callbacks: Callbacks,
}

impl LeaderElectionConfig {
    /// Settings with client-go's usual values: 15 s lease, 10 s renew deadline, 2 s retry,
    /// release on cancel.
    pub fn new(
        namespace: impl Into<String>,
        name: impl Into<String>,
        identity: impl Into<String>,
    ) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            identity: identity.into(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
            release_on_cancel: true,
            callbacks: Callbacks::default(),
        }
    }

    /// Sets the three timings (lease duration > renew deadline > 1.2 x retry period).
    pub fn timings(mut self, lease: Duration, renew_deadline: Duration, retry: Duration) -> Self {
        self.lease_duration = lease;
        self.renew_deadline = renew_deadline;
        self.retry_period = retry;
        self
    }

    /// Sets whether cancellation releases the lease.
    pub fn release_on_cancel(mut self, release: bool) -> Self {
        self.release_on_cancel = release;
        self
    }

    /// Calls `f` when this candidate becomes leader.
    pub fn on_started_leading(mut self, f: impl Fn() + Send + Sync + 'static) -> Self {
        self.callbacks.on_started_leading = Some(Arc::new(f));
        self
    }

    /// Calls `f` when this candidate stops leading.
    pub fn on_stopped_leading(mut self, f: impl Fn() + Send + Sync + 'static) -> Self {
        self.callbacks.on_stopped_leading = Some(Arc::new(f));
        self
    }

    /// Calls `f` with the identity of each newly observed leader.
    pub fn on_new_leader(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.callbacks.on_new_leader = Some(Arc::new(f));
        self
    }

    /// Checks the settings can be safe (client-go's `NewLeaderElector` checks).
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (value, what) in [
            (&self.namespace, "lease namespace"),
            (&self.name, "lease name"),
            (&self.identity, "identity"),
        ] {
            if value.is_empty() {
                return Err(ConfigError::Empty(what));
            }
        }
        if self.lease_duration < Duration::from_secs(1) {
            return Err(ConfigError::LeaseTooShort(self.lease_duration));
        }
        if self.lease_duration <= self.renew_deadline {
            return Err(ConfigError::RenewDeadlineTooLong {
                lease: self.lease_duration,
                renew: self.renew_deadline,
            });
        }
        if self.retry_period.is_zero() {
            return Err(ConfigError::ZeroRetryPeriod);
        }
        if self.renew_deadline.as_secs_f64() <= JITTER * self.retry_period.as_secs_f64() {
            return Err(ConfigError::RetryPeriodTooLong {
                renew: self.renew_deadline,
                retry: self.retry_period,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_unsafe_timings_are_refused() {
        let c = LeaderElectionConfig::new("ns", "lock", "me");
        assert_eq!(c.validate(), Ok(()));
        let s = Duration::from_secs;
        assert!(matches!(
            c.clone().timings(s(10), s(10), s(2)).validate(),
            Err(ConfigError::RenewDeadlineTooLong { .. })
        ));
        assert!(matches!(
            c.clone().timings(s(10), s(2), s(2)).validate(),
            Err(ConfigError::RetryPeriodTooLong { .. })
        ));
        assert!(matches!(
            c.clone()
                .timings(
                    Duration::from_millis(900),
                    Duration::from_millis(500),
                    Duration::from_millis(100)
                )
                .validate(),
            Err(ConfigError::LeaseTooShort(_))
        ));
        assert_eq!(
            c.clone().timings(s(10), s(5), Duration::ZERO).validate(),
            Err(ConfigError::ZeroRetryPeriod)
        );
        assert_eq!(
            LeaderElectionConfig::new("ns", "", "me").validate(),
            Err(ConfigError::Empty("lease name"))
        );
    }
}
