//! Vendor timestamps: RFC 3339, or (as some Python backends send) an ISO date-time without
//! an offset, read as UTC.

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc()))
}
