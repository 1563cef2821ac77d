//! Rollups: the narrow counter tables the dashboard reads, derived from events
//! by one function (`Rollups::add`) both when events are stored (same
//! transaction) and when `rebuild-rollups` recomputes them from raw events.

use std::collections::BTreeMap;

/// The fields of an event that rollups count.
pub struct Fact<'a> {
    pub site: &'a str,
    pub server_ts: i64,
    pub action: &'a str,
    /// Space-separated accepted categories.
    pub categories: &'a str,
    /// A decision accepting at least one non-required category.
    pub consented: bool,
    pub lang: &'a str,
    pub device: &'a str,
    pub path: &'a str,
    pub revision: &'a str,
    pub banner: &'a str,
    /// The visitor's country, "" when no trusted proxy said.
    pub region: &'a str,
    /// The A/B variant, "" when none.
    pub variant: &'a str,
}

/// What the rollups break counts down by, each a field of the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Lang,
    Device,
    Path,
    Revision,
    Banner,
    Region,
    Variant,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [Dimension::Lang, Dimension::Device, Dimension::Path, Dimension::Revision, Dimension::Banner, Dimension::Region, Dimension::Variant];

    /// The name stored in `rollup_daily_dim.dim` and used in the API's `dim`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Lang => "lang",
            Dimension::Device => "device",
            Dimension::Path => "path",
            Dimension::Revision => "revision",
            Dimension::Banner => "banner",
            Dimension::Region => "region",
            Dimension::Variant => "variant",
        }
    }

    /// This dimension's value in `f`.
    fn of<'a>(self, f: &Fact<'a>) -> &'a str {
        match self {
            Dimension::Lang => f.lang,
            Dimension::Device => f.device,
            Dimension::Path => f.path,
            Dimension::Revision => f.revision,
            Dimension::Banner => f.banner,
            Dimension::Region => f.region,
            Dimension::Variant => f.variant,
        }
    }
}

/// What the rollups count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// A banner shown.
    Impression,
    /// Any decision (accept all, reject all, custom).
    Decision,
    /// A decision accepting at least one non-required category.
    Consented,
    AcceptAll,
    RejectAll,
    Custom,
    Withdraw,
}

impl Measure {
    pub const ALL: [Measure; 7] = [Measure::Impression, Measure::Decision, Measure::Consented, Measure::AcceptAll, Measure::RejectAll, Measure::Custom, Measure::Withdraw];

    /// The name stored in the rollup tables' `measure`.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Impression => "impression",
            Measure::Decision => "decision",
            Measure::Consented => "consented",
            Measure::AcceptAll => "accept_all",
            Measure::RejectAll => "reject_all",
            Measure::Custom => "custom",
            Measure::Withdraw => "withdraw",
        }
    }
}

/// A stored name that is no [`Measure`] or [`Dimension`]: the table was written
/// by something else, and counting it under another name would misfile it.
#[derive(Debug, thiserror::Error)]
#[error("unknown rollup {kind} `{name}`")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
}

impl std::str::FromStr for Measure {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Measure, UnknownName> {
        Measure::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| UnknownName { kind: "measure", name: s.to_owned() })
    }
}

impl std::str::FromStr for Dimension {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Dimension, UnknownName> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| UnknownName { kind: "dimension", name: s.to_owned() })
    }
}

/// Distinct values one dimension keeps per site and day; later new values
/// (a flood of made-up paths, say) are counted together as [`OTHER`], so the
/// table and every breakdown stay bounded. Enforced where rows are written.
pub const MAX_VALUES_PER_DAY: i64 = 1000;
/// The value the rest is counted under.
pub const OTHER: &str = "(other)";

/// Counter increments, keyed like the tables.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Rollups {
    pub hourly: BTreeMap<(String, i64, Measure), i64>,
    pub category: BTreeMap<(String, i64, String), i64>,
    pub dim: BTreeMap<(String, i64, Dimension, String, Measure), i64>,
}

impl Rollups {
    pub fn add(&mut self, f: &Fact<'_>) {
        let hour = f.server_ts.div_euclid(3_600_000);
        let day = f.server_ts.div_euclid(86_400_000);
        let measures = measures(f.action, f.consented);
        for &m in &measures {
            *self.hourly.entry((f.site.to_owned(), hour, m)).or_default() += 1;
            for dim in Dimension::ALL {
                *self.dim.entry((f.site.to_owned(), day, dim, dim.of(f).to_owned(), m)).or_default() += 1;
            }
        }
        if measures.contains(&Measure::Decision) {
            for c in f.categories.split(' ').filter(|c| !c.is_empty()) {
                *self.category.entry((f.site.to_owned(), day, c.to_owned())).or_default() += 1;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.hourly.is_empty()
    }
}

/// What one event counts as.
pub fn measures(action: &str, consented: bool) -> Vec<Measure> {
    match action {
        "banner_shown" => vec![Measure::Impression],
        "withdraw" => vec![Measure::Withdraw],
        a => {
            let named = match a {
                "accept_all" => Measure::AcceptAll,
                "reject_all" => Measure::RejectAll,
                _ => Measure::Custom,
            };
            let mut m = vec![Measure::Decision, named];
            if consented {
                m.push(Measure::Consented);
            }
            m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact<'a>(action: &'a str, categories: &'a str, consented: bool, ts: i64) -> Fact<'a> {
        Fact { site: "s", server_ts: ts, action, categories, consented, lang: "nl", device: "mobile", path: "/", revision: "r", banner: "", region: "", variant: "" }
    }

    #[test]
    fn counts_by_measure_hour_day_and_category() {
        let mut r = Rollups::default();
        r.add(&fact("banner_shown", "", false, 0));
        r.add(&fact("accept_all", "necessary analytics", true, 1_000));
        r.add(&fact("reject_all", "necessary", false, 3_600_000));
        r.add(&fact("withdraw", "necessary", false, 3_600_001));
        assert_eq!(r.hourly[&("s".into(), 0, Measure::Impression)], 1);
        assert_eq!(r.hourly[&("s".into(), 0, Measure::Consented)], 1);
        assert_eq!(r.hourly[&("s".into(), 1, Measure::Decision)], 1);
        assert_eq!(r.hourly.get(&("s".into(), 1, Measure::Consented)), None);
        assert_eq!(r.hourly[&("s".into(), 1, Measure::Withdraw)], 1);
        assert_eq!(r.category[&("s".into(), 0, "necessary".into())], 2, "withdrawals are not decisions");
        assert_eq!(r.category[&("s".into(), 0, "analytics".into())], 1);
        assert_eq!(r.dim[&("s".into(), 0, Dimension::Device, "mobile".into(), Measure::Decision)], 2);
        assert_eq!(r.dim[&("s".into(), 0, Dimension::Path, "/".into(), Measure::Impression)], 1);
    }

    #[test]
    fn names_read_back_as_written_and_unknown_ones_are_refused() {
        for m in Measure::ALL {
            assert_eq!(m.as_str().parse::<Measure>().ok(), Some(m));
        }
        for d in Dimension::ALL {
            assert_eq!(d.as_str().parse::<Dimension>().ok(), Some(d));
        }
        assert_eq!("impressions".parse::<Measure>().map_err(|e| e.to_string()), Err("unknown rollup measure `impressions`".to_owned()));
        assert!("country".parse::<Dimension>().is_err(), "no longer read as `lang`");
    }
}
