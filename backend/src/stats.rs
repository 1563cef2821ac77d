//! `GET /api/v1/stats?site=ID`: event counts per action. Admin token required.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use consent_wire::Action;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::auth::AdminAuth;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/stats", get(stats_show))
}

#[derive(Deserialize)]
struct StatsQuery {
    site: String,
}

#[derive(Serialize)]
struct StatsBody {
    site: String,
    counts: BTreeMap<String, u64>,
}

async fn stats_show(_: AdminAuth, State(state): State<AppState>, Query(q): Query<StatsQuery>) -> Result<Json<StatsBody>> {
    if state.sites().get(&q.site).is_none() {
        return Err(AppError::NotFound(format!("unknown site `{}`", q.site.chars().take(64).collect::<String>())));
    }
    let mut counts: BTreeMap<String, u64> = Action::ALL.iter().map(|a| (a.as_str().to_owned(), 0)).collect();
    counts.extend(state.store.counts_by_action(&q.site).await.map_err(anyhow::Error::from)?);
    Ok(Json(StatsBody { site: q.site, counts }))
}
