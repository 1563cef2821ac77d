//! Who may see what on the dashboard, as extractors: a handler that takes a
//! [`Scope`] runs only for a signed-in reader allowed to see the site asked for,
//! over a valid range. The API's refusals are JSON ([`AppError`]); the page's
//! ([`PageScope`]) are HTML: the sign-in form, or a page saying what is wrong.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use consent_wire::config::SiteConfig;
use serde::Deserialize;

use super::page;
use super::period::Period;
use super::session::{self, Role};
use crate::error::AppError;
use crate::state::AppState;

/// The role of a request: its session cookie, else a bearer token.
fn role(state: &AppState, headers: &HeaderMap) -> Option<Role> {
    if let Some(role) = session::cookie_value(headers).and_then(|v| state.sessions.verify(v, &state.sites(), state.clock.now_ms() as i64)) {
        return Some(role);
    }
    state.sessions.role_of_token(crate::auth::bearer(headers)?, &state.sites())
}

/// A signed-in reader (session cookie or bearer token).
pub struct Reader(pub Role);

impl FromRequestParts<AppState> for Reader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Reader, AppError> {
        role(state, &parts.headers).map(Reader).ok_or(AppError::Unauthorized)
    }
}

#[derive(Deserialize)]
struct ViewQuery {
    site: Option<String>,
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// What a data request is about, once access and the range are checked.
pub struct Scope {
    /// A copy: the configuration may be reloaded while the request runs.
    pub site: SiteConfig,
    pub period: Period,
    pub role: Role,
}

impl FromRequestParts<AppState> for Scope {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Scope, AppError> {
        // Sign-in first: a stranger learns nothing from a bad query.
        let Reader(role) = Reader::from_request_parts(parts, state).await?;
        let Query(q) = Query::<ViewQuery>::from_request_parts(parts, state).await.map_err(|e| AppError::BadRequest(e.body_text()))?;
        let site = site(state, &role, q.site.as_deref())?;
        let period = Period::parse(q.range.as_deref(), q.from.as_deref(), q.to.as_deref(), state.clock.now_ms() as i64).map_err(AppError::BadRequest)?;
        Ok(Scope { site, period, role })
    }
}

/// The site asked for, or the first one `role` may see.
fn site(state: &AppState, role: &Role, asked: Option<&str>) -> Result<SiteConfig, AppError> {
    let sites = state.sites();
    let Some(id) = asked else {
        return sites.all().find(|s| role.can_see(&s.id)).cloned().ok_or_else(|| AppError::NotFound("no site is configured".to_owned()));
    };
    let short: String = id.chars().take(64).collect();
    match sites.get(id) {
        Some(s) if role.can_see(id) => Ok(s.clone()),
        Some(_) => Err(AppError::Forbidden(format!("this sign-in cannot see site `{short}`"))),
        None => Err(AppError::NotFound(format!("unknown site `{short}`"))),
    }
}

/// A [`Scope`] for the HTML page.
pub struct PageScope(pub Scope);

impl FromRequestParts<AppState> for PageScope {
    type Rejection = PageRefusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<PageScope, PageRefusal> {
        Scope::from_request_parts(parts, state).await.map(PageScope).map_err(PageRefusal)
    }
}

/// A refusal shown as a page: the sign-in form for a stranger, else what is wrong.
pub struct PageRefusal(pub AppError);

impl IntoResponse for PageRefusal {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, Html(page::sign_in(None).into_string())).into_response(),
            AppError::Internal(_) => self.0.into_response(),
            refusal => {
                let status = refusal.status();
                (status, Html(page::problem("Cannot show this", &refusal.to_string()).into_string())).into_response()
            }
        }
    }
}
