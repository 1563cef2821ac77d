//! The dashboard's tables as CSV, the same figures the page shows. Cells go
//! through the export's formula guard (values like paths come from visitors).

use super::figures::{CategoryRate, Counts, Figure, Rates};
use super::period::bucket_label;
use super::report::{BreakdownRow, Bucket};
use crate::export::push_row;

const COUNT_COLUMNS: [&str; 7] = ["impressions", "decisions", "consented", "accept_all", "reject_all", "custom", "withdrawals"];
const RATE_COLUMNS: [&str; 6] = ["consent_rate_pct", "opt_in_rate_pct", "accept_all_rate_pct", "reject_all_rate_pct", "custom_rate_pct", "no_decision_rate_pct"];

/// A rate as a percentage with two decimals; empty when undefined.
fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.2}", r * 100.0)).unwrap_or_default()
}

fn counts_and_rates(c: &Counts, r: &Rates) -> Vec<String> {
    let mut v: Vec<String> = [c.impressions, c.decisions, c.consented, c.accept_all, c.reject_all, c.custom, c.withdrawals].iter().map(i64::to_string).collect();
    v.extend([r.consent_rate, r.opt_in_rate, r.accept_all_rate, r.reject_all_rate, r.custom_rate, r.no_decision_rate].map(pct));
    v
}

fn table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    push_row(&mut out, header.iter().copied());
    for r in rows {
        push_row(&mut out, r.iter().map(String::as_str));
    }
    out
}

fn header<'a>(first: &'a [&'a str]) -> Vec<&'a str> {
    first.iter().copied().chain(COUNT_COLUMNS).chain(RATE_COLUMNS).collect()
}

pub fn summary(figures: &[Figure]) -> String {
    let num = |v: Option<f64>, rate: bool| v.map(|v| if rate { format!("{:.2}", v * 100.0) } else { format!("{v:.0}") }).unwrap_or_default();
    table(
        &["figure", "value", "previous", "change_points", "change_pct"],
        figures.iter().map(|f| {
            let name = if f.is_rate { format!("{}_pct", f.key) } else { f.key.to_owned() };
            vec![
                name,
                num(f.value, f.is_rate),
                num(f.previous, f.is_rate),
                f.change_points.map(|p| format!("{p:.2}")).unwrap_or_default(),
                f.change_percent.map(|p| format!("{p:.2}")).unwrap_or_default(),
            ]
        }),
    )
}

pub fn timeseries(buckets: &[Bucket], hourly: bool) -> String {
    table(
        &header(&[if hourly { "hour_utc" } else { "day_utc" }]),
        buckets.iter().map(|b| {
            let mut row = vec![bucket_label(b.start_ms, hourly)];
            row.extend(counts_and_rates(&b.counts, &b.rates));
            row
        }),
    )
}

pub fn categories(cats: &[CategoryRate], decisions: i64) -> String {
    table(
        &["category", "title", "required", "decisions", "decisions_accepting", "acceptance_rate_pct"],
        cats.iter().map(|c| vec![c.id.clone(), c.title.clone(), c.required.to_string(), decisions.to_string(), c.accepted.to_string(), pct(c.rate)]),
    )
}

pub fn breakdown(dim: &str, rows: &[BreakdownRow]) -> String {
    table(
        &header(&[dim]),
        rows.iter().map(|r| {
            let mut row = vec![r.value.clone()];
            row.extend(counts_and_rates(&r.counts, &r.rates));
            row
        }),
    )
}
