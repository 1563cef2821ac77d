//! Who may read: the admin API token and the bearer header that carries it.

use std::sync::Arc;

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

    pub fn check(&self, headers: &HeaderMap) -> Result<(), AppError> {
        if bearer(headers).is_some_and(|t| self.matches(t)) {
            Ok(())
        } else {
            Err(AppError::Unauthorized)
        }
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
