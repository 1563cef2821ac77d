//! Dashboard sign-in: who may read what, and the session cookie.
//!
//! A session is a signed cookie (HMAC-SHA256 with a key derived from the admin
//! token), so every backend instance sharing the token accepts it. It names
//! the role and an expiry; a site session also carries a fingerprint of its
//! token, so removing the token from the config ends its sessions. Logout
//! revokes the session's nonce on this instance and clears the cookie.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{header, HeaderMap};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::AdminToken;
use crate::sites::Sites;

pub const COOKIE: &str = "cc_dashboard";
/// Sessions end this long after sign-in.
pub const LIFETIME_MS: i64 = 8 * 3_600_000;
/// Most revoked sessions remembered (each only until it would have expired).
const MAX_REVOKED: usize = 10_000;

/// What a signed-in marketer may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Every site (the admin token).
    Admin,
    /// One site, read-only (a token from that site's config).
    Site(String),
}

impl Role {
    pub fn can_see(&self, site: &str) -> bool {
        match self {
            Role::Admin => true,
            Role::Site(s) => s == site,
        }
    }
}

pub struct Sessions {
    key: [u8; 32],
    admin: AdminToken,
    revoked: Mutex<HashMap<String, i64>>,
}

type HmacSha256 = Hmac<Sha256>;

/// What a signed session cookie says.
struct Claims<'a> {
    kind: &'a str,
    site: &'a str,
    print: &'a str,
    expires: i64,
    nonce: &'a str,
}

impl Sessions {
    pub fn new(admin: AdminToken) -> Sessions {
        let key: [u8; 32] = Sha256::new().chain_update(b"consent-dashboard-session-v1\0").chain_update(admin.secret()).finalize().into();
        Sessions { key, admin, revoked: Mutex::new(HashMap::new()) }
    }

    /// The role a token grants: the admin token, or a read-only token whose
    /// SHA-256 a site's config lists. Compared in constant time.
    pub fn role_of_token(&self, token: &str, sites: &Sites) -> Option<Role> {
        if token.is_empty() {
            return None;
        }
        if self.admin.matches(token) {
            return Some(Role::Admin);
        }
        let digest = hex::encode(Sha256::digest(token.as_bytes()));
        let mut found = None;
        for site in sites.all() {
            for h in &site.dashboard_tokens_sha256 {
                if bool::from(digest.as_bytes().ct_eq(h.as_bytes())) {
                    found = Some(Role::Site(site.id.clone()));
                }
            }
        }
        found
    }

    /// A signed cookie value for `role`, valid until `now + LIFETIME_MS`.
    pub fn issue(&self, role: &Role, token: &str, now_ms: i64) -> String {
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let (kind, site, print) = match role {
            Role::Admin => ("a", "", String::new()),
            Role::Site(s) => ("s", s.as_str(), fingerprint(&hex::encode(Sha256::digest(token.as_bytes())))),
        };
        let payload = format!("{kind}.{site}.{print}.{}.{nonce}", now_ms + LIFETIME_MS);
        format!("{payload}.{}", self.sign(&payload).unwrap_or_default())
    }

    /// The role of a cookie value, if its signature holds, it has not expired
    /// or been revoked, and (for a site) its token is still configured.
    pub fn verify(&self, value: &str, sites: &Sites, now_ms: i64) -> Option<Role> {
        let claims = self.claims(value, now_ms)?;
        if self.revoked.lock().map(|r| r.contains_key(claims.nonce)).unwrap_or(true) {
            return None;
        }
        match claims.kind {
            "a" => Some(Role::Admin),
            "s" => {
                let config = sites.get(claims.site)?;
                config.dashboard_tokens_sha256.iter().any(|h| fingerprint(h) == claims.print).then(|| Role::Site(claims.site.to_owned()))
            }
            _ => None,
        }
    }

    /// Ends the session of a cookie value on this instance. Only a cookie this
    /// server signed and that is still running is remembered (until it would
    /// have expired): a forged or expired one changes nothing, so it cannot
    /// fill the revocation list. Says whether anything was revoked.
    pub fn revoke(&self, value: &str, now_ms: i64) -> bool {
        let Some(claims) = self.claims(value, now_ms) else { return false };
        let mut revoked = self.revoked.lock().unwrap_or_else(|p| p.into_inner());
        revoked.retain(|_, until| *until > now_ms);
        if revoked.len() >= MAX_REVOKED {
            return false;
        }
        revoked.insert(claims.nonce.to_owned(), claims.expires.min(now_ms + LIFETIME_MS));
        true
    }

    /// How many revoked sessions this instance remembers.
    pub fn revoked_len(&self) -> usize {
        self.revoked.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// The fields of a cookie value whose signature holds and which has not expired.
    fn claims<'a>(&self, value: &'a str, now_ms: i64) -> Option<Claims<'a>> {
        let (payload, sig) = value.rsplit_once('.')?;
        if sig.is_empty() || !bool::from(self.sign(payload)?.as_bytes().ct_eq(sig.as_bytes())) {
            return None;
        }
        let mut parts = payload.split('.');
        let (kind, site, print, expires, nonce) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let expires = expires.parse::<i64>().ok().filter(|&e| e > now_ms)?;
        Some(Claims { kind, site, print, expires, nonce })
    }

    /// HMAC-SHA256 of `payload` (HMAC takes a key of any length, so `None` never happens
    /// in practice; an unsigned cookie is then refused, never accepted).
    fn sign(&self, payload: &str) -> Option<String> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.key).ok()?;
        mac.update(payload.as_bytes());
        Some(hex::encode(mac.finalize().into_bytes()))
    }
}

/// The session cookie's value in a request.
pub fn cookie_value(headers: &HeaderMap) -> Option<&str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// `Set-Cookie` for a new session; `Secure` when the request came over https.
pub fn set_cookie(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age={}{secure}", LIFETIME_MS / 1000)
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// Was the request made over https (directly or through a proxy that says so)?
pub fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

fn fingerprint(token_hash: &str) -> String {
    token_hash.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites() -> Sites {
        Sites::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config")).expect("pkg-config loads")
    }

    #[test]
    fn tokens_grant_roles_and_sessions_round_trip() {
        let sites = sites();
        let s = Sessions::new(AdminToken::new("admin-secret"));
        assert_eq!(s.role_of_token("admin-secret", &sites), Some(Role::Admin));
        let site_role = s.role_of_token("luxhost-demo-readonly", &sites).expect("demo token is configured");
        assert_eq!(site_role, Role::Site("luxhost".into()));
        assert_eq!(s.role_of_token("wrong", &sites), None);
        assert_eq!(s.role_of_token("", &sites), None);

        let cookie = s.issue(&site_role, "luxhost-demo-readonly", 1_000);
        assert_eq!(s.verify(&cookie, &sites, 2_000), Some(site_role));
        assert_eq!(s.verify(&cookie, &sites, 1_000 + LIFETIME_MS), None, "expired");
        let forged = cookie.replacen("s.luxhost", "a.", 1);
        assert_eq!(s.verify(&forged, &sites, 2_000), None, "a changed payload fails the signature");
        assert_eq!(Sessions::new(AdminToken::new("other-admin")).verify(&cookie, &sites, 2_000), None, "another key");
        assert!(s.revoke(&cookie, 2_000));
        assert_eq!(s.verify(&cookie, &sites, 3_000), None, "revoked");
    }

    #[test]
    fn forged_or_expired_cookies_are_not_remembered_at_sign_out() {
        let sites = sites();
        let s = Sessions::new(AdminToken::new("admin-secret"));
        let real = s.issue(&Role::Admin, "admin-secret", 1_000);
        for i in 0..MAX_REVOKED + 10 {
            // Far-future, unsigned or signed with another key: none may take a place.
            assert!(!s.revoke(&format!("a....99999999999999.n{i}.deadbeef"), 2_000));
        }
        let other = Sessions::new(AdminToken::new("other")).issue(&Role::Admin, "other", 1_000);
        assert!(!s.revoke(&other, 2_000), "another key's cookie");
        assert!(!s.revoke(&real, 1_000 + LIFETIME_MS), "expired");
        assert_eq!(s.revoked_len(), 0);
        assert!(s.revoke(&real, 2_000), "revocation still works after the flood");
        assert_eq!(s.verify(&real, &sites, 3_000), None);
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; cc_dashboard=x.y; b=2".parse().expect("header"));
        assert_eq!(cookie_value(&h), Some("x.y"));
        assert!(set_cookie("v", true).contains("HttpOnly; SameSite=Strict"));
        assert!(set_cookie("v", true).ends_with("; Secure"));
    }
}
