//! `GET /api/v1/consents/{consent_id}`: one visitor's full history of choices,
//! each with the banner version it was made on. The visitor holds the id.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use consent_wire::validate::is_uuid_v7;
use serde_json::{json, Value};

use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/consents/{consent_id}", get(consents_show))
}

async fn consents_show(State(state): State<AppState>, Path(consent_id): Path<String>) -> Result<Json<Value>> {
    if !is_uuid_v7(&consent_id) {
        return Err(AppError::BadRequest("the consent id must be a lowercase UUIDv7".into()));
    }
    let rows = state.store.consent_history(&consent_id).await.map_err(anyhow::Error::from)?;
    if rows.is_empty() {
        return Err(AppError::NotFound(format!("no decisions recorded for consent id {consent_id}")));
    }
    let decisions: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            let shown = r.banner_content.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok());
            let mut v = serde_json::to_value(&r).unwrap_or(Value::Null);
            v["banner_shown"] = json!({ "hash": r.banner, "first_seen": r.banner_first_seen, "content": shown });
            v
        })
        .collect();
    Ok(Json(json!({ "consent_id": consent_id, "decisions": decisions })))
}
