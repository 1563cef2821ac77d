//! Who may read: the admin API token, the bearer header that carries it, and
//! [`AdminAuth`], the extractor that lets only the admin through.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use subtle::ConstantTimeEq;

use crate::error::AppError;

/// The admin API token, compared in constant time.
#[derive(Clone)]
pub struct AdminToken(Arc<str>);

impl AdminToken {
    pub fn new(token: &str) -> AdminToken {
        AdminToken(token.into())
    }

    /// Is `given` the admin token? (Constant time; an empty token never is.)
    pub fn matches(&self, given: &str) -> bool {
        !given.is_empty() && bool::from(given.as_bytes().ct_eq(self.0.as_bytes()))
    }

    /// The token's bytes, for deriving keys from it (dashboard sessions).
    pub(crate) fn secret(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// A request that carries the admin token: as a handler's first argument, no
/// other request reaches the handler (401 with `WWW-Authenticate: Bearer`).
pub struct AdminAuth;

impl<S: Send + Sync> FromRequestParts<S> for AdminAuth
where
    AdminToken: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<AdminAuth, AppError> {
        match bearer(&parts.headers) {
            Some(token) if AdminToken::from_ref(state).matches(token) => Ok(AdminAuth),
            _ => Err(AppError::Unauthorized),
        }
    }
}
