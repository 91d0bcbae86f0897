//! Conversions between `Time`/`MicroTime` and `std::time::SystemTime`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{MicroTime, Time, MICROS_PER_SECOND};

/// An instant the target type cannot hold (beyond its range of years).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeRangeError {
    target: &'static str,
}

// By hand rather than with thiserror: `meta` builds without proc macros.
impl std::fmt::Display for TimeRangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "instant out of the range of {}", self.target)
    }
}

impl std::error::Error for TimeRangeError {}

impl TimeRangeError {
    pub(super) fn new(target: &'static str) -> Self {
        Self { target }
    }
}

/// `t` as whole seconds since the epoch (rounded down) and nanoseconds past them.
fn split(t: SystemTime) -> Option<(i64, u32)> {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => Some((i64::try_from(d.as_secs()).ok()?, d.subsec_nanos())),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).ok()?;
            Some(match d.subsec_nanos() {
                0 => (-secs, 0),
                n => (-secs - 1, 1_000_000_000 - n),
            })
        }
    }
}

/// `UNIX_EPOCH` moved by `amount` units of `unit`, if the platform's `SystemTime` reaches it.
fn shift(amount: i64, unit: fn(u64) -> Duration) -> Option<SystemTime> {
    let d = unit(amount.unsigned_abs());
    if amount >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    }
}

/// Truncates to the second (towards the past).
impl TryFrom<SystemTime> for Time {
    type Error = TimeRangeError;
    fn try_from(t: SystemTime) -> Result<Self, TimeRangeError> {
        split(t)
            .and_then(|(secs, _)| Self::from_unix_seconds(secs))
            .ok_or(TimeRangeError::new("Time"))
    }
}

/// Truncates to the microsecond (towards the past).
impl TryFrom<SystemTime> for MicroTime {
    type Error = TimeRangeError;
    fn try_from(t: SystemTime) -> Result<Self, TimeRangeError> {
        split(t)
            .and_then(|(secs, nanos)| {
                secs.checked_mul(MICROS_PER_SECOND)?
                    .checked_add(i64::from(nanos / 1000))
            })
            .and_then(Self::from_unix_micros)
            .ok_or(TimeRangeError::new("MicroTime"))
    }
}

/// Fails only where the platform's `SystemTime` is narrower than ±2⁶³ seconds.
impl TryFrom<Time> for SystemTime {
    type Error = TimeRangeError;
    fn try_from(t: Time) -> Result<Self, TimeRangeError> {
        shift(t.as_unix_seconds(), Duration::from_secs).ok_or(TimeRangeError::new("SystemTime"))
    }
}

/// Fails only where the platform's `SystemTime` is narrower than ±2⁶³ microseconds.
impl TryFrom<MicroTime> for SystemTime {
    type Error = TimeRangeError;
    fn try_from(t: MicroTime) -> Result<Self, TimeRangeError> {
        shift(t.as_unix_micros(), Duration::from_micros).ok_or(TimeRangeError::new("SystemTime"))
    }
}
