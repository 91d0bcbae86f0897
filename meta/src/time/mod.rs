//! `Time` (`metav1.Time`: RFC 3339, whole seconds) and `MicroTime` (`metav1.MicroTime`: RFC 3339
//! with exactly six fractional digits), each one `i64` in 8 bytes.
//!
//! Every cached object carries several timestamps (creation, managed fields, conditions,
//! container states), so they are stored as a bare count since the Unix epoch with a niche:
//! `Option<Time>` is 8 bytes too. Parsing, formatting and the calendar are done here, so the
//! runtime needs no time library; the `jiff` feature converts to and from `jiff::Timestamp`
//! for code that wants one.

mod civil;
mod count;
#[cfg(feature = "jiff")]
mod jiff_interop;
mod rfc3339;
mod system_time;

use std::fmt;
use std::time::SystemTime;

use serde_core::{de, Deserialize, Deserializer, Serialize, Serializer};

use self::count::Count;
use self::rfc3339::{format, parse, Parsed};
pub use self::rfc3339::{ParseTimeError, TimeErrorKind};
pub use self::system_time::TimeRangeError;

const MICROS_PER_SECOND: i64 = 1_000_000;

/// A timestamp with whole-second precision (`metav1.Time`), written `2026-11-26T10:00:00Z`.
///
/// Holds any whole second an `i64` counts from the Unix epoch except `i64::MIN`. Fractions
/// and zone offsets in the text are dropped and applied like Go's `metav1.Time` does (the
/// second is kept, the offset converted to UTC).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(Count);

/// A timestamp with microsecond precision (`metav1.MicroTime`, used by `Event` and `Lease`),
/// written `2026-11-26T10:00:00.123456Z`.
///
/// Holds any microsecond an `i64` counts from the Unix epoch except `i64::MIN`. It reads any
/// RFC 3339 text `Time` reads (Go's `MicroTime` insists on six digits; accepting fewer costs
/// nothing and is what every other client does) and truncates finer fractions.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MicroTime(Count);

const _: () = assert!(std::mem::size_of::<Time>() == 8);
const _: () = assert!(std::mem::size_of::<Option<Time>>() == 8);
const _: () = assert!(std::mem::size_of::<MicroTime>() == 8);
const _: () = assert!(std::mem::size_of::<Option<MicroTime>>() == 8);

impl Time {
    /// 1970-01-01T00:00:00Z, also the [`Default`].
    pub const UNIX_EPOCH: Self = Self(Count::ZERO);

    /// The current time, truncated to the second.
    pub fn now() -> Self {
        Self::try_from(SystemTime::now()).unwrap_or_default()
    }

    /// The instant `secs` seconds after the epoch; `None` only for `i64::MIN`.
    pub const fn from_unix_seconds(secs: i64) -> Option<Self> {
        match Count::new(secs) {
            Some(c) => Some(Self(c)),
            None => None,
        }
    }

    /// Seconds since the epoch (negative before 1970).
    pub const fn as_unix_seconds(self) -> i64 {
        self.0.get()
    }

    fn from_parsed(p: Parsed) -> Option<Self> {
        Self::from_unix_seconds(p.secs)
    }

    fn format(self) -> rfc3339::Formatted {
        format(self.as_unix_seconds(), None)
    }
}

impl MicroTime {
    /// 1970-01-01T00:00:00.000000Z, also the [`Default`].
    pub const UNIX_EPOCH: Self = Self(Count::ZERO);

    /// The current time, truncated to the microsecond.
    pub fn now() -> Self {
        Self::try_from(SystemTime::now()).unwrap_or_default()
    }

    /// The instant `micros` microseconds after the epoch; `None` only for `i64::MIN`.
    pub const fn from_unix_micros(micros: i64) -> Option<Self> {
        match Count::new(micros) {
            Some(c) => Some(Self(c)),
            None => None,
        }
    }

    /// Microseconds since the epoch (negative before 1970).
    pub const fn as_unix_micros(self) -> i64 {
        self.0.get()
    }

    /// The instant `secs` seconds after the epoch; `None` beyond ±292,000 years.
    pub const fn from_unix_seconds(secs: i64) -> Option<Self> {
        match secs.checked_mul(MICROS_PER_SECOND) {
            Some(micros) => Self::from_unix_micros(micros),
            None => None,
        }
    }

    /// Whole seconds since the epoch, rounded down (as `Time` would hold it).
    pub const fn as_unix_seconds(self) -> i64 {
        self.as_unix_micros().div_euclid(MICROS_PER_SECOND)
    }

    fn from_parsed(p: Parsed) -> Option<Self> {
        let micros = p.secs.checked_mul(MICROS_PER_SECOND)?;
        Self::from_unix_micros(micros.checked_add(i64::from(p.micros))?)
    }

    fn format(self) -> rfc3339::Formatted {
        let micros = self.as_unix_micros();
        // rem_euclid of 1e6 is in 0..1e6, so it fits a u32.
        let frac = micros.rem_euclid(MICROS_PER_SECOND) as u32;
        format(micros.div_euclid(MICROS_PER_SECOND), Some(frac))
    }
}

/// Truncates to the second, like Go's `metav1.NewTime(t.Time)` on the wire.
impl From<MicroTime> for Time {
    fn from(t: MicroTime) -> Self {
        // Dividing an i64 other than i64::MIN by 1e6 never gives i64::MIN.
        Self::from_unix_seconds(t.as_unix_seconds()).unwrap_or_default()
    }
}

impl TryFrom<Time> for MicroTime {
    type Error = TimeRangeError;
    fn try_from(t: Time) -> Result<Self, TimeRangeError> {
        Self::from_unix_seconds(t.as_unix_seconds()).ok_or(TimeRangeError::new("MicroTime"))
    }
}

/// What `Time` and `MicroTime` share: text, serde, `Default`, `Debug`.
macro_rules! common_impls {
    ($name:ident) => {
        impl Default for $name {
            fn default() -> Self {
                Self::UNIX_EPOCH
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.format().as_str())
            }
        }

        /// Prints the RFC 3339 text, e.g. `Time(2026-11-26T10:00:00Z)`.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name))
                    .field(&format_args!("{}", self.format().as_str()))
                    .finish()
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseTimeError;
            fn from_str(s: &str) -> Result<Self, ParseTimeError> {
                let parsed = parse(s)?;
                Self::from_parsed(parsed)
                    .ok_or_else(|| ParseTimeError::new(s, TimeErrorKind::Range))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.format().as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an RFC 3339 timestamp")
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}

common_impls!(Time);
common_impls!(MicroTime);

#[cfg(test)]
mod tests;
