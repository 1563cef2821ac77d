//! Checks an event decoded by serde against per-field limits and the site's
//! configuration. Each failure names the field. The client's clock is never a
//! reason to refuse: the server's time is the authority, the client's is kept as
//! information (millions of devices have wrong clocks).

use crate::config::check::{is_ident, is_lang};
use crate::config::SiteConfig;
use crate::event::{Action, Event};

pub use crate::path::MAX_PATH;
pub const MAX_CATEGORIES: usize = 64;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("`{0}` must be a lowercase UUIDv7 like 0192f3a4-5b6c-7d8e-9f01-23456789abcd")]
    NotUuidV7(&'static str),
    #[error("`consent_id` is required for action `{0}`")]
    MissingConsentId(&'static str),
    #[error("`consent_id` must be absent on `banner_shown` (impressions carry no visitor id)")]
    UnexpectedConsentId,
    #[error("`categories`: unknown category or service `{0}` for this site")]
    UnknownCategory(String),
    #[error("`categories`: `{0}` is listed twice")]
    DuplicateCategory(String),
    #[error("`categories`: at most 64 entries")]
    TooManyCategories,
    #[error("`categories`: required category `{0}` is missing")]
    MissingRequired(String),
    #[error("`categories`: `accept_all` must list every category")]
    AcceptAllIncomplete,
    #[error("`categories`: `reject_all` may list only required categories")]
    RejectAllTooMany,
    #[error("`categories` must be empty on `banner_shown`")]
    CategoriesOnImpression,
    #[error("`banner` must be a SHA-256 in lowercase hex (64 characters)")]
    Banner,
    #[error("`banner` (the banner version) is required for decisions")]
    MissingBanner,
    #[error("`revision` must be 1-64 lowercase hex characters")]
    Revision,
    #[error("`lang` must be a language code like \"nl\" or \"en-GB\"")]
    Lang,
    #[error("`path` must start with '/', hold no query string, fragment or control characters, and be at most 512 bytes")]
    Path,
    #[error("`site` must be 1-64 characters a-z, 0-9, '-' or '_'")]
    SiteId,
    #[error("`{0}` is only sent with a decision on a site with `[tcf]`")]
    UnexpectedTcf(&'static str),
    #[error("`tc_string`: not a TC string ({0})")]
    TcString(String),
    #[error("`variant` must be one of the site's [[variants]] ids, on an impression or a decision")]
    Variant,
    #[error("`addtl_consent` must be an Additional Consent string like 2~1.35~dv.9 (at most 4096 characters)")]
    AddtlConsent,
}

/// The longest TC or AC string accepted (a string for every vendor of the
/// list is under 2 KB; the events request itself is at most 8 KiB).
pub const MAX_TCF_STRING: usize = 4096;

/// Validates one event for `site` (already looked up by `event.site`).
pub fn validate(event: &Event, site: &SiteConfig) -> Result<(), Invalid> {
    if !is_ident(&event.site, 64) {
        return Err(Invalid::SiteId);
    }
    if !is_uuid_v7(&event.id) {
        return Err(Invalid::NotUuidV7("id"));
    }
    match (&event.consent_id, event.action.is_decision()) {
        (Some(id), true) if !is_uuid_v7(id) => return Err(Invalid::NotUuidV7("consent_id")),
        (None, true) => return Err(Invalid::MissingConsentId(event.action.as_str())),
        (Some(_), false) => return Err(Invalid::UnexpectedConsentId),
        _ => {}
    }
    validate_categories(event, site)?;
    let rev = &event.revision;
    if rev.is_empty() || rev.len() > 64 || !rev.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(Invalid::Revision);
    }
    match &event.banner {
        Some(b) if b.len() != 64 || !b.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) => return Err(Invalid::Banner),
        None if event.action.is_decision() => return Err(Invalid::MissingBanner),
        _ => {}
    }
    if !is_lang(&event.lang) {
        return Err(Invalid::Lang);
    }
    // The server normalises the path before it validates (`path::normalise`).
    if !crate::path::is_normal(&event.path) {
        return Err(Invalid::Path);
    }
    if let Some(v) = &event.variant {
        if !site.variants.iter().any(|x| x.id == *v) || !matches!(event.action, Action::BannerShown | Action::AcceptAll | Action::RejectAll | Action::Custom) {
            return Err(Invalid::Variant);
        }
    }
    validate_tcf(event, site)
}

/// The TCF strings: only on a `[tcf]` site's decisions; the TC string must
/// decode, the AC string must be `2~<ids>~dv.<ids>`.
fn validate_tcf(event: &Event, site: &SiteConfig) -> Result<(), Invalid> {
    let tcf_site = site.tcf.as_ref().is_some_and(|t| t.enabled) && event.action.is_decision();
    for (field, value) in [("tc_string", &event.tc_string), ("addtl_consent", &event.addtl_consent)] {
        if value.is_some() && !tcf_site {
            return Err(Invalid::UnexpectedTcf(field));
        }
    }
    if let Some(tc) = &event.tc_string {
        if tc.len() > MAX_TCF_STRING {
            return Err(Invalid::TcString("longer than 4096 characters".into()));
        }
        consent_tcf::TcString::decode(tc).map_err(|e| Invalid::TcString(e.to_string()))?;
    }
    if let Some(ac) = &event.addtl_consent {
        let ids = |s: &str| s.split('.').all(|id| !id.is_empty() && id.len() <= 10 && id.bytes().all(|b| b.is_ascii_digit()));
        let well_formed = match ac.strip_prefix("2~").and_then(|rest| rest.split_once("~dv.")) {
            Some((consented, disclosed)) => (consented.is_empty() || ids(consented)) && (disclosed.is_empty() || ids(disclosed)),
            None => false,
        };
        if ac.len() > MAX_TCF_STRING || !well_formed {
            return Err(Invalid::AddtlConsent);
        }
    }
    Ok(())
}

fn validate_categories(event: &Event, site: &SiteConfig) -> Result<(), Invalid> {
    let cats = &event.categories;
    if cats.len() > MAX_CATEGORIES {
        return Err(Invalid::TooManyCategories);
    }
    for (i, c) in cats.iter().enumerate() {
        if site.category_of(c).is_none() {
            return Err(Invalid::UnknownCategory(c.clone()));
        }
        if cats[..i].contains(c) {
            return Err(Invalid::DuplicateCategory(c.clone()));
        }
    }
    if !event.action.is_decision() {
        return if cats.is_empty() { Ok(()) } else { Err(Invalid::CategoriesOnImpression) };
    }
    if let Some(missing) = site.required_ids().find(|r| !cats.iter().any(|c| c == r)) {
        return Err(Invalid::MissingRequired(missing.to_owned()));
    }
    match event.action {
        Action::AcceptAll if cats.len() != site.categories.len() || site.categories.iter().any(|k| !cats.contains(&k.id)) => Err(Invalid::AcceptAllIncomplete),
        Action::RejectAll if cats.iter().any(|c| site.category_of(c).is_some_and(|k| !k.required)) => Err(Invalid::RejectAllTooMany),
        _ => Ok(()),
    }
}

/// Canonical lowercase UUID text whose version nibble is 7 and variant is RFC 4122.
pub fn is_uuid_v7(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
        && b[14] == b'7'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}
