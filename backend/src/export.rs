//! `GET /api/v1/export?site=ID[&from=ms&to=ms]`: a site's raw decisions as CSV,
//! for admins. Cells a spreadsheet would run as formulas are neutralised.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::auth::AdminAuth;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/export", get(export_show))
}

#[derive(Deserialize)]
struct ExportQuery {
    site: String,
    from: Option<i64>,
    to: Option<i64>,
}

const HEADER: [&str; 12] = ["server_time_ms", "client_time_ms", "event_id", "consent_id", "action", "categories", "revision", "banner", "lang", "path", "device", "row_hash"];

async fn export_show(_: AdminAuth, State(state): State<AppState>, Query(q): Query<ExportQuery>) -> Result<impl IntoResponse> {
    if state.sites().get(&q.site).is_none() {
        return Err(AppError::NotFound(format!("unknown site `{}`", q.site.chars().take(64).collect::<String>())));
    }
    let rows = state.store.decisions(&q.site, q.from.unwrap_or(0), q.to.unwrap_or(i64::MAX)).await.map_err(anyhow::Error::from)?;
    let out = decisions_csv(&rows);
    let disposition = format!("attachment; filename=\"decisions-{}.csv\"", q.site);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], out))
}

/// Decisions (as `Store::decisions` gives them) as CSV with a header row.
pub fn decisions_csv(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().copied());
    for r in rows {
        push_row(&mut out, r.iter().map(String::as_str));
    }
    out
}

pub fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(c));
    }
    out.push_str("\r\n");
}

/// One CSV cell: formula-starting text gets a leading apostrophe (OWASP's
/// advice), then quoting when needed.
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised_and_quoting_is_right() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("/hosting/"), "/hosting/");
    }
}
