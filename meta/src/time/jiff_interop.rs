//! Conversions to and from `jiff::Timestamp` (feature `jiff`), for code that wants a full
//! time library (durations, zones, calendars) on top of the 8-byte wire types.

use ::jiff::Timestamp;

use super::{MicroTime, Time, TimeRangeError};

/// Truncates to the second (towards the past).
impl From<Timestamp> for Time {
    fn from(ts: Timestamp) -> Self {
        // jiff's range (about ±9999 years) is far inside ours.
        let secs = ts.as_nanosecond().div_euclid(1_000_000_000);
        i64::try_from(secs)
            .ok()
            .and_then(Self::from_unix_seconds)
            .unwrap_or_default()
    }
}

/// Truncates to the microsecond (towards the past).
impl From<Timestamp> for MicroTime {
    fn from(ts: Timestamp) -> Self {
        // jiff's range (about ±9999 years) is far inside ours.
        let micros = ts.as_nanosecond().div_euclid(1_000);
        i64::try_from(micros)
            .ok()
            .and_then(Self::from_unix_micros)
            .unwrap_or_default()
    }
}

/// Fails beyond jiff's range (years -9999 to 9999); every timestamp an RFC 3339 text with a
/// four-digit year names fits, except within a day of the ends.
impl TryFrom<Time> for Timestamp {
    type Error = TimeRangeError;
    fn try_from(t: Time) -> Result<Self, TimeRangeError> {
        Timestamp::from_second(t.as_unix_seconds())
            .map_err(|_| TimeRangeError::new("jiff::Timestamp"))
    }
}

/// Fails beyond jiff's range (years -9999 to 9999).
impl TryFrom<MicroTime> for Timestamp {
    type Error = TimeRangeError;
    fn try_from(t: MicroTime) -> Result<Self, TimeRangeError> {
        Timestamp::from_microsecond(t.as_unix_micros())
            .map_err(|_| TimeRangeError::new("jiff::Timestamp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_jiff() {
        let ts: Timestamp = "2026-11-26T10:00:00.123456789Z".parse().unwrap();
        let t = Time::from(ts);
        assert_eq!(t.to_string(), "2026-11-26T10:00:00Z");
        assert_eq!(
            Timestamp::try_from(t).unwrap().to_string(),
            "2026-11-26T10:00:00Z"
        );
        let m = MicroTime::from(ts);
        assert_eq!(m.to_string(), "2026-11-26T10:00:00.123456Z");
        assert_eq!(
            Timestamp::try_from(m).unwrap().as_microsecond(),
            m.as_unix_micros()
        );
        let before: Timestamp = "1969-12-31T23:59:59.5Z".parse().unwrap();
        assert_eq!(Time::from(before).as_unix_seconds(), -1);
        assert_eq!(MicroTime::from(before).as_unix_micros(), -500_000);
        assert!(Timestamp::try_from(Time::from_unix_seconds(i64::MAX).unwrap()).is_err());
    }
}
