//! `POST /api/v1/events` (one event or a batch, as the widget's queue flushes): a
//! pipeline of named steps. The request as a whole may be refused (rate limit,
//! media type, size, malformed JSON); after that each event stands alone (decode,
//! site, origin, validation): the valid events of a batch are stored and each
//! invalid one is refused by its index and id, so one bad event never takes the
//! others down with it.

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use consent_wire::validate::validate;
use consent_wire::Event;
use serde::Serialize;

use crate::device::Device;
use crate::error::AppError;
use crate::proxy::Client;
use crate::state::AppState;
use crate::store::{StoreError, StoredEvent};
use axum::extract::{ConnectInfo, Request};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;

pub use consent_wire::limits::{MAX_BATCH, MAX_BODY};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", post(events_create))
}

/// Why a whole request was refused, before any event was looked at (or, for
/// the store, after): its label on `consent_events_refused_total`, and, as an
/// [`AppError`], its answer.
#[derive(Debug)]
enum Dropped {
    RateLimited(u64),
    MediaType,
    TooLarge,
    Timeout,
    Malformed(String),
    QueueFull,
    Store(StoreError),
}

impl Dropped {
    /// The label on `consent_events_refused_total`.
    fn reason(&self) -> &'static str {
        match self {
            Dropped::RateLimited(_) => "rate_limited",
            Dropped::MediaType => "media_type",
            Dropped::TooLarge => "too_large",
            Dropped::Timeout => "timeout",
            Dropped::Malformed(_) => "malformed",
            Dropped::QueueFull => "queue_full",
            Dropped::Store(_) => "internal",
        }
    }
}

impl From<Dropped> for AppError {
    fn from(d: Dropped) -> AppError {
        match d {
            Dropped::RateLimited(secs) => AppError::TooManyRequests(secs),
            Dropped::MediaType => AppError::UnsupportedMediaType,
            Dropped::TooLarge => AppError::PayloadTooLarge(MAX_BODY),
            Dropped::Timeout => AppError::RequestTimeout,
            Dropped::Malformed(message) => AppError::BadRequest(message),
            Dropped::QueueFull => AppError::Busy,
            Dropped::Store(e) => e.into(),
        }
    }
}

/// Why one event of a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// Not an event (wrong types, unknown or missing fields).
    Malformed,
    UnknownSite,
    /// The page's origin may not post for this site.
    Origin,
    /// A field breaks the site's rules (`consent_wire::validate`).
    Invalid,
}

impl Refusal {
    fn status(self) -> StatusCode {
        match self {
            Refusal::Malformed | Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::UnknownSite => StatusCode::NOT_FOUND,
            Refusal::Origin => StatusCode::FORBIDDEN,
        }
    }

    /// The label on `consent_events_refused_total`.
    fn reason(self) -> &'static str {
        match self {
            Refusal::Malformed | Refusal::Invalid => "invalid",
            Refusal::UnknownSite => "unknown_site",
            Refusal::Origin => "origin",
        }
    }
}

/// One refused event: where it was in the request, its id if it had one, why.
#[derive(Debug, Serialize)]
pub struct Refused {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub status: u16,
    pub error: String,
}

/// The answer to a request whose events were looked at one by one.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// Set when no event was stored: the first refusal, as a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub stored: usize,
    pub duplicates: usize,
    pub refused: Vec<Refused>,
}

async fn events_create(State(state): State<AppState>, req: Request) -> Response {
    let client = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let proxied = req.extensions().get::<Client>().copied();
    let (parts, body) = req.into_parts();
    match pipeline(&state, (client, proxied), &parts.headers, body).await {
        Ok((status, answer)) => {
            state.metrics.accepted.fetch_add(answer.stored as u64, Ordering::Relaxed);
            state.metrics.duplicates.fetch_add(answer.duplicates as u64, Ordering::Relaxed);
            (status, Json(answer)).into_response()
        }
        Err(dropped) => {
            state.metrics.refused(dropped.reason());
            AppError::from(dropped).into_response()
        }
    }
}

/// `client`: the address (rate limits) and, behind a trusted proxy, who the proxy says it is (region).
async fn pipeline(state: &AppState, client: (Option<IpAddr>, Option<Client>), headers: &HeaderMap, body: Body) -> Result<(StatusCode, Answer), Dropped> {
    let (client, proxied) = client;
    if let Some(ip) = client {
        state.limiter.check(ip).map_err(Dropped::RateLimited)?;
    }
    check_media_type(headers)?;
    // Refused before the body is read: no `100 Continue` for what cannot fit.
    crate::limits::check_declared(headers, MAX_BODY).map_err(|_| Dropped::TooLarge)?;
    let bytes = to_bytes(body, MAX_BODY).await.map_err(|e| if crate::limits::is_deadline(&e) { Dropped::Timeout } else { Dropped::TooLarge })?;
    let items = decode(&bytes)?;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let now = state.clock.now_ms();
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let device = Device::from_user_agent(user_agent).as_str();
    let mut stored = Vec::with_capacity(items.len());
    let mut refused = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(|v| v.as_str()).map(truncate);
        match admit(state, item, origin) {
            Ok(event) => {
                let banner_content = event.banner.as_deref().and_then(|b| state.sites().banner_content(b));
                let sites = state.sites();
                let site = sites.get(&event.site);
                let consented = event.action.is_decision() && site.is_some_and(|site| event.categories.iter().any(|c| site.category_of(c).is_some_and(|k| !k.required)));
                // The country only, as the trusted proxy said: never the address.
                let region = site.and_then(|s| crate::region::country(s, headers, proxied.as_ref()));
                stored.push(StoredEvent { event, device, server_ts: now, banner_content, consented, region });
            }
            Err((why, msg)) => {
                state.metrics.refused(why.reason());
                let error = if index == 0 { msg } else { format!("event {index}: {msg}") };
                refused.push(Refused { index, id, status: why.status().as_u16(), error });
            }
        }
    }
    if stored.is_empty() {
        let status = refused.first().and_then(|r| StatusCode::from_u16(r.status).ok()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        let error = refused.first().map(|r| r.error.clone());
        return Ok((status, Answer { error, stored: 0, duplicates: 0, refused }));
    }
    attribute_withdrawals(state, &mut stored).await;
    if state.noop_store {
        return Ok((StatusCode::CREATED, Answer { error: None, stored: stored.len(), duplicates: 0, refused }));
    }
    // The cookie scanner's visits are checked like any other, and never stored.
    if user_agent.contains(crate::scan::SCAN_MARK) {
        return Ok((StatusCode::ACCEPTED, Answer { error: None, stored: 0, duplicates: 0, refused }));
    }
    let result = state.store.insert(stored).await.map_err(|e| match e {
        StoreError::QueueFull => Dropped::QueueFull,
        other => Dropped::Store(other),
    })?;
    let status = if result.stored > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Answer { error: None, stored: result.stored, duplicates: result.duplicates, refused }))
}

/// A withdrawal counts against the A/B variant its consent was given on (the
/// variant this page drew is another draw): read from the consent's history.
async fn attribute_withdrawals(state: &AppState, stored: &mut [StoredEvent]) {
    for s in stored.iter_mut().filter(|s| s.event.action == consent_wire::Action::Withdraw) {
        let Some(id) = s.event.consent_id.clone() else { continue };
        let history = state.store.consent_history(&id).await.unwrap_or_default();
        s.event.variant = history.iter().rev().filter(|r| r.site == s.event.site).find_map(|r| r.variant.clone());
    }
}

/// One event of the request, decoded, its path normalised and checked against its site.
fn admit(state: &AppState, mut item: serde_json::Value, origin: Option<&str>) -> Result<Event, (Refusal, String)> {
    whole_number_ts(&mut item);
    let mut event: Event = serde_json::from_value(item).map_err(|e| (Refusal::Malformed, format!("invalid event: {e}")))?;
    let sites = state.sites();
    let site = sites.get(&event.site).ok_or_else(|| (Refusal::UnknownSite, format!("unknown site `{}`", truncate(&event.site))))?;
    if let Some(origin) = origin {
        if !site.allows_origin(origin) {
            return Err((Refusal::Origin, format!("origin `{}` may not post events for site `{}`", truncate(origin), site.id)));
        }
    }
    // Shortened, never refused: a decision on a long page is still a decision.
    event.path = consent_wire::path::normalise(&event.path);
    // The client's clock is information, never a reason to refuse (the server's
    // time is stored beside it); kept within what the database column holds.
    event.client_ts = event.client_ts.min(i64::MAX as u64);
    validate(&event, site).map_err(|e| (Refusal::Invalid, e.to_string()))?;
    Ok(event)
}

/// `client_ts` written as `1.7e12` or `167.0` is still a whole number (JSON has
/// one number type); serde's `u64` would refuse it.
fn whole_number_ts(item: &mut serde_json::Value) {
    if let Some(ts) = item.get_mut("client_ts") {
        if let Some(f) = ts.as_f64().filter(|f| ts.is_f64() && f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64) {
            *ts = serde_json::Value::from(f as u64);
        }
    }
}

fn check_media_type(headers: &HeaderMap) -> Result<(), Dropped> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "text/plain" => Ok(()),
        _ => Err(Dropped::MediaType),
    }
}

/// The request's events, each still a JSON value (decoded one by one in `admit`).
fn decode(bytes: &[u8]) -> Result<Vec<serde_json::Value>, Dropped> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let items = match first {
        None => return Err(Dropped::Malformed("empty body: send one event object or an array of events".into())),
        Some(b'[') => serde_json::from_slice::<Vec<serde_json::Value>>(bytes).map_err(json_error)?,
        Some(b'{') => vec![serde_json::from_slice::<serde_json::Value>(bytes).map_err(json_error)?],
        Some(_) => return Err(Dropped::Malformed("body must be a JSON object or an array of objects".into())),
    };
    match items.len() {
        0 => Err(Dropped::Malformed("empty batch".into())),
        n if n > MAX_BATCH => Err(Dropped::Malformed(format!("batch of {n} events; at most {MAX_BATCH}"))),
        _ => Ok(items),
    }
}

fn json_error(e: serde_json::Error) -> Dropped {
    Dropped::Malformed(format!("malformed JSON: {e}"))
}

/// Visitor-supplied strings are echoed shortened in error messages.
fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}
