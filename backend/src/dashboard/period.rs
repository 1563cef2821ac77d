//! The date range a marketer picks (`today`, `7d`, `30d`, `90d` or custom
//! dates), the previous period of the same length it is compared with, and the
//! buckets of the time chart. Days are UTC days.

use chrono::{DateTime, NaiveDate};
use serde::Serialize;

pub const DAY_MS: i64 = 86_400_000;
pub const HOUR_MS: i64 = 3_600_000;

/// Longest custom range.
const MAX_DAYS: i64 = 400;

/// The presets the page offers, with their labels.
pub const PRESETS: [(&str, &str); 4] = [("today", "Today"), ("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days")];

/// A half-open span of server time in milliseconds: `from <= t < to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl Span {
    pub fn days(&self) -> i64 {
        (self.to_ms - self.from_ms) / DAY_MS
    }
    pub fn day_range(&self) -> (i64, i64) {
        (self.from_ms.div_euclid(DAY_MS), self.to_ms.div_euclid(DAY_MS))
    }
    pub fn hour_range(&self) -> (i64, i64) {
        (self.from_ms.div_euclid(HOUR_MS), self.to_ms.div_euclid(HOUR_MS))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    /// `today`, `7d`, `30d`, `90d` or `custom`.
    pub key: String,
    pub current: Span,
    pub previous: Span,
    /// First and last day shown, `YYYY-MM-DD`.
    pub first_day: String,
    pub last_day: String,
    /// The chart's bucket: hours for ranges of two days or less, else days.
    pub hourly: bool,
}

impl Period {
    /// Reads the query: `range` is a preset or `custom` with `from`/`to` dates
    /// (inclusive). No range means 30 days. `from` and `to` must be dates when
    /// given, whatever the range; a custom range is then made whole rather than
    /// refused: no `to` means today, no `from` the 30 days up to `to`, the two
    /// are taken in order, and a range longer than 400 days is the 400 days
    /// ending on the later date. The answer's period says what was used.
    pub fn parse(range: Option<&str>, from: Option<&str>, to: Option<&str>, now_ms: i64) -> Result<Period, String> {
        let today = now_ms.div_euclid(DAY_MS);
        let from = from.map(|f| day_of(f, "from")).transpose()?;
        let to = to.map(|t| day_of(t, "to")).transpose()?;
        let (key, first, last) = match range.unwrap_or("30d") {
            "today" => ("today", today, today),
            "7d" => ("7d", today - 6, today),
            "30d" => ("30d", today - 29, today),
            "90d" => ("90d", today - 89, today),
            "custom" => {
                let b = to.unwrap_or(today);
                let a = from.unwrap_or(b - 29);
                let (first, last) = (a.min(b), a.max(b));
                ("custom", first.max(last - (MAX_DAYS - 1)), last)
            }
            _ => return Err("`range` is one of today, 7d, 30d, 90d, custom".to_owned()),
        };
        let current = Span { from_ms: first * DAY_MS, to_ms: (last + 1) * DAY_MS };
        let len = current.to_ms - current.from_ms;
        Ok(Period {
            key: key.to_owned(),
            current,
            previous: Span { from_ms: current.from_ms - len, to_ms: current.from_ms },
            first_day: date_text(first),
            last_day: date_text(last),
            hourly: last - first < 2,
        })
    }

    /// The chart's bucket starts (ms), every bucket of the current span.
    pub fn buckets(&self) -> impl Iterator<Item = i64> + '_ {
        let step = if self.hourly { HOUR_MS } else { DAY_MS };
        (self.current.from_ms..self.current.to_ms).step_by(step as usize)
    }

    pub fn bucket_of(&self, ms: i64) -> i64 {
        let step = if self.hourly { HOUR_MS } else { DAY_MS };
        ms.div_euclid(step) * step
    }
}

fn day_of(text: &str, field: &str) -> Result<i64, String> {
    let bad = || format!("`{field}` must be a date like 2026-01-31");
    // `YYYY-MM-DD` with a year from 1970 to 2999 (the pattern in openapi.json).
    if text.len() != 10 || !matches!(text.as_bytes()[0], b'1' | b'2') || text < "1970" {
        return Err(bad());
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    Ok((date - epoch).num_days())
}

/// `YYYY-MM-DD` of a day number since the epoch.
pub fn date_text(day: i64) -> String {
    DateTime::from_timestamp(day * 86_400, 0).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// A bucket's label: `2026-11-25` or `2026-11-25 14:00`.
pub fn bucket_label(ms: i64, hourly: bool) -> String {
    let fmt = if hourly { "%Y-%m-%d %H:00" } else { "%Y-%m-%d" };
    DateTime::from_timestamp_millis(ms).map(|d| d.format(fmt).to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-25 13:00 UTC
    const NOW: i64 = 1_795_611_600_000;

    #[test]
    fn presets_end_today_and_compare_with_the_span_before() {
        let p = Period::parse(Some("7d"), None, None, NOW).expect("7d");
        assert_eq!((p.first_day.as_str(), p.last_day.as_str()), ("2026-11-19", "2026-11-25"));
        assert_eq!(p.current.days(), 7);
        assert_eq!(p.previous.to_ms, p.current.from_ms);
        assert_eq!(p.previous.days(), 7);
        assert!(!p.hourly);
        assert_eq!(p.buckets().count(), 7);
        let t = Period::parse(Some("today"), None, None, NOW).expect("today");
        assert!(t.hourly);
        assert_eq!(t.buckets().count(), 24);
        assert_eq!(bucket_label(t.current.from_ms + 14 * HOUR_MS, true), "2026-11-25 14:00");
    }

    #[test]
    fn custom_ranges_are_checked() {
        let p = Period::parse(Some("custom"), Some("2026-01-01"), Some("2026-01-31"), NOW).expect("custom");
        assert_eq!(p.current.days(), 31);
        assert_eq!(p.previous.days(), 31);
        assert!(Period::parse(Some("custom"), Some("2026-13-01"), Some("2026-01-31"), NOW).is_err());
        assert!(Period::parse(Some("30d"), None, Some(""), NOW).is_err(), "a date that is not one is refused whatever the range");
        for bad in ["226-01-01", "0471-03-27", "1969-12-31", "3000-01-01", "2026-1-011"] {
            assert!(Period::parse(Some("custom"), Some(bad), None, NOW).is_err(), "{bad}");
        }
        assert!(Period::parse(Some("1y"), None, None, NOW).is_err());
        // Made whole, not refused; the period says what was used.
        let swapped = Period::parse(Some("custom"), Some("2026-02-01"), Some("2026-01-31"), NOW).expect("in order");
        assert_eq!((swapped.first_day.as_str(), swapped.last_day.as_str()), ("2026-01-31", "2026-02-01"));
        let long = Period::parse(Some("custom"), Some("2020-01-01"), Some("2026-01-31"), NOW).expect("cut");
        assert_eq!((long.current.days(), long.last_day.as_str()), (MAX_DAYS, "2026-01-31"));
        let open = Period::parse(Some("custom"), None, None, NOW).expect("defaults");
        assert_eq!((open.first_day.as_str(), open.last_day.as_str()), ("2026-10-27", "2026-11-25"));
    }
}
