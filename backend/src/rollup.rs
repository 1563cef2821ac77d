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
}

pub const DIMENSIONS: [&str; 5] = ["lang", "device", "path", "revision", "banner"];

/// Distinct values one dimension keeps per site and day; later new values
/// (a flood of made-up paths, say) are counted together as [`OTHER`], so the
/// table and every breakdown stay bounded. Enforced where rows are written.
pub const MAX_VALUES_PER_DAY: i64 = 1000;
/// The value the rest is counted under.
pub const OTHER: &str = "(other)";

/// Counter increments, keyed like the tables.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Rollups {
    pub hourly: BTreeMap<(String, i64, &'static str), i64>,
    pub category: BTreeMap<(String, i64, String), i64>,
    pub dim: BTreeMap<(String, i64, &'static str, String, &'static str), i64>,
}

impl Rollups {
    pub fn add(&mut self, f: &Fact<'_>) {
        let hour = f.server_ts.div_euclid(3_600_000);
        let day = f.server_ts.div_euclid(86_400_000);
        let measures = measures(f.action, f.consented);
        for m in &measures {
            *self.hourly.entry((f.site.to_owned(), hour, m)).or_default() += 1;
            for (dim, value) in DIMENSIONS.iter().zip([f.lang, f.device, f.path, f.revision, f.banner]) {
                *self.dim.entry((f.site.to_owned(), day, dim, value.to_owned(), m)).or_default() += 1;
            }
        }
        if measures.contains(&"decision") {
            for c in f.categories.split(' ').filter(|c| !c.is_empty()) {
                *self.category.entry((f.site.to_owned(), day, c.to_owned())).or_default() += 1;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.hourly.is_empty()
    }
}

pub const MEASURES: [&str; 7] = ["impression", "decision", "consented", "accept_all", "reject_all", "custom", "withdraw"];

/// The static name of a stored measure (unknown names read as "custom", which a
/// rebuild comparison then shows as a difference).
pub fn measure_name(m: &str) -> &'static str {
    MEASURES.iter().find(|x| **x == m).copied().unwrap_or("custom")
}

pub fn dim_name(d: &str) -> &'static str {
    DIMENSIONS.iter().find(|x| **x == d).copied().unwrap_or("lang")
}

/// What one event counts as.
pub fn measures(action: &str, consented: bool) -> Vec<&'static str> {
    match action {
        "banner_shown" => vec!["impression"],
        "withdraw" => vec!["withdraw"],
        a => {
            let named = match a {
                "accept_all" => "accept_all",
                "reject_all" => "reject_all",
                _ => "custom",
            };
            let mut m = vec!["decision", named];
            if consented {
                m.push("consented");
            }
            m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact<'a>(action: &'a str, categories: &'a str, consented: bool, ts: i64) -> Fact<'a> {
        Fact { site: "s", server_ts: ts, action, categories, consented, lang: "nl", device: "mobile", path: "/", revision: "r", banner: "" }
    }

    #[test]
    fn counts_by_measure_hour_day_and_category() {
        let mut r = Rollups::default();
        r.add(&fact("banner_shown", "", false, 0));
        r.add(&fact("accept_all", "necessary analytics", true, 1_000));
        r.add(&fact("reject_all", "necessary", false, 3_600_000));
        r.add(&fact("withdraw", "necessary", false, 3_600_001));
        assert_eq!(r.hourly[&("s".into(), 0, "impression")], 1);
        assert_eq!(r.hourly[&("s".into(), 0, "consented")], 1);
        assert_eq!(r.hourly[&("s".into(), 1, "decision")], 1);
        assert_eq!(r.hourly.get(&("s".into(), 1, "consented")), None);
        assert_eq!(r.hourly[&("s".into(), 1, "withdraw")], 1);
        assert_eq!(r.category[&("s".into(), 0, "necessary".into())], 2, "withdrawals are not decisions");
        assert_eq!(r.category[&("s".into(), 0, "analytics".into())], 1);
        assert_eq!(r.dim[&("s".into(), 0, "device", "mobile".into(), "decision")], 2);
    }
}
