//! The A/B comparison of banner variants (`[[variants]]`), from the `variant`
//! rollup rows: per variant its impressions, decisions, consent rate and
//! reject-all rate (each over decisions, as elsewhere on the dashboard) and
//! withdrawals (over consenting decisions), each rate with its 95 % Wilson
//! interval; then each variant against the first one (the site's first
//! variant, else the one seen most): the difference in consent and reject-all
//! rate with its 95 % interval (Newcombe's hybrid score interval, built from the
//! two Wilson intervals: unlike the textbook Wald interval it does not collapse
//! to a point on a handful of decisions), significant only when that interval
//! leaves out 0.

use maud::{html, Markup};
use serde::Serialize;

use super::figures::{percent, thousands};
use super::report::BreakdownRow;

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// `successes` of `trials`, with the 95 % Wilson score interval.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Proportion {
    pub successes: i64,
    pub trials: i64,
    pub rate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Proportion {
    pub fn new(successes: i64, trials: i64) -> Proportion {
        if trials <= 0 {
            return Proportion { successes, trials, rate: None, low: None, high: None };
        }
        let (x, n) = (successes as f64, trials as f64);
        let p = x / n;
        let z2 = Z95 * Z95;
        let denom = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denom;
        let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
        Proportion { successes, trials, rate: Some(p), low: Some((centre - half).max(0.0)), high: Some((centre + half).min(1.0)) }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct VariantRow {
    pub variant: String,
    pub impressions: i64,
    pub decisions: i64,
    pub consent: Proportion,
    pub reject_all: Proportion,
    pub withdrawals: Proportion,
}

/// One rate of a variant against the baseline's: `variant − baseline`.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub metric: &'static str,
    pub diff: f64,
    pub low: f64,
    pub high: f64,
    /// The interval leaves out 0; otherwise "not significant yet".
    pub significant: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Against {
    pub variant: String,
    pub differences: Vec<Difference>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub baseline: String,
    pub variants: Vec<VariantRow>,
    pub against_baseline: Vec<Against>,
}

/// The comparison of the variants in `rows` (the `variant` breakdown; events
/// without a variant left out); `order`: the site's variants, the first one
/// the baseline. `None` without any variant's events.
pub fn compare(rows: &[BreakdownRow], order: &[String]) -> Option<Comparison> {
    let mut variants: Vec<VariantRow> = rows
        .iter()
        .filter(|r| !r.value.is_empty())
        .map(|r| {
            let c = &r.counts;
            VariantRow {
                variant: r.value.clone(),
                impressions: c.impressions,
                decisions: c.decisions,
                consent: Proportion::new(c.consented, c.decisions),
                reject_all: Proportion::new(c.reject_all, c.decisions),
                withdrawals: Proportion::new(c.withdrawals, c.consented),
            }
        })
        .collect();
    // The site's order first (its first variant is the baseline), then the rest by traffic.
    let rank = |v: &VariantRow| order.iter().position(|o| *o == v.variant).unwrap_or(usize::MAX);
    variants.sort_by(|a, b| rank(a).cmp(&rank(b)).then(b.impressions.cmp(&a.impressions)).then(a.variant.cmp(&b.variant)));
    let base = variants.first()?.clone();
    let against_baseline = variants
        .iter()
        .skip(1)
        .map(|v| Against { variant: v.variant.clone(), differences: vec![difference("consent_rate", &v.consent, &base.consent), difference("reject_all_rate", &v.reject_all, &base.reject_all)] })
        .collect();
    Some(Comparison { baseline: base.variant, variants, against_baseline })
}

/// `a − b` with Newcombe's (1998, method 10) 95 % interval of a difference of
/// independent proportions.
fn difference(metric: &'static str, a: &Proportion, b: &Proportion) -> Difference {
    let (Some(pa), Some(la), Some(ua), Some(pb), Some(lb), Some(ub)) = (a.rate, a.low, a.high, b.rate, b.low, b.high) else {
        return Difference { metric, diff: 0.0, low: -1.0, high: 1.0, significant: false };
    };
    let diff = pa - pb;
    let low = diff - ((pa - la).powi(2) + (ub - pb).powi(2)).sqrt();
    let high = diff + ((ua - pa).powi(2) + (pb - lb).powi(2)).sqrt();
    Difference { metric, diff, low, high, significant: low > 0.0 || high < 0.0 }
}

/// The dashboard's section: the variants side by side, then each against the baseline.
pub fn section(c: &Comparison) -> Markup {
    let ci = |p: &Proportion| html! { (percent(p.rate)) @if let (Some(l), Some(h)) = (p.low, p.high) { " " small { "(" (percent(Some(l))) "–" (percent(Some(h))) ")" } } };
    html! {
        section.experiment {
            h2 { "Banner variants (A/B)" }
            table data-experiment="" {
                thead { tr { th { "Variant" } th.num { "Impressions" } th.num { "Decisions" } th.num { "Consent rate (95 % CI)" } th.num { "Reject-all rate (95 % CI)" } th.num { "Withdrawals" } } }
                tbody {
                    @for v in &c.variants {
                        tr data-variant=(v.variant) {
                            td { (v.variant) @if v.variant == c.baseline { " " small { "(baseline)" } } }
                            td.num { (thousands(v.impressions)) }
                            td.num { (thousands(v.decisions)) }
                            td.num { (ci(&v.consent)) }
                            td.num { (ci(&v.reject_all)) }
                            td.num { (thousands(v.withdrawals.successes)) " " small { "(" (percent(v.withdrawals.rate)) " of consents)" } }
                        }
                    }
                }
            }
            ul.verdicts {
                @for a in &c.against_baseline {
                    @for d in &a.differences {
                        li data-variant=(a.variant) data-metric=(d.metric) data-significant=(d.significant) {
                            (a.variant) " vs " (c.baseline) ", " (d.metric.replace('_', " ")) ": "
                            (format!("{:+.1}", d.diff * 100.0)) " points (95 % CI " (format!("{:+.1}", d.low * 100.0)) " to " (format!("{:+.1}", d.high * 100.0)) "): "
                            @if d.significant { strong { "significant" } } @else { "not significant yet" }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_match_published_values() {
        // Newcombe (1998), table I: 81 of 263 → 0.2553 to 0.3662.
        let p = Proportion::new(81, 263);
        assert!((p.low.unwrap_or(0.0) - 0.2553).abs() < 5e-4 && (p.high.unwrap_or(0.0) - 0.3662).abs() < 5e-4, "{p:?}");
        let zero = Proportion::new(0, 10);
        assert_eq!(zero.low, Some(0.0));
        assert!((zero.high.unwrap_or(0.0) - 0.2775).abs() < 5e-4, "{zero:?}");
        assert_eq!(Proportion::new(0, 0).rate, None);
    }

    #[test]
    fn a_difference_counts_only_when_its_interval_leaves_out_zero() {
        let small = difference("consent_rate", &Proportion::new(11, 20), &Proportion::new(10, 20));
        assert!(!small.significant, "{small:?}");
        let one_each = difference("consent_rate", &Proportion::new(1, 1), &Proportion::new(0, 1));
        assert!(!one_each.significant && one_each.low < 0.0, "one decision each proves nothing: {one_each:?}");
        // Newcombe (1998), table II, example (a): 56/70 − 48/80 → 0.0524 to 0.3339.
        let n = difference("consent_rate", &Proportion::new(56, 70), &Proportion::new(48, 80));
        assert!((n.low - 0.0524).abs() < 5e-4 && (n.high - 0.3339).abs() < 5e-4, "{n:?}");
        let large = difference("consent_rate", &Proportion::new(6_000, 10_000), &Proportion::new(5_000, 10_000));
        assert!(large.significant && (large.diff - 0.1).abs() < 1e-12, "{large:?}");
    }
}
