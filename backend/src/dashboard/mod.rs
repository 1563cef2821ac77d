//! The marketer dashboard: sign-in, one server-rendered page, JSON data
//! endpoints and CSV exports, all read from the rollup tables.
//!
//! `GET /dashboard` (page, or a 401 sign-in page), `POST /dashboard/login`,
//! `POST /dashboard/logout`, `GET /dashboard/api/{sites,summary,timeseries,
//! categories,breakdown,scan}`, `GET /dashboard/export/{table}.csv`,
//! `GET /dashboard/scan` (the last cookie scan's full report). A session
//! cookie or an `Authorization: Bearer` token (admin or a site's read-only
//! token) grants access; a site token sees its own site only.

mod access;
mod chart;
mod csv;
pub mod experiment;
pub mod figures;
mod page;
pub mod period;
pub mod report;
mod scan;
pub mod session;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::{AppError, Result};
use crate::rollup::Dimension;
use crate::state::AppState;
use access::{PageScope, Reader, Scope};
use figures::{headline, Counts, Figure};
use period::Period;
use report::{BreakdownRow, Bucket};
use session::Role;

/// The page's policy: its own stylesheet and script, nothing inline, no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")));
    Router::new()
        .route("/dashboard", get(page_show))
        .route("/dashboard/", get(|| async { Redirect::to("/dashboard") }))
        .route("/dashboard/login", post(login))
        .route("/dashboard/logout", post(logout))
        .route("/dashboard/assets/dashboard.css", get(|| async { asset("text/css; charset=utf-8", page::CSS) }))
        .route("/dashboard/assets/dashboard.js", get(|| async { asset("text/javascript; charset=utf-8", page::JS) }))
        .route("/dashboard/api/sites", get(sites_show))
        .route("/dashboard/api/summary", get(summary_show))
        .route("/dashboard/api/timeseries", get(timeseries_show))
        .route("/dashboard/api/categories", get(categories_show))
        .route("/dashboard/api/breakdown", get(breakdown_show))
        .route("/dashboard/api/variants", get(variants_show))
        .route("/dashboard/export/{file}", get(export_show))
        .route("/dashboard/api/scan", get(scan::report_json))
        .layer(headers)
        // The scan's own page carries its own policy (an inline stylesheet, nothing else).
        .route("/dashboard/scan", get(scan::report_page))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=300")], body).into_response()
}

fn query_of(s: &Scope) -> String {
    let p = &s.period;
    let mut pairs = vec![("site", s.site.id.as_str()), ("range", p.key.as_str())];
    if p.key == "custom" {
        pairs.push(("from", &p.first_day));
        pairs.push(("to", &p.last_day));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

async fn page_show(PageScope(s): PageScope, State(state): State<AppState>) -> Result<Html<String>> {
    let load = async {
        let buckets = report::series(&state.store, &s.site.id, &s.period).await?;
        let current = report::sum(&buckets);
        let previous = report::totals(&state.store, &s.site.id, s.period.previous).await?;
        let categories = report::categories(&state.store, &s.site, s.period.current, current.decisions).await?;
        let mut breakdowns = Vec::new();
        for dim in Dimension::ALL {
            breakdowns.push((dim.as_str(), report::heading(dim), report::breakdown(&state.store, &s.site.id, dim, s.period.current).await?));
        }
        let scan = scan::last(&state, &s.site.id).await?;
        Ok::<_, crate::store::StoreError>((buckets, current, previous, categories, breakdowns, scan))
    };
    let (buckets, current, previous, categories, breakdowns, scan) = load.await?;
    let variant_rows = breakdowns.iter().find(|(dim, _, _)| *dim == Dimension::Variant.as_str()).map(|b| b.2.as_slice()).unwrap_or_default();
    let experiment = experiment::compare(variant_rows, &variant_order(&s.site));
    let sites = state.sites();
    let view = page::View {
        sites: sites.all().filter(|x| s.role.can_see(&x.id)).map(|x| (x.id.as_str(), x.name.as_str())).collect(),
        site: &s.site.id,
        site_name: &s.site.name,
        signed_in_as: match &s.role {
            Role::Admin => "admin".to_owned(),
            Role::Site(id) => format!("read-only: {id}"),
        },
        period: &s.period,
        query: query_of(&s),
        figures: headline(&current, &previous),
        buckets,
        categories,
        breakdowns,
        scan: scan::panel(&s.site.id, scan.as_ref()),
        experiment,
    };
    Ok(Html(page::dashboard(&view).into_string()))
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(State(state): State<AppState>, ConnectInfo(addr): ConnectInfo<SocketAddr>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, Html(page::problem("Refused", "sign-in must come from the dashboard's own page").into_string())).into_response();
    }
    if let Err(secs) = state.login_limiter.check(addr.ip()) {
        let mut res = (StatusCode::TOO_MANY_REQUESTS, Html(page::sign_in(Some(&format!("Too many attempts; try again in {secs} s."))).into_string())).into_response();
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    match state.sessions.role_of_token(form.token.trim(), &state.sites()) {
        Some(role) => {
            let value = state.sessions.issue(&role, form.token.trim(), state.clock.now_ms() as i64);
            let target = match role {
                Role::Admin => "/dashboard".to_owned(),
                Role::Site(id) => format!("/dashboard?{}", serde_urlencoded::to_string([("site", id.as_str())]).unwrap_or_default()),
            };
            let mut res = Redirect::to(&target).into_response();
            if let Ok(v) = HeaderValue::from_str(&session::set_cookie(&value, session::is_https(&headers))) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        None => (StatusCode::UNAUTHORIZED, Html(page::sign_in(Some("That token is not valid.")).into_string())).into_response(),
    }
}

async fn logout(State(state): State<AppState>, ConnectInfo(addr): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, Html(page::problem("Refused", "sign-out must come from the dashboard's own page").into_string())).into_response();
    }
    if let Err(secs) = state.login_limiter.check(addr.ip()) {
        let mut res = (StatusCode::TOO_MANY_REQUESTS, Html(page::problem("Too many requests", &format!("Try again in {secs} s.")).into_string())).into_response();
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    if let Some(v) = session::cookie_value(&headers) {
        state.sessions.revoke(v, state.clock.now_ms() as i64);
    }
    let mut res = Redirect::to("/dashboard").into_response();
    if let Ok(v) = HeaderValue::from_str(&session::clear_cookie(session::is_https(&headers))) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// A form post from a foreign page is refused (the cookie is `SameSite=Strict`
/// already; this also stops signing a visitor in to someone else's session).
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

#[derive(Serialize)]
struct SiteEntry<'a> {
    id: &'a str,
    name: &'a str,
}

async fn sites_show(Reader(role): Reader, State(state): State<AppState>) -> Response {
    let sites = state.sites();
    let list: Vec<SiteEntry<'_>> = sites.all().filter(|s| role.can_see(&s.id)).map(|s| SiteEntry { id: &s.id, name: &s.name }).collect();
    Json(list).into_response()
}

#[derive(Serialize)]
struct Summary<'a> {
    site: &'a str,
    period: &'a Period,
    current: Counts,
    previous: Counts,
    figures: Vec<Figure>,
}

async fn summary_parts(state: &AppState, s: &Scope) -> crate::store::Result<(Counts, Counts)> {
    Ok((report::totals(&state.store, &s.site.id, s.period.current).await?, report::totals(&state.store, &s.site.id, s.period.previous).await?))
}

async fn summary_show(s: Scope, State(state): State<AppState>) -> Result<Response> {
    let (current, previous) = summary_parts(&state, &s).await?;
    Ok(Json(Summary { site: &s.site.id, period: &s.period, current, previous, figures: headline(&current, &previous) }).into_response())
}

#[derive(Serialize)]
struct Series<'a> {
    site: &'a str,
    granularity: &'static str,
    buckets: Vec<Bucket>,
}

async fn timeseries_show(s: Scope, State(state): State<AppState>) -> Result<Response> {
    let buckets = report::series(&state.store, &s.site.id, &s.period).await?;
    Ok(Json(Series { site: &s.site.id, granularity: if s.period.hourly { "hour" } else { "day" }, buckets }).into_response())
}

async fn category_rows(state: &AppState, s: &Scope) -> crate::store::Result<(i64, Vec<figures::CategoryRate>)> {
    let decisions = report::totals(&state.store, &s.site.id, s.period.current).await?.decisions;
    Ok((decisions, report::categories(&state.store, &s.site, s.period.current, decisions).await?))
}

async fn categories_show(s: Scope, State(state): State<AppState>) -> Result<Response> {
    let (decisions, categories) = category_rows(&state, &s).await?;
    Ok(Json(serde_json::json!({ "site": s.site.id, "decisions": decisions, "categories": categories })).into_response())
}

#[derive(Deserialize)]
struct DimQuery {
    dim: Option<String>,
}

fn dimension(name: Option<&str>) -> Result<Dimension> {
    name.unwrap_or("").parse().map_err(|_| {
        let names: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
        AppError::BadRequest(format!("`dim` is one of {}", names.join(", ")))
    })
}

async fn breakdown_show(s: Scope, State(state): State<AppState>, Query(q): Query<DimQuery>) -> Result<Response> {
    let dim = dimension(q.dim.as_deref())?;
    let rows = report::breakdown(&state.store, &s.site.id, dim, s.period.current).await?;
    Ok(Json(BreakdownBody { site: &s.site.id, dim: dim.as_str(), rows }).into_response())
}

/// The site's variants in its config's order (the first is the baseline).
fn variant_order(site: &consent_wire::config::SiteConfig) -> Vec<String> {
    site.variants.iter().map(|v| v.id.clone()).collect()
}

async fn variants_show(s: Scope, State(state): State<AppState>) -> Result<Response> {
    let rows = report::breakdown(&state.store, &s.site.id, Dimension::Variant, s.period.current).await?;
    Ok(Json(serde_json::json!({ "site": s.site.id, "comparison": experiment::compare(&rows, &variant_order(&s.site)) })).into_response())
}

#[derive(Serialize)]
struct BreakdownBody<'a> {
    site: &'a str,
    dim: &'static str,
    rows: Vec<BreakdownRow>,
}

async fn export_show(s: Scope, State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let Some(table) = file.strip_suffix(".csv") else { return Err(AppError::NotFound("exports end in .csv".to_owned())) };
    let site = s.site.id.as_str();
    let body: axum::body::Body = match table {
        "decisions" => Ok(crate::export::decisions_csv(state.store.clone(), site.to_owned(), s.period.current.from_ms, s.period.current.to_ms)),
        "summary" => summary_parts(&state, &s).await.map(|(c, p)| csv::summary(&headline(&c, &p)).into()),
        "timeseries" => report::series(&state.store, site, &s.period).await.map(|b| csv::timeseries(&b, s.period.hourly).into()),
        "categories" => category_rows(&state, &s).await.map(|(d, c)| csv::categories(&c, d).into()),
        dim => match dimension(Some(dim)) {
            Ok(dim) => report::breakdown(&state.store, site, dim, s.period.current).await.map(|rows| csv::breakdown(dim.as_str(), &rows).into()),
            Err(_) => return Err(AppError::NotFound(format!("no export named `{}`", table.chars().take(32).collect::<String>()))),
        },
    }?;
    let name = format!("attachment; filename=\"{table}-{site}-{}-{}.csv\"", s.period.first_day, s.period.last_day);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)], body).into_response())
}
