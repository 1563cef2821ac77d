//! `POST /api/v1/events` (one event or a batch, as the widget's queue flushes): a pipeline of named steps (media type, size, decode,
//! site, origin, validation, store), each of which may refuse the request with a
//! reason. Nothing is stored unless every event of the request passes.

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use consent_wire::validate::validate;
use consent_wire::Event;

use crate::device::Device;
use crate::error::{AppError, Result};
use crate::store::{StoreError, Stored, StoredEvent};
use axum::extract::{ConnectInfo, Request};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use crate::AppState;

/// Largest accepted body: a batch of ten events with long paths fits.
pub const MAX_BODY: usize = 8 * 1024;
pub const MAX_BATCH: usize = 10;

/// A client sending its body slower than this is cut off.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/events", post(events_create))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
}

async fn events_create(State(state): State<AppState>, req: Request) -> Result<(StatusCode, Json<Stored>)> {
    let client = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let (parts, body) = req.into_parts();
    let result = pipeline(&state, client, &parts.headers, body).await;
    match &result {
        Ok((_, Json(stored))) => {
            state.metrics.accepted.fetch_add(stored.stored as u64, Ordering::Relaxed);
            state.metrics.duplicates.fetch_add(stored.duplicates as u64, Ordering::Relaxed);
        }
        Err(e) => state.metrics.refused(e.reason()),
    }
    result
}

async fn pipeline(state: &AppState, client: Option<IpAddr>, headers: &HeaderMap, body: Body) -> Result<(StatusCode, Json<Stored>)> {
    if let Some(ip) = client {
        state.limiter.check(ip).map_err(AppError::TooManyRequests)?;
    }
    check_media_type(headers)?;
    let bytes = to_bytes(body, MAX_BODY).await.map_err(|_| AppError::PayloadTooLarge(MAX_BODY))?;
    let events = decode(&bytes)?;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let now = crate::app::now_ms();
    let device = Device::from_user_agent(headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("")).as_str();
    let mut stored = Vec::with_capacity(events.len());
    for (i, event) in events.into_iter().enumerate() {
        let at = |msg: String| if i == 0 { msg } else { format!("event {i}: {msg}") };
        let site = state.sites.get(&event.site).ok_or_else(|| AppError::NotFound(at(format!("unknown site `{}`", truncate(&event.site)))))?;
        if let Some(origin) = origin {
            if !site.allows_origin(origin) {
                return Err(AppError::Forbidden(at(format!("origin `{}` may not post events for site `{}`", truncate(origin), site.id))));
            }
        }
        validate(&event, site, now).map_err(|e| AppError::UnprocessableEntity(at(e.to_string())))?;
        let banner_content = event.banner.as_deref().and_then(|b| state.sites.banner_content(b));
        let consented = event.action.is_decision() && event.categories.iter().any(|c| site.category(c).is_some_and(|k| !k.required));
        stored.push(StoredEvent { event, device, server_ts: now, banner_content, consented });
    }
    if state.noop_store {
        return Ok((StatusCode::CREATED, Json(Stored { stored: stored.len(), duplicates: 0 })));
    }
    let result = state.store.insert(stored).await.map_err(|e| match e {
        StoreError::QueueFull => AppError::Busy,
        other => AppError::Internal(other.into()),
    })?;
    let status = if result.stored > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(result)))
}

fn check_media_type(headers: &HeaderMap) -> Result<()> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "text/plain" => Ok(()),
        _ => Err(AppError::UnsupportedMediaType),
    }
}

fn decode(bytes: &[u8]) -> Result<Vec<Event>> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let events = match first {
        None => return Err(AppError::BadRequest("empty body: send one event object or an array of events".into())),
        Some(b'[') => serde_json::from_slice::<Vec<Event>>(bytes).map_err(json_error)?,
        Some(b'{') => vec![serde_json::from_slice::<Event>(bytes).map_err(json_error)?],
        Some(_) => return Err(AppError::BadRequest("body must be a JSON object or an array of objects".into())),
    };
    match events.len() {
        0 => Err(AppError::BadRequest("empty batch".into())),
        n if n > MAX_BATCH => Err(AppError::BadRequest(format!("batch of {n} events; at most {MAX_BATCH}"))),
        _ => Ok(events),
    }
}

fn json_error(e: serde_json::Error) -> AppError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => AppError::UnprocessableEntity(format!("invalid event: {e}")),
        _ => AppError::BadRequest(format!("malformed JSON: {e}")),
    }
}

/// Visitor-supplied strings are echoed shortened in error messages.
fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}
