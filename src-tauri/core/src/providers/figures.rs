//! Vendors' money and time figures, read defensively: a figure that is not a finite, plausible
//! number is no figure at all. A malformed price never fails a listing and never becomes one.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// No workspace costs a million of anything per hour: beyond it, a unit or encoding went wrong.
const MAX_RATE: f64 = 1_000_000.0;
/// Spending beyond this (in any unit) is a broken figure, not a bill.
const MAX_SPENT: f64 = 1_000_000_000.0;
/// An idle timeout or countdown longer than a year is not a deadline anyone can act on.
const MAX_SECONDS: i64 = 366 * 24 * 3600;

/// `deserialize_with` for an optional number: anything that is not a JSON number (a string,
/// an object, null) reads as absent instead of failing the whole object.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(|v| v.as_f64()).filter(|v| v.is_finite()))
}

/// `deserialize_with` for an optional whole number (seconds, minutes): a fraction, a string
/// or anything else reads as absent.
pub fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(|v| v.as_i64()))
}

/// The same as [`whole`], for fields the client also sends (non-negative, fitting `u32`).
pub fn whole_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(whole(d)?.and_then(|v| u32::try_from(v).ok()))
}

/// The same as [`whole`], for fields the client also sends (non-negative).
pub fn whole_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(whole(d)?.and_then(|v| u64::try_from(v).ok()))
}

/// `deserialize_with` for an optional switch: anything but `true` or `false` reads as absent.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(|v| v.as_bool()))
}

/// `deserialize_with` for an optional time stamp: anything but a string reads as absent
/// (the string itself is parsed, just as leniently, where it is used).
pub fn time_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(|v| v.as_str().map(str::to_string)))
}

/// A per-hour price the vendor reported, if it is one.
pub fn rate(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite() && (0.0..=MAX_RATE).contains(v))
}

/// An amount spent the vendor reported, if it is one.
pub fn spent(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite() && (0.0..=MAX_SPENT).contains(v))
}

/// Idle seconds as whole minutes (rounded up: "stops after 1 min idle" rather than 0).
pub fn idle_minutes_from_seconds(secs: Option<i64>) -> Option<u32> {
    let secs = secs.filter(|s| (1..=MAX_SECONDS).contains(s))?;
    u32::try_from((secs + 59) / 60).ok()
}

/// Idle minutes as the vendor gives them, if plausible.
pub fn idle_minutes(minutes: Option<i64>) -> Option<u32> {
    minutes.filter(|m| (1..=MAX_SECONDS / 60).contains(m)).and_then(|m| u32::try_from(m).ok())
}

/// When a countdown of `remaining` seconds, read at `now`, runs out.
pub fn deadline(now: DateTime<Utc>, remaining: Option<i64>) -> Option<DateTime<Utc>> {
    let secs = remaining.filter(|s| (0..=MAX_SECONDS).contains(s))?;
    Some(now + Duration::seconds(secs))
}

/// A time the vendor says it will stop or remove a workspace, if it is within a year of `now`
/// either way (a year-0 or year-9999 stamp is a broken figure, not a deadline).
pub fn deadline_at(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    at.filter(|at| at.signed_duration_since(now).num_seconds().abs() <= MAX_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "number")]
        n: Option<f64>,
        #[serde(default, deserialize_with = "whole")]
        w: Option<i64>,
        #[serde(default, deserialize_with = "whole_u32")]
        u: Option<u32>,
    }

    fn row(v: serde_json::Value) -> Row {
        serde_json::from_value(v).expect("a malformed figure never fails the object")
    }

    #[test]
    fn numbers_read_only_from_json_numbers() {
        assert_eq!(row(json!({"n": 1.5, "w": 60, "u": 7})).n, Some(1.5));
        assert_eq!(row(json!({"n": "1.5"})).n, None, "a string is not a price");
        assert_eq!(row(json!({"n": {"v": 1}})).n, None);
        assert_eq!(row(json!({"n": null})).n, None);
        assert_eq!(row(json!({})).n, None);
        assert_eq!(row(json!({"w": 1.5})).w, None, "a fraction is not a count of seconds");
        assert_eq!(row(json!({"w": "60"})).w, None);
        assert_eq!(row(json!({"u": -1})).u, None);
        assert_eq!(row(json!({"u": 1u64 << 40})).u, None);
    }

    #[test]
    fn implausible_figures_are_no_figures() {
        assert_eq!(rate(Some(2.4)), Some(2.4));
        assert_eq!(rate(Some(0.0)), Some(0.0));
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e12] {
            assert_eq!(rate(Some(bad)), None, "{bad}");
            assert_eq!(spent(Some(bad * 1000.0)), None, "{bad}");
        }
        assert_eq!(spent(Some(30.5)), Some(30.5));
    }

    #[test]
    fn idle_times_and_deadlines() {
        assert_eq!(idle_minutes_from_seconds(Some(1800)), Some(30));
        assert_eq!(idle_minutes_from_seconds(Some(61)), Some(2));
        assert_eq!(idle_minutes_from_seconds(Some(0)), None, "0 s idle is no policy");
        assert_eq!(idle_minutes_from_seconds(Some(-5)), None);
        assert_eq!(idle_minutes_from_seconds(Some(i64::MAX)), None);
        assert_eq!(idle_minutes(Some(120)), Some(120));
        assert_eq!(idle_minutes(Some(-120)), None);
        let now = DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(deadline(now, Some(5400)).unwrap().to_rfc3339(), "2026-12-04T11:30:00+00:00");
        assert_eq!(deadline(now, Some(-1)), None);
        assert_eq!(deadline(now, Some(i64::MAX)), None, "no overflow");
        assert_eq!(deadline(now, None), None);
    }
}
