//! The site's last cookie scan on the dashboard (`consent-server scan --store`):
//! when it ran, violations first, then undeclared names, and links to the full
//! report (the scanner's own self-contained HTML page, and its JSON).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};

use super::access::{PageScope, Scope};
use super::page;
use crate::error::{AppError, Result};
use crate::scan::report::Report;
use crate::state::AppState;
use crate::store::ScanRow;

/// Rows of each list shown on the dashboard; the full report has them all.
const SHOWN: usize = 10;
/// The full report's own policy: its inline stylesheet, nothing else.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// A site's last scan and its report, read back (`None` if it no longer parses).
pub struct LastScan {
    pub row: ScanRow,
    pub report: Option<Report>,
}

pub async fn last(state: &AppState, site: &str) -> std::result::Result<Option<LastScan>, crate::store::StoreError> {
    let row = state.store.last_scan(site).await?;
    Ok(row.map(|row| LastScan { report: serde_json::from_str(&row.report).ok(), row }))
}

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()
}

/// The dashboard's section: never scanned, or the last scan's findings.
pub fn panel(site: &str, scan: Option<&LastScan>) -> Markup {
    let link = serde_urlencoded::to_string([("site", site)]).unwrap_or_default();
    html! {
        section.scan {
            h2 { "Cookie scan" }
            @match scan {
                None => p { "Never scanned. Run " code { "consent-server scan --site " (site) " --store" } " (from cron or CI) to check what the site really stores." },
                Some(s) => {
                    p {
                        "Last scanned " (when(s.row.scanned_at)) ": " (s.row.pages) " pages, "
                        strong { (s.row.violations) " violations" } ", " (s.row.undeclared) " undeclared, " (s.row.stale) " declared but never seen. "
                        a href=(format!("/dashboard/scan?{link}")) { "Full report" } " · " a href=(format!("/dashboard/api/scan?{link}")) { "JSON" }
                    }
                    @if let Some(report) = &s.report { (findings(report)) }
                }
            }
        }
    }
}

fn findings(report: &Report) -> Markup {
    html! {
        @if !report.violations.is_empty() {
            table.scan-violations {
                caption { "Violations" }
                thead { tr { th { "Rule" } th { "When" } th { "What" } th { "Detail" } } }
                tbody { @for v in report.violations.iter().take(SHOWN) { tr { td { (v.rule.as_str()) } td { (v.phase.as_str()) } td { code { (v.subject) } } td { (v.detail) } } } }
            }
        }
        @if !report.undeclared.is_empty() {
            table.scan-undeclared {
                caption { "Undeclared" }
                thead { tr { th { "Name" } th { "Where" } th { "Usual category" } th { "Provider" } } }
                tbody {
                    @for u in report.undeclared.iter().take(SHOWN) {
                        tr { td { code { (u.name) } } td { (u.area.as_str()) } td { (u.category.as_deref().unwrap_or("unclassified")) } td { (u.provider.as_deref().unwrap_or("-")) } }
                    }
                }
            }
        }
    }
}

/// `GET /dashboard/scan?site=…`: the full report, as the scanner wrote it.
pub async fn report_page(PageScope(s): PageScope, State(state): State<AppState>) -> Response {
    let found = match last(&state, &s.site.id).await {
        Ok(found) => found,
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(report) = found.and_then(|f| f.report) else {
        return (StatusCode::NOT_FOUND, Html(page::problem("No scan", "this site has no stored cookie scan").into_string())).into_response();
    };
    let mut res = Html(crate::scan::html::render(&report)).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(REPORT_CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

/// `GET /dashboard/api/scan?site=…`: the last report, the JSON as the scanner wrote it.
pub async fn report_json(s: Scope, State(state): State<AppState>) -> Result<Response> {
    let row = state.store.last_scan(&s.site.id).await?.ok_or_else(|| AppError::NotFound(format!("site `{}` has no stored cookie scan", s.site.id)))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], row.report).into_response())
}
