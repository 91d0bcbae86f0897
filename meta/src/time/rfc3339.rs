//! RFC 3339 text ↔ seconds since the Unix epoch, accepting exactly what Go's
//! `time.Parse(time.RFC3339, s)` accepts (which `metav1.Time.UnmarshalJSON` uses) and writing
//! what Go's `Format` writes in UTC.
//!
//! Go's layout parser is laxer than RFC 3339 in three ways (golang/go#54580), kept here so
//! anything an API server accepts also decodes: a one-digit hour (`T1:04:05Z`), `,` as the
//! fraction separator, and zone offsets up to `±24:60`. Like Go, it rejects lowercase `t`/`z`,
//! leap seconds (`:60`), missing seconds, and dates that do not exist (`2023-02-29`).

use std::fmt;

use super::civil::{civil_from_days, days_from_civil, days_in_month};

const SECONDS_PER_DAY: i64 = 86_400;

/// A parsed instant: whole seconds since the epoch, and the fraction truncated to microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Parsed {
    pub secs: i64,
    pub micros: u32,
}

/// Why a text is not an RFC 3339 timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeErrorKind {
    /// Not of the form `YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`.
    Syntax,
    /// A month outside 1–12.
    Month,
    /// A day the month does not have.
    Day,
    /// An hour outside 0–23.
    Hour,
    /// A minute outside 0–59.
    Minute,
    /// A second out of range.
    Second,
    /// A UTC offset out of range.
    Offset,
    /// An instant the type cannot hold.
    Range,
}

// `Display` and `Error` by hand rather than with thiserror: `meta` builds without proc macros.
impl fmt::Display for TimeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "expected YYYY-MM-DDTHH:MM:SS, an optional fraction, then Z or ±HH:MM",
            Self::Month => "month out of range",
            Self::Day => "day out of range for the month",
            Self::Hour => "hour out of range",
            Self::Minute => "minute out of range",
            Self::Second => "second out of range",
            Self::Offset => "time zone offset out of range",
            Self::Range => "instant out of range for the type",
        })
    }
}

impl std::error::Error for TimeErrorKind {}

/// A text that is not an RFC 3339 timestamp (or not one the target type can hold); its
/// message names the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseTimeError {
    value: Box<str>,
    kind: TimeErrorKind,
}

impl fmt::Display for ParseTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid RFC 3339 timestamp {:?}: {}",
            self.value, self.kind
        )
    }
}

impl std::error::Error for ParseTimeError {}

impl ParseTimeError {
    pub(super) fn new(value: &str, kind: TimeErrorKind) -> Self {
        Self {
            value: value.into(),
            kind,
        }
    }

    /// The text that failed to parse.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What is wrong with it.
    pub fn kind(&self) -> TimeErrorKind {
        self.kind
    }
}

#[inline]
fn digit(b: &[u8], i: usize) -> Option<i64> {
    match b.get(i) {
        Some(c @ b'0'..=b'9') => Some(i64::from(c - b'0')),
        _ => None,
    }
}

#[inline]
fn two_digits(b: &[u8], i: usize) -> Result<i64, TimeErrorKind> {
    match (digit(b, i), digit(b, i + 1)) {
        (Some(h), Some(l)) => Ok(h * 10 + l),
        _ => Err(TimeErrorKind::Syntax),
    }
}

#[inline]
fn expect(b: &[u8], i: usize, c: u8) -> Result<(), TimeErrorKind> {
    if b.get(i) == Some(&c) {
        Ok(())
    } else {
        Err(TimeErrorKind::Syntax)
    }
}

/// Parses `s`; offsets are applied, so the result is UTC.
pub(super) fn parse(s: &str) -> Result<Parsed, ParseTimeError> {
    parse_bytes(s.as_bytes()).map_err(|kind| ParseTimeError::new(s, kind))
}

/// The common server forms (`…:SSZ`, `…:SS.ffffffZ`) go straight through at fixed offsets,
/// with no allocation; the lax forms cost a branch each.
#[inline]
fn parse_bytes(b: &[u8]) -> Result<Parsed, TimeErrorKind> {
    use TimeErrorKind as K;
    let year = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    expect(b, 4, b'-')?;
    let month = two_digits(b, 5)?;
    expect(b, 7, b'-')?;
    let day = two_digits(b, 8)?;
    expect(b, 10, b'T')?;
    // Go's layout parser takes a one-digit hour too.
    let (hour, mut i) = match (digit(b, 11), digit(b, 12)) {
        (Some(h), Some(l)) => (h * 10 + l, 13),
        (Some(h), None) => (h, 12),
        _ => return Err(K::Syntax),
    };
    expect(b, i, b':')?;
    let minute = two_digits(b, i + 1)?;
    expect(b, i + 3, b':')?;
    let second = two_digits(b, i + 4)?;
    i += 6;

    let mut micros = 0u32;
    if matches!(b.get(i), Some(b'.' | b',')) && digit(b, i + 1).is_some() {
        i += 1;
        let start = i;
        while let Some(d) = digit(b, i) {
            if i - start < 6 {
                micros = micros * 10 + d as u32;
            }
            i += 1;
        }
        for _ in (i - start)..6 {
            micros *= 10;
        }
    }

    let offset = match b.get(i) {
        Some(b'Z') => {
            i += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let hours = two_digits(b, i + 1)?;
            expect(b, i + 3, b':')?;
            let minutes = two_digits(b, i + 4)?;
            i += 6;
            // Go tests with `>`: "some people do write offsets of 24 hours or 60 minutes".
            if hours > 24 || minutes > 60 {
                return Err(K::Offset);
            }
            let offset = (hours * 60 + minutes) * 60;
            if sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return Err(K::Syntax),
    };
    if i != b.len() {
        return Err(K::Syntax);
    }

    if !(1..=12).contains(&month) {
        return Err(K::Month);
    }
    // `month` is 1..=12 here, so the cast is exact.
    let month = month as u32;
    if day < 1 || day > i64::from(days_in_month(year, month)) {
        return Err(K::Day);
    }
    if hour > 23 {
        return Err(K::Hour);
    }
    if minute > 59 {
        return Err(K::Minute);
    }
    if second > 59 {
        return Err(K::Second);
    }
    let days = days_from_civil(year, month, day as u32);
    let secs = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
    Ok(Parsed { secs, micros })
}

/// A formatted timestamp on the stack (the longest, `i64::MAX` seconds with a fraction, is
/// 36 bytes).
pub(super) struct Formatted {
    buf: [u8; 40],
    len: usize,
}

impl Formatted {
    pub(super) fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    fn push(&mut self, c: u8) {
        self.buf[self.len] = c;
        self.len += 1;
    }

    /// `v` (non-negative) in decimal, zero-padded to `width` digits.
    fn push_num(&mut self, mut v: u64, width: usize) {
        let mut digits = [b'0'; 20];
        let mut n = 0;
        while v > 0 || n < width {
            digits[n] = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
        }
        for &d in digits[..n].iter().rev() {
            self.push(d);
        }
    }
}

/// `secs` as Go's UTC `Format` writes it: `YYYY-MM-DDTHH:MM:SS`, then `.ffffff` when
/// `micros` is given, then `Z`. Years outside 0000–9999 are written as Go does (`-0001`,
/// `10000`), which no RFC 3339 parser reads back.
pub(super) fn format(secs: i64, micros: Option<u32>) -> Formatted {
    let mut out = Formatted {
        buf: [0; 40],
        len: 0,
    };
    let (year, month, day) = civil_from_days(secs.div_euclid(SECONDS_PER_DAY));
    let sod = secs.rem_euclid(SECONDS_PER_DAY) as u64;
    if year < 0 {
        out.push(b'-');
    }
    out.push_num(year.unsigned_abs(), 4);
    out.push(b'-');
    out.push_num(u64::from(month), 2);
    out.push(b'-');
    out.push_num(u64::from(day), 2);
    out.push(b'T');
    out.push_num(sod / 3600, 2);
    out.push(b':');
    out.push_num(sod / 60 % 60, 2);
    out.push(b':');
    out.push_num(sod % 60, 2);
    if let Some(micros) = micros {
        out.push(b'.');
        out.push_num(u64::from(micros), 6);
    }
    out.push(b'Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> i64 {
        parse(s).unwrap().secs
    }

    fn kind(s: &str) -> TimeErrorKind {
        parse(s).unwrap_err().kind()
    }

    #[test]
    fn common_forms() {
        assert_eq!(secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(secs("2026-11-26T10:00:00Z"), 1_795_687_200);
        assert_eq!(
            parse("2026-11-26T10:00:00.123456Z").unwrap(),
            Parsed {
                secs: 1_795_687_200,
                micros: 123_456
            }
        );
        assert_eq!(secs("0001-01-01T00:00:00Z"), -62_135_596_800);
        assert_eq!(secs("1969-12-31T23:59:59Z"), -1);
    }

    #[test]
    fn offsets_convert_to_utc() {
        assert_eq!(
            secs("2026-11-26T11:30:00+01:30"),
            secs("2026-11-26T10:00:00Z")
        );
        assert_eq!(
            secs("2026-11-25T22:00:00-12:00"),
            secs("2026-11-26T10:00:00Z")
        );
        assert_eq!(
            secs("2026-11-26T10:00:00-00:00"),
            secs("2026-11-26T10:00:00Z")
        );
        // Across a year boundary, and Go's zero time in another zone (year 0 in UTC).
        assert_eq!(
            secs("2027-01-01T00:30:00+01:00"),
            secs("2026-12-31T23:30:00Z")
        );
        assert_eq!(secs("0001-01-01T00:00:00+01:00"), -62_135_596_800 - 3600);
    }

    #[test]
    fn fractions_truncate_to_microseconds() {
        let p = |s| parse(s).unwrap().micros;
        assert_eq!(p("2026-11-26T10:00:00.5Z"), 500_000);
        assert_eq!(p("2026-11-26T10:00:00.000001Z"), 1);
        assert_eq!(p("2026-11-26T10:00:00.1234569Z"), 123_456);
        assert_eq!(p("2026-11-26T10:00:00.999999999999Z"), 999_999);
        assert_eq!(p("2026-11-26T10:00:00,25+02:00"), 250_000);
    }

    #[test]
    fn go_laxness_is_kept() {
        assert_eq!(secs("2026-11-26T9:00:00Z"), secs("2026-11-26T09:00:00Z"));
        assert_eq!(
            secs("2026-11-26T10:00:00+24:00"),
            secs("2026-11-25T10:00:00Z")
        );
        assert_eq!(
            secs("2026-11-26T10:00:00+00:60"),
            secs("2026-11-26T09:00:00Z")
        );
    }

    #[test]
    fn leap_days() {
        assert_eq!(
            secs("2024-02-29T00:00:00Z"),
            secs("2024-02-28T00:00:00Z") + 86_400
        );
        assert_eq!(secs("2000-02-29T12:00:00Z"), 951_825_600);
        assert_eq!(kind("2023-02-29T00:00:00Z"), TimeErrorKind::Day);
        assert_eq!(kind("1900-02-29T00:00:00Z"), TimeErrorKind::Day);
    }

    #[test]
    fn invalid_inputs() {
        use TimeErrorKind::*;
        for (s, k) in [
            ("", Syntax),
            ("yesterday", Syntax),
            ("2026-11-26", Syntax),
            ("2026-11-26T10:00Z", Syntax),
            ("2026-11-26T10:00:00", Syntax),
            ("2026-11-26t10:00:00Z", Syntax),
            ("2026-11-26T10:00:00z", Syntax),
            ("2026-11-26 10:00:00Z", Syntax),
            ("2026-11-26T10:00:00.Z", Syntax),
            ("2026-11-26T10:00:00ZZ", Syntax),
            ("2026-11-26T10:00:00+0100", Syntax),
            ("2026-11-26T10:00:00+01", Syntax),
            ("2026-11-26T10:00:00 +01:00", Syntax),
            ("+2026-11-26T10:00:00Z", Syntax),
            ("12026-11-26T10:00:00Z", Syntax),
            ("2026-1-26T10:00:00Z", Syntax),
            ("2026-11-26T100:00:00Z", Syntax),
            ("２026-11-26T10:00:00Z", Syntax),
            ("2026-13-01T00:00:00Z", Month),
            ("2026-00-01T00:00:00Z", Month),
            ("2026-11-31T00:00:00Z", Day),
            ("2026-11-00T00:00:00Z", Day),
            ("2026-11-26T24:00:00Z", Hour),
            ("2026-11-26T10:60:00Z", Minute),
            ("2026-11-26T10:00:60Z", Second),
            ("2026-11-26T10:00:00+25:00", Offset),
            ("2026-11-26T10:00:00-00:61", Offset),
        ] {
            let err = parse(s).unwrap_err();
            assert_eq!(err.kind(), k, "{s:?}");
            assert_eq!(err.value(), s);
            assert!(err.to_string().contains(&format!("{s:?}")), "{err}");
        }
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(format(0, None).as_str(), "1970-01-01T00:00:00Z");
        assert_eq!(
            format(-1, Some(999_999)).as_str(),
            "1969-12-31T23:59:59.999999Z"
        );
        assert_eq!(
            format(-62_135_596_800, None).as_str(),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(
            format(secs("9999-12-31T23:59:59Z"), Some(0)).as_str(),
            "9999-12-31T23:59:59.000000Z"
        );
        assert_eq!(
            format(secs("0000-01-01T00:00:00+01:00"), None).as_str(),
            "-0001-12-31T23:00:00Z"
        );
        assert_eq!(
            format(secs("9999-12-31T23:00:00-02:00"), None).as_str(),
            "10000-01-01T01:00:00Z"
        );
        // The extremes neither panic nor overflow the buffer (values as Go prints them).
        assert_eq!(
            format(i64::MAX, Some(999_999)).as_str(),
            "292277026596-12-04T15:30:07.999999Z"
        );
        assert_eq!(
            format(i64::MIN + 1, None).as_str(),
            "-292277022657-01-27T08:29:53Z"
        );
        let min_micros = i64::MIN + 1;
        assert_eq!(
            format(
                min_micros.div_euclid(1_000_000),
                Some(min_micros.rem_euclid(1_000_000) as u32)
            )
            .as_str(),
            "-290308-12-21T19:59:05.224193Z"
        );
    }
}
