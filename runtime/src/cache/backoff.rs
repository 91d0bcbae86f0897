//! Exponential backoff with jitter for the reflector's retries.
//!
//! Contract (client-go's reflector backoff manager): each failure waits `current` plus up to
//! `jitter × current` at random, then `current` grows by `factor` up to `max`; the total wait
//! never exceeds `max`. [`Backoff::reset`] returns to `initial` after a success, and a quiet
//! period of `reset_after` without failures does the same, so a long-healthy reflector that
//! fails once retries quickly.

use std::time::Duration;

use tokio::time::Instant;

/// Settings of a [`Backoff`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffConfig {
    /// The first delay.
    pub initial: Duration,
    /// The longest delay.
    pub max: Duration,
    /// What each delay is multiplied by after a failure.
    pub factor: f64,
    /// Extra random fraction of the delay, in `[0, jitter]`.
    pub jitter: f64,
    /// Failures further apart than this start again from `initial`.
    pub reset_after: Duration,
}

impl Default for BackoffConfig {
    /// client-go's reflector: 800 ms doubling to 30 s, full jitter, reset after 2 min.
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(800),
            max: Duration::from_secs(30),
            factor: 2.0,
            jitter: 1.0,
            reset_after: Duration::from_secs(120),
        }
    }
}

/// The state of one retry sequence.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    current: Duration,
    last_failure: Option<Instant>,
}

impl Backoff {
    /// A backoff at its initial delay.
    pub fn new(config: BackoffConfig) -> Self {
        Self {
            config,
            current: config.initial,
            last_failure: None,
        }
    }

    /// The delay before the next retry (records a failure).
    pub fn next_delay(&mut self) -> Duration {
        let now = Instant::now();
        if self
            .last_failure
            .is_some_and(|t| now.saturating_duration_since(t) > self.config.reset_after)
        {
            self.current = self.config.initial;
        }
        self.last_failure = Some(now);
        let base = self.current.min(self.config.max);
        let grown = base.as_secs_f64() * self.config.factor;
        self.current = if grown.is_finite() && grown < self.config.max.as_secs_f64() {
            Duration::from_secs_f64(grown)
        } else {
            self.config.max
        };
        let jittered = base.as_secs_f64() * (1.0 + fastrand::f64() * self.config.jitter.max(0.0));
        if jittered.is_finite() && jittered < self.config.max.as_secs_f64() {
            Duration::from_secs_f64(jittered)
        } else {
            self.config.max
        }
    }

    /// Starts over from the initial delay (after a success).
    pub fn reset(&mut self) {
        self.current = self.config.initial;
        self.last_failure = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn grows_with_jitter_caps_and_resets() {
        let mut b = Backoff::new(BackoffConfig::default());
        let first = b.next_delay();
        assert!(first >= Duration::from_millis(800) && first <= Duration::from_millis(1600));
        let second = b.next_delay();
        assert!(second >= Duration::from_millis(1600) && second <= Duration::from_millis(3200));
        for _ in 0..20 {
            assert!(b.next_delay() <= Duration::from_secs(30));
        }
        assert!(b.next_delay() >= Duration::from_secs(30) - Duration::from_millis(1));
        tokio::time::advance(Duration::from_secs(121)).await;
        assert!(b.next_delay() <= Duration::from_millis(1600));
        b.next_delay();
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(1600));
    }
}
