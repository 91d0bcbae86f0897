//! `Time` (RFC 3339, whole seconds) and `MicroTime` (RFC 3339, exactly six fractional digits).

use std::fmt;

use jiff::Timestamp;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

macro_rules! time_type {
    ($(#[$doc:meta])* $name:ident, $format:literal, $truncate:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub Timestamp);

        impl $name {
            /// The current time, at this type's precision.
            pub fn now() -> Self {
                Self::from(Timestamp::now())
            }
        }

        impl From<Timestamp> for $name {
            fn from(ts: Timestamp) -> Self {
                let truncate: fn(Timestamp) -> Timestamp = $truncate;
                Self(truncate(ts))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self(Timestamp::UNIX_EPOCH)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0.strftime($format))
            }
        }

        impl std::str::FromStr for $name {
            type Err = jiff::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse::<Timestamp>().map(Self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
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
                        if let Some(ts) = parse_utc_seconds(v) {
                            return Ok($name(ts));
                        }
                        v.parse::<Timestamp>().map($name).map_err(|e| {
                            E::custom(format_args!("invalid timestamp {v:?}: {e}"))
                        })
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}

/// Fast path for the form servers write for `Time`: `YYYY-MM-DDTHH:MM:SSZ`. Decoding lists of
/// objects parses thousands of these; anything else goes through the full RFC 3339 parser.
fn parse_utc_seconds(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        b[range].iter().try_fold(0i64, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let date = jiff::civil::Date::new(year as i16, month as i8, day as i8).ok()?;
    let days = i64::from(
        date.since(jiff::civil::Date::constant(1970, 1, 1))
            .ok()?
            .get_days(),
    );
    Timestamp::from_second(days * 86_400 + hour * 3600 + minute * 60 + second).ok()
}

time_type!(
    /// A timestamp with whole-second precision (`metav1.Time`), e.g. `2026-11-26T10:00:00Z`.
    Time,
    "%Y-%m-%dT%H:%M:%SZ",
    |ts| Timestamp::from_second(ts.as_second()).unwrap_or(ts)
);
time_type!(
    /// A timestamp with microsecond precision (`metav1.MicroTime`), e.g.
    /// `2026-11-26T10:00:00.123456Z`.
    MicroTime,
    "%Y-%m-%dT%H:%M:%S.%6fZ",
    |ts| Timestamp::from_microsecond(ts.as_microsecond()).unwrap_or(ts)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_round_trips_whole_seconds() {
        let t: Time = serde_json::from_str(r#""2026-11-26T10:00:00Z""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2026-11-26T10:00:00Z""#
        );
    }

    #[test]
    fn micro_time_has_six_digits() {
        let t: MicroTime = serde_json::from_str(r#""2026-11-26T10:00:00.5Z""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2026-11-26T10:00:00.500000Z""#
        );
        let t: MicroTime = serde_json::from_str(r#""2026-11-26T10:00:00Z""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2026-11-26T10:00:00.000000Z""#
        );
    }

    #[test]
    fn fast_path_agrees_with_the_full_parser() {
        for s in [
            "2026-11-26T10:00:00Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(
                parse_utc_seconds(s),
                Some(s.parse::<Timestamp>().unwrap()),
                "{s}"
            );
        }
        assert_eq!(parse_utc_seconds("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_utc_seconds("2026-11-26T10:00:00.5Z"), None);
        let t: Time = serde_json::from_str(r#""2026-11-26T10:00:00+01:00""#).unwrap();
        assert_eq!(t.to_string(), "2026-11-26T09:00:00Z");
    }

    #[test]
    fn bad_time_is_an_error() {
        let err = serde_json::from_str::<Time>(r#""yesterday""#).unwrap_err();
        assert!(err.to_string().contains("yesterday"));
    }
}
