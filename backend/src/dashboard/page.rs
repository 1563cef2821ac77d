//! The dashboard's HTML, rendered on the server with maud (every value is
//! escaped). No inline script or style: the page's CSP allows only the
//! same-origin stylesheet and the small table-sorting script.

use maud::{html, Markup, DOCTYPE};

use super::figures::{percent, thousands, CategoryRate, Figure};
use super::period::{Period, PRESETS};
use super::report::{BreakdownRow, Bucket};

/// Everything one dashboard page shows.
pub struct View<'a> {
    /// Sites this sign-in may read: (id, name).
    pub sites: Vec<(&'a str, &'a str)>,
    pub site: &'a str,
    pub site_name: &'a str,
    pub signed_in_as: String,
    pub period: &'a Period,
    /// `site=…&range=…` of this view, for links.
    pub query: String,
    pub figures: Vec<Figure>,
    pub buckets: Vec<Bucket>,
    pub categories: Vec<CategoryRate>,
    pub breakdowns: Vec<(&'static str, &'static str, Vec<BreakdownRow>)>,
    /// The last cookie scan's section.
    pub scan: Markup,
    /// The A/B comparison of banner variants, when the period has any.
    pub experiment: Option<super::experiment::Comparison>,
}

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) }
                link rel="stylesheet" href="/dashboard/assets/dashboard.css";
                link rel="icon" href="/favicon.svg";
                script src="/dashboard/assets/dashboard.js" defer {}
            }
            body { (body) }
        }
    }
}

/// The sign-in page; `error` says why the last attempt failed.
pub fn sign_in(error: Option<&str>) -> Markup {
    layout(
        "Sign in · Consent dashboard",
        html! {
            main.signin {
                h1 { "Consent dashboard" }
                p { "Sign in with the admin token or a site's read-only token." }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/dashboard/login" {
                    label for="token" { "Token" }
                    input #token type="password" name="token" autocomplete="current-password" required autofocus;
                    button type="submit" { "Sign in" }
                }
            }
        },
    )
}

/// A page for a refused request (bad range, site not visible…).
pub fn problem(title: &str, message: &str) -> Markup {
    layout(
        title,
        html! {
            main.signin {
                h1 { (title) }
                p.error role="alert" { (message) }
                p { a href="/dashboard" { "Back to the dashboard" } }
            }
        },
    )
}

pub fn dashboard(v: &View<'_>) -> Markup {
    let p = v.period;
    layout(
        &format!("{} · Consent dashboard", v.site_name),
        html! {
            (top_bar(v))
            main {
                (ranges(v))
                p.period { (p.first_day) " – " (p.last_day) " (UTC), compared with the " (p.current.days()) " days before." }
                section.figures aria-label="Headline figures" {
                    @for f in &v.figures { (figure(f)) }
                }
                section {
                    h2 { "Over time" a.csv href=(format!("/dashboard/export/timeseries.csv?{}", v.query)) { "CSV" } }
                    (super::chart::chart(&v.buckets, p.hourly))
                }
                (categories(v))
                @if let Some(c) = &v.experiment { (super::experiment::section(c)) }
                @for (dim, label, rows) in &v.breakdowns {
                    section.breakdown {
                        h2 { (label) a.csv href=(format!("/dashboard/export/{dim}.csv?{}", v.query)) { "CSV" } }
                        (breakdown_table(dim, label, rows))
                    }
                }
                section {
                    h2 { "Raw decisions" }
                    p { "Every decision of the period with its consent id, banner version and chain hash: "
                        a href=(format!("/dashboard/export/decisions.csv?{}", v.query)) { "decisions.csv" } "." }
                    p { a href=(format!("/dashboard/export/summary.csv?{}", v.query)) { "Headline figures as CSV" } }
                }
                (v.scan)
                (legend(v))
            }
        },
    )
}

/// The site picker and the signed-in role with its sign-out.
fn top_bar(v: &View<'_>) -> Markup {
    html! {
        header.top {
            h1 { "Consent dashboard" }
            form.site method="get" action="/dashboard" {
                label for="site" { "Site" }
                select #site name="site" data-autosubmit {
                    @for (id, name) in &v.sites {
                        option value=(id) selected[*id == v.site] { (name) " (" (id) ")" }
                    }
                }
                input type="hidden" name="range" value=(v.period.key);
                button type="submit" { "Show" }
            }
            form.logout method="post" action="/dashboard/logout" {
                span.who { (v.signed_in_as) }
                button type="submit" { "Sign out" }
            }
        }
    }
}

/// The preset date ranges and a custom one.
fn ranges(v: &View<'_>) -> Markup {
    let p = v.period;
    html! {
        nav.ranges aria-label="Date range" {
            @for (key, label) in PRESETS {
                a href=(format!("/dashboard?{}", preset_query(v.site, key))) aria-current=[(p.key == key).then_some("true")] { (label) }
            }
            form.custom method="get" action="/dashboard" {
                input type="hidden" name="site" value=(v.site);
                input type="hidden" name="range" value="custom";
                label { "From " input type="date" name="from" value=(p.first_day) required; }
                label { "to " input type="date" name="to" value=(p.last_day) required; }
                button type="submit" aria-current=[(p.key == "custom").then_some("true")] { "Custom" }
            }
        }
    }
}

fn categories(v: &View<'_>) -> Markup {
    html! {
        section {
            h2 { "Acceptance per category" a.csv href=(format!("/dashboard/export/categories.csv?{}", v.query)) { "CSV" } }
            table.categories {
                thead { tr { th { "Category" } th.num { "Decisions accepting" } th.num { "Rate" } th { span.sr { "Bar" } } } }
                tbody {
                    @for c in &v.categories {
                        tr data-category=(c.id) {
                            td { (c.title) @if c.required { " " small { "(always on)" } } }
                            td.num { (thousands(c.accepted)) }
                            td.num { (percent(c.rate)) }
                            td { meter min="0" max="1" value=(c.rate.unwrap_or(0.0)) { (percent(c.rate)) } }
                        }
                    }
                }
            }
        }
    }
}

/// How each figure is defined.
fn legend(v: &View<'_>) -> Markup {
    html! {
        details.legend {
            summary { "How these figures are defined" }
            dl {
                @for f in &v.figures { dt { (f.label) } dd { (f.definition) } }
                dt { "Category acceptance" } dd { "Decisions accepting the whole category ÷ decisions; a service row (Category › Service): decisions accepting that service, alone or with all of its category ÷ decisions." }
            }
            p { "Only what the events say: nothing is estimated or sampled. Change is against the previous period of the same length; rates change in percentage points (pts)." }
        }
    }
}

fn figure(f: &Figure) -> Markup {
    let value = if f.is_rate { percent(f.value) } else { f.value.map(|v| thousands(v as i64)).unwrap_or_default() };
    let change = match (f.change_points, f.change_percent) {
        (Some(pts), Some(pc)) => format!("{pts:+.1} pts ({pc:+.1} %)"),
        (Some(pts), None) => format!("{pts:+.1} pts"),
        (None, Some(pc)) => format!("{pc:+.1} %"),
        (None, None) => "no previous data".to_owned(),
    };
    // Green for better, red for worse: fewer rejections and non-answers are better.
    let lower_is_better = matches!(f.key, "reject_all_rate" | "no_decision_rate" | "withdrawals");
    let trend = match f.change_points.or(f.change_percent) {
        Some(c) if c != 0.0 && (c > 0.0) != lower_is_better => "better",
        Some(c) if c != 0.0 => "worse",
        _ => "flat",
    };
    html! {
        div.figure data-figure=(f.key) title=(f.definition) {
            div.label { (f.label) }
            div.value data-value=[f.value] { (value) }
            div class=(format!("change {trend}")) { (change) }
        }
    }
}

fn breakdown_table(dim: &str, label: &str, rows: &[BreakdownRow]) -> Markup {
    html! {
        div.scroll {
            table.sortable data-dim=(dim) {
                thead {
                    tr {
                        th { button type="button" data-sort="text" { (label) } }
                        @for h in ["Impressions", "Decisions", "Consent rate", "Accept all", "Reject all", "Custom", "No decision", "Withdrawals"] {
                            th.num { button type="button" data-sort="num" { (h) } }
                        }
                    }
                }
                tbody {
                    @if rows.is_empty() { tr { td colspan="9" { "No events in this period." } } }
                    @for r in rows {
                        @let (c, rt) = (&r.counts, &r.rates);
                        tr {
                            td.value title=(r.value) { (shown_value(dim, &r.value)) }
                            td.num data-sort-value=(c.impressions) { (thousands(c.impressions)) }
                            td.num data-sort-value=(c.decisions) { (thousands(c.decisions)) }
                            (rate_cell(rt.consent_rate)) (rate_cell(rt.accept_all_rate)) (rate_cell(rt.reject_all_rate))
                            (rate_cell(rt.custom_rate)) (rate_cell(rt.no_decision_rate))
                            td.num data-sort-value=(c.withdrawals) { (thousands(c.withdrawals)) }
                        }
                    }
                }
            }
        }
    }
}

/// A breakdown value as shown: banner hashes shortened (the full one is the cell's title).
fn shown_value(dim: &str, value: &str) -> String {
    match value {
        "" if dim == "region" => "(unknown)".to_owned(),
        "" => "(none)".to_owned(),
        v if dim == "banner" && v.len() > 12 => format!("{}…", v.get(..12).unwrap_or(v)),
        v => v.to_owned(),
    }
}

fn rate_cell(rate: Option<f64>) -> Markup {
    html! { td.num data-sort-value=(rate.map_or(-1.0, |r| r)) { (percent(rate)) } }
}

/// The query string of a preset range for `site`.
fn preset_query(site: &str, range: &str) -> String {
    serde_urlencoded::to_string([("site", site), ("range", range)]).unwrap_or_default()
}

/// The stylesheet and script, served from memory.
pub const CSS: &str = include_str!("../../assets/dashboard.css");
pub const JS: &str = include_str!("../../assets/dashboard.js");

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(64_159), "64,159");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
        assert_eq!(super::thousands(-1_234), "-1,234");
    }
}
