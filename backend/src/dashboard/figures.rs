//! What the dashboard shows, computed from rollup counts: the counters of a
//! period, the rates defined on the page, and the change from the previous period.

use serde::Serialize;

use crate::rollup::Measure;

/// Counters of one period (or one bucket, or one breakdown value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub impressions: i64,
    pub decisions: i64,
    /// Decisions accepting at least one non-necessary category.
    pub consented: i64,
    pub accept_all: i64,
    pub reject_all: i64,
    pub custom: i64,
    pub withdrawals: i64,
}

impl Counts {
    /// Adds `n` of a stored rollup measure.
    pub fn add(&mut self, measure: Measure, n: i64) {
        let slot = match measure {
            Measure::Impression => &mut self.impressions,
            Measure::Decision => &mut self.decisions,
            Measure::Consented => &mut self.consented,
            Measure::AcceptAll => &mut self.accept_all,
            Measure::RejectAll => &mut self.reject_all,
            Measure::Custom => &mut self.custom,
            Measure::Withdraw => &mut self.withdrawals,
        };
        *slot += n;
    }

    pub fn rates(&self) -> Rates {
        let over = |n: i64, d: i64| if d > 0 { Some(n as f64 / d as f64) } else { None };
        Rates {
            consent_rate: over(self.consented, self.decisions),
            opt_in_rate: over(self.consented, self.impressions),
            accept_all_rate: over(self.accept_all, self.decisions),
            reject_all_rate: over(self.reject_all, self.decisions),
            custom_rate: over(self.custom, self.decisions),
            // Decisions can outnumber impressions in a period (a banner shown
            // yesterday, answered today); the rate then reads 0, not negative.
            no_decision_rate: over((self.impressions - self.decisions).max(0), self.impressions),
        }
    }
}

impl core::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.impressions += o.impressions;
        self.decisions += o.decisions;
        self.consented += o.consented;
        self.accept_all += o.accept_all;
        self.reject_all += o.reject_all;
        self.custom += o.custom;
        self.withdrawals += o.withdrawals;
    }
}

/// Rates as fractions (0.25 = 25 %); `None` when the denominator is zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rates {
    pub consent_rate: Option<f64>,
    pub opt_in_rate: Option<f64>,
    pub accept_all_rate: Option<f64>,
    pub reject_all_rate: Option<f64>,
    pub custom_rate: Option<f64>,
    pub no_decision_rate: Option<f64>,
}

/// A headline figure, its value in the previous period and the change.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Figure {
    pub key: &'static str,
    pub label: &'static str,
    /// How the figure is defined, shown as a tooltip and in the legend.
    pub definition: &'static str,
    pub is_rate: bool,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// Rates: change in percentage points.
    pub change_points: Option<f64>,
    /// Relative change in %.
    pub change_percent: Option<f64>,
}

/// The headline figures, in the order the page shows them.
pub fn headline(current: &Counts, previous: &Counts) -> Vec<Figure> {
    let (c, p) = (current.rates(), previous.rates());
    let count = |key, label, definition, v: fn(&Counts) -> i64| figure(key, label, definition, false, Some(v(current) as f64), Some(v(previous) as f64));
    let rate = |key, label, definition, v: fn(&Rates) -> Option<f64>| figure(key, label, definition, true, v(&c), v(&p));
    vec![
        count("impressions", "Impressions", "Times the banner was shown (banner_shown events).", |x| x.impressions),
        count("decisions", "Decisions", "Accept all + reject all + custom choices.", |x| x.decisions),
        rate("consent_rate", "Consent rate", "Decisions accepting at least one non-necessary category ÷ decisions.", |r| r.consent_rate),
        rate("opt_in_rate", "Opt-in rate", "Decisions accepting at least one non-necessary category ÷ impressions.", |r| r.opt_in_rate),
        rate("reject_all_rate", "Reject-all rate", "Reject-all decisions ÷ decisions.", |r| r.reject_all_rate),
        rate("custom_rate", "Custom rate", "Custom choices (saved from the preferences) ÷ decisions.", |r| r.custom_rate),
        rate("no_decision_rate", "No-decision rate", "(Impressions − decisions) ÷ impressions; 0 when decisions outnumber impressions.", |r| r.no_decision_rate),
        count("withdrawals", "Withdrawals", "Consent withdrawn later from the cookie settings.", |x| x.withdrawals),
    ]
}

fn figure(key: &'static str, label: &'static str, definition: &'static str, is_rate: bool, value: Option<f64>, previous: Option<f64>) -> Figure {
    let (change_points, change_percent) = match (value, previous) {
        (Some(v), Some(p)) => (is_rate.then_some((v - p) * 100.0), (p != 0.0).then_some((v - p) / p * 100.0)),
        _ => (None, None),
    };
    Figure { key, label, definition, is_rate, value, previous, change_points, change_percent }
}

/// Per-category acceptance: decisions accepting the category ÷ decisions.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryRate {
    pub id: String,
    pub title: String,
    pub required: bool,
    pub accepted: i64,
    pub rate: Option<f64>,
}

/// A rate as the page prints it: `61.3 %`, or `–` when undefined.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1} %", r * 100.0),
        None => "–".to_owned(),
    }
}

/// `64159` → `64,159`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_the_definitions() {
        // 10 impressions; 8 decisions: 4 accept all, 2 reject all, 2 custom of which 1 accepts analytics.
        let c = Counts { impressions: 10, decisions: 8, consented: 5, accept_all: 4, reject_all: 2, custom: 2, withdrawals: 1 };
        let r = c.rates();
        assert_eq!(r.consent_rate, Some(5.0 / 8.0));
        assert_eq!(r.opt_in_rate, Some(0.5));
        assert_eq!(r.reject_all_rate, Some(0.25));
        assert_eq!(r.custom_rate, Some(0.25));
        assert_eq!(r.no_decision_rate, Some(0.2));
        assert_eq!(Counts::default().rates().consent_rate, None);
    }

    #[test]
    fn change_is_in_points_and_percent() {
        let now = Counts { impressions: 10, decisions: 10, consented: 6, ..Counts::default() };
        let before = Counts { impressions: 5, decisions: 10, consented: 5, ..Counts::default() };
        let h = headline(&now, &before);
        let consent = h.iter().find(|f| f.key == "consent_rate").expect("consent rate");
        assert!((consent.change_points.expect("points") - 10.0).abs() < 1e-9);
        assert!((consent.change_percent.expect("percent") - 20.0).abs() < 1e-9);
        let imp = h.iter().find(|f| f.key == "impressions").expect("impressions");
        assert_eq!(imp.change_points, None);
        assert_eq!(imp.change_percent, Some(100.0));
        assert_eq!(percent(Some(0.613)), "61.3 %");
        assert_eq!(percent(None), "–");
    }
}
