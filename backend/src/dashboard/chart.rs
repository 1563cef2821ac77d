//! The time chart: rates per bucket as an SVG drawn on the server (no chart
//! script, nothing from a CDN). Colours come from the stylesheet by class.

use maud::{html, Markup};

use super::figures::Rates;
use super::period::bucket_label;
use super::report::Bucket;

const W: f64 = 720.0;
const H: f64 = 240.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// Which rate a line draws.
type Pick = fn(&Rates) -> Option<f64>;

/// The lines drawn: class, legend label, value.
pub const LINES: [(&str, &str, Pick); 5] = [
    ("consent", "Consent rate", |r| r.consent_rate),
    ("optin", "Opt-in rate", |r| r.opt_in_rate),
    ("reject", "Reject-all rate", |r| r.reject_all_rate),
    ("custom", "Custom rate", |r| r.custom_rate),
    ("nodecision", "No-decision rate", |r| r.no_decision_rate),
];

pub fn chart(buckets: &[Bucket], hourly: bool) -> Markup {
    let n = buckets.len().max(1);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |i: usize| LEFT + if n > 1 { plot_w * i as f64 / (n - 1) as f64 } else { plot_w / 2.0 };
    let y = |rate: f64| TOP + plot_h * (1.0 - rate.clamp(0.0, 1.0));
    let label_every = (n / 6).max(1);
    let summary = format!("Consent, opt-in, reject-all, custom and no-decision rates per {} over {} {}", if hourly { "hour" } else { "day" }, n, if hourly { "hours" } else { "days" });
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(summary) preserveAspectRatio="none" {
                @for pct in [0, 25, 50, 75, 100] {
                    @let yy = y(f64::from(pct) / 100.0);
                    line.grid x1=(LEFT) x2=(W - RIGHT) y1=(yy) y2=(yy) {}
                    text.axis x=(LEFT - 6.0) y=(yy + 4.0) text-anchor="end" { (pct) "%" }
                }
                @for (i, b) in buckets.iter().enumerate() {
                    @if i % label_every == 0 {
                        text.axis x=(x(i)) y=(H - 8.0) text-anchor="middle" { (short_label(b.start_ms, hourly)) }
                    }
                }
                @for (class, label, value) in LINES {
                    // A line breaks where a bucket has no value (no impressions or decisions).
                    @for run in runs(buckets, value) {
                        @if run.len() > 1 {
                            polyline class=(format!("line {class}")) fill="none" points=(points(&run, &x, &y)) {}
                        }
                        @for (i, v) in &run {
                            circle class=(format!("dot {class}")) cx=(x(*i)) cy=(y(*v)) r="2.5" {
                                title { (label) ", " (bucket_label(buckets[*i].start_ms, hourly)) ": " (format!("{:.1} %", v * 100.0)) }
                            }
                        }
                    }
                }
            }
            figcaption.legend {
                @for (class, label, _) in LINES {
                    span.key { span class=(format!("swatch {class}")) {} (label) }
                }
                span.note { "Times in UTC." }
            }
        }
    }
}

fn runs(buckets: &[Bucket], value: Pick) -> Vec<Vec<(usize, f64)>> {
    let mut out = vec![Vec::new()];
    for (i, b) in buckets.iter().enumerate() {
        match value(&b.rates) {
            Some(v) => out.last_mut().map(|r| r.push((i, v))).unwrap_or(()),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn points(run: &[(usize, f64)], x: &impl Fn(usize) -> f64, y: &impl Fn(f64) -> f64) -> String {
    run.iter().map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v))).collect::<Vec<_>>().join(" ")
}

fn short_label(ms: i64, hourly: bool) -> String {
    let full = bucket_label(ms, hourly);
    if hourly {
        full.get(11..).unwrap_or("").to_owned()
    } else {
        full.get(5..).unwrap_or("").to_owned()
    }
}
