//! `GET /api/v1/export?site=ID[&from=ms&to=ms]`: a site's raw decisions as CSV,
//! for admins, streamed a page at a time. Cells a spreadsheet would run as
//! formulas are neutralised.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::auth::AdminAuth;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::store::{DecisionRow, Store, StoreError};
use futures_util::{stream, StreamExt, TryStreamExt};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/export", get(export_show))
}

#[derive(Deserialize)]
struct ExportQuery {
    site: String,
    from: Option<i64>,
    to: Option<i64>,
}

async fn export_show(_: AdminAuth, State(state): State<AppState>, Query(q): Query<ExportQuery>) -> Result<impl IntoResponse> {
    if state.sites().get(&q.site).is_none() {
        return Err(AppError::NotFound(format!("unknown site `{}`", q.site.chars().take(64).collect::<String>())));
    }
    let body = decisions_csv(state.store.clone(), q.site.clone(), q.from.unwrap_or(0), q.to.unwrap_or(i64::MAX));
    let disposition = format!("attachment; filename=\"decisions-{}.csv\"", q.site);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body))
}

/// Decisions read from the store per page while an export streams.
pub const PAGE: usize = 2_000;

/// A site's decisions with `from <= server_ts < to` as CSV with a header row,
/// read a page at a time as the client takes them: memory holds one page however
/// many decisions there are. A store failure part-way is logged and cuts the
/// transfer, so a client never takes a short file for a whole one.
pub fn decisions_csv(store: Store, site: String, from: i64, to: i64) -> Body {
    let mut header = String::new();
    push_row(&mut header, DecisionRow::HEADER.iter().copied());
    let header = stream::once(async move { Ok(Bytes::from(header)) });
    let pages = stream::try_unfold(Some(0), move |after| {
        let (store, site) = (store.clone(), site.clone());
        async move {
            let Some(after) = after else { return Ok(None) };
            let rows = store.decisions(&site, from, to, after, PAGE).await?;
            // A short page is the last one.
            let next = rows.last().map(|r| r.seq).filter(|_| rows.len() == PAGE);
            let mut out = String::new();
            for r in &rows {
                push_row(&mut out, r.cells().iter().map(|c| c.as_ref()));
            }
            Ok::<_, StoreError>(if rows.is_empty() { None } else { Some((Bytes::from(out), next)) })
        }
    });
    Body::from_stream(header.chain(pages).inspect_err(|e| tracing::error!(error = %e, "decision export cut short")))
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
