//! The consent cookie: a compact, versioned value and its reading and writing.
//!
//! Value: `1.<id>.<cats>.<rev>.<decided>.<expires>.<check>` where `id` is the consent
//! UUID as 32 hex digits, `cats` the accepted entries joined by `+` (a category id,
//! or `category/service` for a category accepted in part: `consent_wire::choice`), times are
//! Unix seconds in base 36 and `check` is an FNV-1a hash of the rest (base 36), so an
//! edited or truncated value reads as "no consent" rather than as a different choice.
//!
//! Reading borrows from the cookie header and writing goes to any [`Sink`], so the
//! first layer needs no heap for either; the full widget uses the owned [`Consent`].

use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::digits::radix_digits;

use crate::sink::Sink;

pub const VERSION: &str = "1";
/// Accepted clock skew between a decision stored in the cookie and the page's clock.
const FUTURE_SKEW_S: u64 = 24 * 3600;

/// A stored decision, borrowed from the cookie value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored<'a> {
    /// 32 hex digits.
    pub id_hex: &'a str,
    /// Accepted category ids joined by `+` (possibly empty).
    pub categories: &'a str,
    pub revision: &'a str,
    pub decided_s: u64,
    pub expires_s: u64,
}

/// A stored decision, owned.
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

impl<'a> Stored<'a> {
    pub fn parse(value: &'a str) -> Result<Stored<'a>, Rejected> {
        let dot = value.bytes().rposition(|b| b == b'.').ok_or(Rejected::Malformed)?;
        let (body, check) = (value.get(..dot).ok_or(Rejected::Malformed)?, value.get(dot + 1..).ok_or(Rejected::Malformed)?);
        if parse_base36(check) != Some(u64::from(fnv1a(FNV_START, body.as_bytes()))) {
            return Err(Rejected::Tampered);
        }
        let mut rest = Some(body);
        let mut next = || {
            let (field, after) = cut(rest.ok_or(Rejected::Malformed)?, b'.');
            rest = after;
            Ok(field)
        };
        if next()? != VERSION {
            return Err(Rejected::UnknownVersion);
        }
        let id_hex = next()?;
        let categories = next()?;
        let revision = next()?;
        let decided_s = parse_base36(next()?).ok_or(Rejected::Malformed)?;
        let expires_s = parse_base36(next()?).ok_or(Rejected::Malformed)?;
        let cats_ok = categories.is_empty() || split(categories, b'+').all(is_category_id);
        let revision_ok = !revision.is_empty() && revision.len() <= 64 && revision.bytes().all(is_hex);
        let id_ok = id_hex.len() == 32 && id_hex.bytes().all(is_hex);
        if rest.is_some() || expires_s < decided_s || !cats_ok || !revision_ok || !id_ok {
            return Err(Rejected::Malformed);
        }
        Ok(Stored { id_hex, categories, revision, decided_s, expires_s })
    }

    /// Is this decision still the visitor's answer to the current policy?
    pub fn is_current(&self, now_s: u64, revision: &str) -> bool {
        is_current(self.revision, self.decided_s, self.expires_s, now_s, revision)
    }
}

impl Consent {
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(96);
        write_value(&mut s, &self.id, self.categories.iter().map(String::as_str), &self.revision, self.decided_s, self.expires_s);
        s
    }

    pub fn decode(value: &str) -> Result<Consent, Rejected> {
        let s = Stored::parse(value)?;
        let mut id = String::with_capacity(36);
        for (i, c) in s.id_hex.chars().enumerate() {
            if matches!(i, 8 | 12 | 16 | 20) {
                id.push('-');
            }
            id.push(c);
        }
        let categories = if s.categories.is_empty() { Vec::new() } else { split(s.categories, b'+').map(String::from).collect() };
        Ok(Consent { id, categories, revision: s.revision.into(), decided_s: s.decided_s, expires_s: s.expires_s })
    }

    /// Is this decision still the visitor's answer to the current policy?
    pub fn is_current(&self, now_s: u64, revision: &str) -> bool {
        is_current(&self.revision, self.decided_s, self.expires_s, now_s, revision)
    }

    pub fn accepts(&self, category: &str) -> bool {
        self.categories.iter().any(|c| c == category)
    }
}

/// Same policy revision, not expired, not decided in the future (beyond clock skew).
fn is_current(stored_revision: &str, decided_s: u64, expires_s: u64, now_s: u64, revision: &str) -> bool {
    stored_revision == revision && now_s < expires_s && decided_s <= now_s + FUTURE_SKEW_S
}

/// Writes a cookie value. `id`: the consent UUID, with or without dashes.
pub fn write_value<'c>(out: &mut impl Sink, id: &str, categories: impl Iterator<Item = &'c str>, revision: &str, decided_s: u64, expires_s: u64) {
    let mut body = Checked(out, FNV_START);
    body.push_str(VERSION);
    body.push_str(".");
    for part in split(id, b'-') {
        body.push_str(part);
    }
    body.push_str(".");
    for (i, c) in categories.enumerate() {
        if i > 0 {
            body.push_str("+");
        }
        body.push_str(c);
    }
    body.push_str(".");
    body.push_str(revision);
    body.push_str(".");
    push_radix(&mut body, decided_s, 36);
    body.push_str(".");
    push_radix(&mut body, expires_s, 36);
    let Checked(out, check) = body;
    out.push_str(".");
    push_radix(out, u64::from(check), 36);
}

/// Passes text on and hashes it on the way.
struct Checked<'s, S>(&'s mut S, u32);

impl<S: Sink> Sink for Checked<'_, S> {
    fn push_str(&mut self, s: &str) {
        self.1 = fnv1a(self.1, s.as_bytes());
        self.0.push_str(s);
    }
}

/// Finds `name`'s value in a `document.cookie` string, byte by byte.
pub fn find<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    split(cookie_header, b';').find_map(|pair| {
        let pair = pair.get(pair.bytes().take_while(|b| *b == b' ').count()..)?;
        match cut(pair, b'=') {
            (k, Some(v)) if k == name => Some(v),
            _ => None,
        }
    })
}

/// Writes what follows `name=value` in the `document.cookie` assignment;
/// `max_age_s: None` makes the cookie session-scoped.
pub fn write_attributes(out: &mut impl Sink, max_age_s: Option<u64>, domain: Option<&str>, secure: bool) {
    out.push_str("; Path=/; SameSite=Lax");
    if let Some(age) = max_age_s {
        out.push_str("; Max-Age=");
        push_radix(out, age, 10);
    }
    if let Some(d) = domain {
        out.push_str("; Domain=");
        out.push_str(d);
    }
    if secure {
        out.push_str("; Secure");
    }
}

/// The `document.cookie` assignment that stores `value`; `max_age_s: None` makes it session-scoped.
pub fn set_cookie_string(name: &str, value: &str, max_age_s: Option<u64>, domain: Option<&str>, secure: bool) -> String {
    let mut s = String::with_capacity(name.len() + value.len() + 64);
    s.push_str(name);
    s.push('=');
    s.push_str(value);
    write_attributes(&mut s, max_age_s, domain, secure);
    s
}

/// `n` in base `radix` (2-36), lowercase.
pub fn push_radix(out: &mut impl Sink, n: u64, radix: u64) {
    out.push_str(radix_digits(n, radix, &mut [0; 64]));
}

/// The text before the first `sep` and, if there was one, after it.
fn cut(s: &str, sep: u8) -> (&str, Option<&str>) {
    match s.bytes().position(|b| b == sep) {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i + 1..)),
        None => (s, None),
    }
}

/// `s` split at every `sep` byte (an ASCII separator).
pub fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> + Clone {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let (field, after) = cut(rest?, sep);
        rest = after;
        Some(field)
    })
}

const FNV_START: u32 = 0x811c_9dc5;

fn fnv1a(start: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(start, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
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

/// A category id, or `category/service` (`consent_wire::choice`): a-z, 0-9,
/// '-', '_' and '/' (the range `'-'..='9'` also holds '.', which cannot occur
/// in a field split at dots).
fn is_category_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 65 && s.bytes().all(|b| matches!(b, b'-'..=b'9' | b'_' | b'a'..=b'z'))
}

#[cfg(test)]
#[path = "cookie_tests.rs"]
mod tests;
