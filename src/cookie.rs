//! The consent cookie: a compact, versioned value and its reading and writing.
//!
//! Value: `1.<id>.<cats>.<rev>.<decided>.<expires>.<check>` where `id` is the consent
//! UUID as 32 hex digits, `cats` the accepted category ids joined by `+`, times are
//! Unix seconds in base 36 and `check` is an FNV-1a hash of the rest (base 36), so an
//! edited or truncated value reads as "no consent" rather than as a different choice.

use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::json::push_radix;

pub const VERSION: &str = "1";
/// Accepted clock skew between a decision stored in the cookie and the page's clock.
const FUTURE_SKEW_S: u64 = 24 * 3600;

/// A stored decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    /// Canonical UUID text with dashes.
    pub id: String,
    pub categories: Vec<String>,
    pub revision: String,
    pub decided_s: u64,
    pub expires_s: u64,
}

/// Why a cookie value was not taken as consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejected {
    Malformed,
    Tampered,
    UnknownVersion,
}

impl Consent {
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(96);
        s.push_str(VERSION);
        s.push('.');
        s.extend(self.id.chars().filter(|c| *c != '-'));
        s.push('.');
        for (i, c) in self.categories.iter().enumerate() {
            if i > 0 {
                s.push('+');
            }
            s.push_str(c);
        }
        s.push('.');
        s.push_str(&self.revision);
        s.push('.');
        push_radix(&mut s, self.decided_s, 36);
        s.push('.');
        push_radix(&mut s, self.expires_s, 36);
        let check = fnv1a(s.as_bytes());
        s.push('.');
        push_radix(&mut s, u64::from(check), 36);
        s
    }

    pub fn decode(value: &str) -> Result<Consent, Rejected> {
        let (body, check) = value.rsplit_once('.').ok_or(Rejected::Malformed)?;
        if parse_base36(check) != Some(u64::from(fnv1a(body.as_bytes()))) {
            return Err(Rejected::Tampered);
        }
        let mut parts = body.split('.');
        let mut next = || parts.next().ok_or(Rejected::Malformed);
        if next()? != VERSION {
            return Err(Rejected::UnknownVersion);
        }
        let id = uuid_from_hex(next()?).ok_or(Rejected::Malformed)?;
        let cats = next()?;
        let categories: Vec<String> = if cats.is_empty() { Vec::new() } else { cats.split('+').map(String::from).collect() };
        if categories.iter().any(|c| !is_category_id(c)) {
            return Err(Rejected::Malformed);
        }
        let revision = next()?;
        if revision.is_empty() || revision.len() > 64 || !revision.bytes().all(is_hex) {
            return Err(Rejected::Malformed);
        }
        let decided_s = parse_base36(next()?).ok_or(Rejected::Malformed)?;
        let expires_s = parse_base36(next()?).ok_or(Rejected::Malformed)?;
        if parts.next().is_some() || expires_s < decided_s {
            return Err(Rejected::Malformed);
        }
        Ok(Consent { id, categories, revision: revision.into(), decided_s, expires_s })
    }

    /// Is this decision still the visitor's answer to the current policy?
    pub fn is_current(&self, now_s: u64, revision: &str) -> bool {
        self.revision == revision && now_s < self.expires_s && self.decided_s <= now_s + FUTURE_SKEW_S
    }

    pub fn accepts(&self, category: &str) -> bool {
        self.categories.iter().any(|c| c == category)
    }
}

/// Finds `name`'s value in a `document.cookie` string, byte by byte.
pub fn find<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (k, v) = pair.trim_start().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// The `document.cookie` assignment that stores `value`; `max_age_s: None` makes it session-scoped.
pub fn set_cookie_string(name: &str, value: &str, max_age_s: Option<u64>, domain: Option<&str>, secure: bool) -> String {
    let mut s = String::with_capacity(name.len() + value.len() + 64);
    s.push_str(name);
    s.push('=');
    s.push_str(value);
    s.push_str("; Path=/; SameSite=Lax");
    if let Some(age) = max_age_s {
        s.push_str("; Max-Age=");
        push_radix(&mut s, age, 10);
    }
    if let Some(d) = domain {
        s.push_str("; Domain=");
        s.push_str(d);
    }
    if secure {
        s.push_str("; Secure");
    }
    s
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

fn parse_base36(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            _ => return None,
        };
        Some(acc * 36 + u64::from(d))
    })
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn is_category_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn uuid_from_hex(hex: &str) -> Option<String> {
    if hex.len() != 32 || !hex.bytes().all(is_hex) {
        return None;
    }
    let mut s = String::with_capacity(36);
    for (i, c) in hex.chars().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            s.push('-');
        }
        s.push(c);
    }
    Some(s)
}

#[cfg(test)]
#[path = "cookie_tests.rs"]
mod tests;
