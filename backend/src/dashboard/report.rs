//! Reads the rollup tables for one site and period into what the dashboard
//! shows. Only rollups are read here, never raw events.

use consent_wire::config::SiteConfig;
use serde::Serialize;

use super::figures::{CategoryRate, Counts, Rates};
use super::period::{Period, Span, DAY_MS, HOUR_MS};
use crate::rollup::Dimension;
use crate::store::{Result, Store};

/// A breakdown table's heading.
pub fn heading(dim: Dimension) -> &'static str {
    match dim {
        Dimension::Lang => "Language",
        Dimension::Device => "Device",
        Dimension::Path => "Page",
        Dimension::Revision => "Policy revision",
        Dimension::Banner => "Banner version",
        Dimension::Region => "Country",
        Dimension::Variant => "Banner variant (A/B)",
    }
}

/// Most rows a breakdown returns (the largest first); paths come from visitors.
pub const MAX_ROWS: usize = 500;

#[derive(Clone, Debug, Serialize)]
pub struct Bucket {
    pub start_ms: i64,
    pub counts: Counts,
    pub rates: Rates,
}

#[derive(Clone, Debug, Serialize)]
pub struct BreakdownRow {
    pub value: String,
    pub counts: Counts,
    pub rates: Rates,
}

/// The chart's buckets over the current span, empty ones included.
pub async fn series(store: &Store, site: &str, period: &Period) -> Result<Vec<Bucket>> {
    let (from, to) = period.current.hour_range();
    let rows = store.hourly(site, from, to).await?;
    let mut buckets: Vec<Bucket> = period.buckets().map(|start_ms| Bucket { start_ms, counts: Counts::default(), rates: Rates::default() }).collect();
    let step = if period.hourly { HOUR_MS } else { DAY_MS };
    for (hour, measure, n) in rows {
        let i = ((period.bucket_of(hour * HOUR_MS) - period.current.from_ms) / step) as usize;
        if let Some(b) = buckets.get_mut(i) {
            b.counts.add(measure, n);
        }
    }
    for b in &mut buckets {
        b.rates = b.counts.rates();
    }
    Ok(buckets)
}

/// The counters of a span.
pub async fn totals(store: &Store, site: &str, span: Span) -> Result<Counts> {
    let (from, to) = span.hour_range();
    let mut c = Counts::default();
    for (_, measure, n) in store.hourly(site, from, to).await? {
        c.add(measure, n);
    }
    Ok(c)
}

pub fn sum(buckets: &[Bucket]) -> Counts {
    let mut c = Counts::default();
    for b in buckets {
        c += b.counts;
    }
    c
}

/// Acceptance per category (accepted whole), each followed by its services
/// when it has several, in the config's order; then any category or service
/// the events name that the config no longer has.
pub async fn categories(store: &Store, site: &SiteConfig, span: Span, decisions: i64) -> Result<Vec<CategoryRate>> {
    let (from, to) = span.day_range();
    let mut totals = store.category_totals(&site.id, from, to).await?;
    let rate = |n: i64| (decisions > 0).then(|| n as f64 / decisions as f64);
    let mut out = Vec::new();
    let count = |key: &str| totals.iter().find(|(id, _)| id == key).map_or(0, |t| t.1);
    for c in &site.categories {
        let accepted = count(&c.id);
        let title = c.title.get("en").or_else(|| c.title.get(&site.default_language)).cloned().unwrap_or_else(|| c.id.clone());
        // A category with services of its own choice: each service's acceptance
        // (the category accepted whole, or that service alone) below it.
        let services: Vec<CategoryRate> = match c.services.len() {
            0 | 1 => Vec::new(),
            _ => c
                .services
                .iter()
                .map(|svc| {
                    let id = consent_wire::choice::service_entry(&c.id, &svc.id());
                    let n = accepted + count(&id);
                    CategoryRate { title: format!("{title} › {}", svc.name), id, required: c.required, accepted: n, rate: rate(n) }
                })
                .collect(),
        };
        out.push(CategoryRate { id: c.id.clone(), title, required: c.required, accepted, rate: rate(accepted) });
        out.extend(services);
    }
    totals.retain(|(id, _)| site.category_of(id).is_none());
    totals.sort();
    for (id, accepted) in totals {
        out.push(CategoryRate { title: id.clone(), id, required: false, accepted, rate: rate(accepted) });
    }
    Ok(out)
}

/// One dimension's rows, largest first (by impressions, then decisions).
pub async fn breakdown(store: &Store, site: &str, dim: Dimension, span: Span) -> Result<Vec<BreakdownRow>> {
    let (from, to) = span.day_range();
    let mut by_value: std::collections::HashMap<String, Counts> = std::collections::HashMap::new();
    for (value, measure, n) in store.dimension_totals(site, dim, from, to, MAX_ROWS).await? {
        by_value.entry(value).or_default().add(measure, n);
    }
    let mut rows: Vec<BreakdownRow> = by_value.into_iter().map(|(value, counts)| BreakdownRow { value, counts, rates: counts.rates() }).collect();
    rows.sort_by(|a, b| (b.counts.impressions, b.counts.decisions).cmp(&(a.counts.impressions, a.counts.decisions)).then_with(|| a.value.cmp(&b.value)));
    rows.truncate(MAX_ROWS);
    Ok(rows)
}
