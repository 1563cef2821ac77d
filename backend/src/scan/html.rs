//! The report as one self-contained HTML page: styles inline, no script, no
//! request anywhere, every string from a page or config escaped (maud escapes
//! all it interpolates).

use maud::{html, Markup, DOCTYPE};

use super::report::Report;

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1a1a1a}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
th{background:#f2f2f2}h2.bad{color:#a00}pre{white-space:pre-wrap;margin:0;font-size:13px}.ok{color:#060}small{color:#555}";

pub fn render(report: &Report) -> String {
    let verdict = if report.is_clean() { "no violations" } else { "violations found" };
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'";
                title { "Cookie scan of " (report.site) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body { main {
                h1 { "Cookie scan of " (report.site) }
                p {
                    "Started " (report.started) ", " (format!("{:.1}", report.seconds)) " s; "
                    (report.scanned()) " pages scanned of " (report.pages.len()) "; " strong { (verdict) } "."
                    @if let Some(origin) = &report.consent_origin { br; small { "Consent server: " (origin) } }
                }
                (violations(report))
                (undeclared(report))
                (stale(report))
                (pages(report))
            } }
        }
    };
    page.into_string()
}

fn violations(report: &Report) -> Markup {
    html! {
        @if report.violations.is_empty() { h2.ok { "Violations: none" } } @else {
            h2.bad { "Violations (" (report.violations.len()) ")" }
            table {
                tr { th { "Rule" } th { "When" } th { "What" } th { "Category" } th { "Detail" } th { "Set by" } th { "Pages" } }
                @for v in &report.violations {
                    tr {
                        td { (v.rule.as_str()) } td { (v.phase.as_str()) } td { code { (v.subject) } }
                        td { (v.category.as_deref().unwrap_or("-")) } td { (v.detail) }
                        td { (v.set_by.as_deref().unwrap_or("-")) } td { @for p in &v.pages { (p) br; } }
                    }
                }
            }
        }
    }
}

fn undeclared(report: &Report) -> Markup {
    html! {
        h2 { "Undeclared (" (report.undeclared.len()) ")" }
        @if !report.undeclared.is_empty() {
            p { small { "Paste each block into the site's config under the category it names, then write its purpose and duration." } }
            table {
                tr { th { "Name" } th { "Where" } th { "Usual category" } th { "Provider" } th { "Set by" } th { "To declare it" } }
                @for u in &report.undeclared {
                    tr {
                        td { code { (u.name) } } td { (u.area.as_str()) } td { (u.category.as_deref().unwrap_or("unclassified")) }
                        td { (u.provider.as_deref().unwrap_or("-")) } td { (u.set_by.as_deref().unwrap_or("-")) } td { pre { (u.toml) } }
                    }
                }
            }
        }
    }
}

fn stale(report: &Report) -> Markup {
    html! {
        h2 { "Declared but never seen (" (report.stale.len()) ")" }
        @if !report.stale.is_empty() {
            table {
                tr { th { "Name" } th { "Service" } th { "Category" } }
                @for s in &report.stale { tr { td { code { (s.pattern) } } td { (s.service) } td { (s.category) } } }
            }
        }
    }
}

fn pages(report: &Report) -> Markup {
    html! {
        h2 { "Pages (" (report.pages.len()) ")" }
        table {
            tr { th { "URL" } th { "Result" } th { "Time" } }
            @for p in &report.pages {
                tr { td { (p.url) } td { (p.skipped.as_deref().unwrap_or("scanned")) } td { (p.milliseconds) " ms" } }
            }
        }
    }
}
