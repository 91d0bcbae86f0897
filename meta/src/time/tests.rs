use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;

use super::*;

#[test]
fn sizes() {
    assert_eq!(std::mem::size_of::<Time>(), 8);
    assert_eq!(std::mem::size_of::<Option<Time>>(), 8);
    assert_eq!(std::mem::size_of::<MicroTime>(), 8);
    assert_eq!(std::mem::size_of::<Option<MicroTime>>(), 8);
}

#[test]
fn time_round_trips_whole_seconds() {
    let t: Time = serde_json::from_str(r#""2026-11-26T10:00:00Z""#).unwrap();
    assert_eq!(t.as_unix_seconds(), 1_795_687_200);
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        r#""2026-11-26T10:00:00Z""#
    );
    // Fractions are dropped and offsets converted, as Go's metav1.Time marshals them.
    let t: Time = serde_json::from_str(r#""2026-11-26T10:00:00.999+01:00""#).unwrap();
    assert_eq!(t.to_string(), "2026-11-26T09:00:00Z");
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
    let t: MicroTime = "2026-11-26T10:00:00.123456789-02:00".parse().unwrap();
    assert_eq!(t.to_string(), "2026-11-26T12:00:00.123456Z");
    assert_eq!(t.as_unix_micros(), 1_795_694_400_123_456);
    assert_eq!(t.as_unix_seconds(), 1_795_694_400);
}

#[test]
fn go_zero_time() {
    let t: Time = "0001-01-01T00:00:00Z".parse().unwrap();
    assert_eq!(t.as_unix_seconds(), -62_135_596_800);
    assert_eq!(t.to_string(), "0001-01-01T00:00:00Z");
    let m: MicroTime = "0001-01-01T00:00:00.000000Z".parse().unwrap();
    assert_eq!(m.to_string(), "0001-01-01T00:00:00.000000Z");
    assert_eq!(Time::from(m), t);
}

#[test]
fn null_and_absent_are_none() {
    #[derive(serde::Deserialize)]
    struct S {
        t: Option<Time>,
        #[serde(default)]
        m: Option<MicroTime>,
    }
    let s: S = serde_json::from_str(r#"{"t": null}"#).unwrap();
    assert_eq!((s.t, s.m), (None, None));
}

#[test]
fn bad_time_is_an_error_naming_the_value() {
    for bad in [r#""yesterday""#, r#""2023-02-29T00:00:00Z""#, r#""""#] {
        let err = serde_json::from_str::<Time>(bad).unwrap_err().to_string();
        assert!(err.contains(bad), "{err}");
        let err = serde_json::from_str::<MicroTime>(bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains(bad), "{err}");
    }
    let err = serde_json::from_str::<Time>("12").unwrap_err().to_string();
    assert!(err.contains("RFC 3339"), "{err}");
    let err = "2026-11-26T10:00:00+25:00".parse::<Time>().unwrap_err();
    assert_eq!(err.kind(), TimeErrorKind::Offset);
    assert_eq!(
        err.to_string(),
        r#"invalid RFC 3339 timestamp "2026-11-26T10:00:00+25:00": time zone offset out of range"#
    );
}

#[test]
fn default_debug_and_order() {
    assert_eq!(Time::default().as_unix_seconds(), 0);
    assert_eq!(MicroTime::default().as_unix_micros(), 0);
    let t: Time = "2026-11-26T10:00:00Z".parse().unwrap();
    assert_eq!(format!("{t:?}"), "Time(2026-11-26T10:00:00Z)");
    assert_eq!(
        format!("{:?}", Some(MicroTime::UNIX_EPOCH)),
        "Some(MicroTime(1970-01-01T00:00:00.000000Z))"
    );
    let mut v: Vec<Time> = [5, -3, i64::MAX, 0, i64::MIN + 1, -1]
        .into_iter()
        .map(|s| Time::from_unix_seconds(s).unwrap())
        .collect();
    v.sort();
    let secs: Vec<i64> = v.iter().map(|t| t.as_unix_seconds()).collect();
    assert_eq!(secs, [i64::MIN + 1, -3, -1, 0, 5, i64::MAX]);
    assert!(Time::from_unix_seconds(i64::MIN).is_none());
    assert!(MicroTime::from_unix_micros(i64::MIN).is_none());
    assert!(MicroTime::from_unix_seconds(i64::MAX / 1_000_000 + 1).is_none());
}

#[test]
fn system_time_conversions() {
    let st = UNIX_EPOCH - Duration::from_nanos(1_500_000_001);
    assert_eq!(Time::try_from(st).unwrap().as_unix_seconds(), -2);
    assert_eq!(
        MicroTime::try_from(st).unwrap().as_unix_micros(),
        -1_500_001
    );
    let st = UNIX_EPOCH + Duration::new(1_795_687_200, 999_999_999);
    let t = Time::try_from(st).unwrap();
    assert_eq!(t.to_string(), "2026-11-26T10:00:00Z");
    assert_eq!(
        SystemTime::try_from(t).unwrap(),
        UNIX_EPOCH + Duration::from_secs(1_795_687_200)
    );
    let m = MicroTime::try_from(st).unwrap();
    assert_eq!(m.to_string(), "2026-11-26T10:00:00.999999Z");
    assert_eq!(
        SystemTime::try_from(m).unwrap(),
        UNIX_EPOCH + Duration::new(1_795_687_200, 999_999_000)
    );
    let before = Time::from_unix_seconds(-86_400).unwrap();
    assert_eq!(
        SystemTime::try_from(before).unwrap(),
        UNIX_EPOCH - Duration::from_secs(86_400)
    );
    // now() agrees with the system clock.
    let now = Time::now().as_unix_seconds();
    let sys = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((sys - now).abs() <= 1, "{now} vs {sys}");
    assert!((MicroTime::now().as_unix_seconds() - sys).abs() <= 1);
}

#[test]
fn time_and_micro_time_convert() {
    let m: MicroTime = "1969-12-31T23:59:59.5Z".parse().unwrap();
    assert_eq!(Time::from(m).to_string(), "1969-12-31T23:59:59Z");
    let t: Time = "2026-11-26T10:00:00Z".parse().unwrap();
    assert_eq!(
        MicroTime::try_from(t).unwrap().to_string(),
        "2026-11-26T10:00:00.000000Z"
    );
    assert!(MicroTime::try_from(Time::from_unix_seconds(i64::MAX).unwrap()).is_err());
}

/// jiff's smallest and largest whole seconds with a four-digit year (0001-01-01 to 9999-12-30;
/// jiff ends a day before 9999-12-31).
const FIRST: i64 = -62_135_596_800;
const LAST: i64 = 253_402_207_199;

proptest! {
    #[test]
    fn formats_like_jiff(secs in FIRST..=LAST, micros in 0u32..1_000_000) {
        let ts = jiff::Timestamp::from_second(secs).unwrap();
        let t = Time::from_unix_seconds(secs).unwrap();
        prop_assert_eq!(t.to_string(), ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        prop_assert_eq!(t.to_string().parse::<Time>().unwrap(), t);

        let m = MicroTime::from_unix_seconds(secs).unwrap();
        let m = MicroTime::from_unix_micros(m.as_unix_micros() + i64::from(micros)).unwrap();
        let ts = jiff::Timestamp::from_microsecond(m.as_unix_micros()).unwrap();
        prop_assert_eq!(m.to_string(), ts.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string());
        prop_assert_eq!(m.to_string().parse::<MicroTime>().unwrap(), m);
    }

    /// Texts with offsets and fractions of every length parse to what jiff parses them to.
    #[test]
    fn parses_like_jiff(
        secs in FIRST + 86_400..=LAST - 86_400,
        nanos in 0u32..1_000_000_000,
        digits in 0usize..=9,
        offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i32),
    ) {
        let ts = jiff::Timestamp::new(secs, nanos as i32).unwrap();
        let offset = jiff::tz::Offset::from_seconds(offset_minutes * 60).unwrap();
        let local = offset.to_datetime(ts);
        let frac = format!("{nanos:09}000");
        let frac = if digits == 0 { String::new() } else { format!(".{}", &frac[..digits]) };
        let zone = if offset_minutes == 0 && digits % 2 == 0 {
            "Z".to_string()
        } else {
            let (sign, m) = if offset_minutes < 0 { ('-', -offset_minutes) } else { ('+', offset_minutes) };
            format!("{sign}{:02}:{:02}", m / 60, m % 60)
        };
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}{zone}",
            local.year(), local.month(), local.day(), local.hour(), local.minute(), local.second(),
        );
        let reference: jiff::Timestamp = text.parse().unwrap();
        let want_micros = reference.as_nanosecond().div_euclid(1000) as i64;
        prop_assert_eq!(text.parse::<MicroTime>().unwrap().as_unix_micros(), want_micros, "{}", text);
        prop_assert_eq!(
            text.parse::<Time>().unwrap().as_unix_seconds(),
            want_micros.div_euclid(1_000_000),
            "{}", text
        );
    }

    /// Arbitrary text never panics; where jiff also reads it, both agree.
    #[test]
    fn arbitrary_text_never_panics(s in "[0-9T:.,Zz+ -]{0,32}") {
        if let (Ok(t), Ok(reference)) = (s.parse::<Time>(), s.parse::<jiff::Timestamp>()) {
            prop_assert_eq!(
                t.as_unix_seconds(),
                reference.as_nanosecond().div_euclid(1_000_000_000) as i64
            );
        }
    }
}
