//! Validating a site's config at load: each rule names the file and the field.

use std::path::Path;

use super::{ConfigError, Result, SiteConfig, CONSENT_SIGNALS, TEXT_KEYS};

/// A rule broken: the field and what it should be.
pub(super) type Checked = std::result::Result<(), (String, String)>;

impl SiteConfig {
    pub(super) fn validate(&self, path: &Path) -> Result<()> {
        let checked = self.check_site().and_then(|()| self.check_cookie()).and_then(|()| self.check_categories()).and_then(|()| self.check_texts());
        let checked = checked.and_then(|()| self.regions.as_ref().map_or(Ok(()), |r| r.check()));
        let checked = checked.and_then(|()| self.check_variants());
        let checked = checked.and_then(|()| self.tcf.as_ref().map_or(Ok(()), |tcf| tcf.check(&self.categories)));
        let tcf_on = self.tcf.as_ref().is_some_and(|t| t.enabled);
        let checked = checked.and_then(|()| self.gpp.as_ref().map_or(Ok(()), |gpp| gpp.check(&self.categories, tcf_on)));
        checked.map_err(|(field, message)| ConfigError::Invalid { path: path.to_owned(), field, message })
    }

    /// The site as a whole: id, tokens, origins, languages, URLs.
    fn check_site(&self) -> Checked {
        let bad = |field: &str, message: &str| Err((field.to_owned(), message.to_owned()));
        if !is_ident(&self.id, 64) {
            return bad("id", "use 1-64 characters a-z, 0-9, '-' or '_'");
        }
        for (i, h) in self.dashboard_tokens_sha256.iter().enumerate() {
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return bad(&format!("dashboard_tokens_sha256[{i}]"), "the SHA-256 of a token as 64 lowercase hex digits (printf %s TOKEN | sha256sum)");
            }
        }
        if self.origins.is_empty() {
            return bad("origins", "list at least one origin, like \"https://www.example.com\"");
        }
        for (i, o) in self.origins.iter().enumerate() {
            let ok = (o.starts_with("https://") || o.starts_with("http://")) && !o.ends_with('/') && !o.contains(' ');
            if !ok {
                return bad(&format!("origins[{i}]"), "an origin is scheme://host[:port], without a trailing slash");
            }
        }
        if self.languages.is_empty() || self.languages.iter().any(|l| !is_lang(l)) {
            return bad("languages", "list language codes like \"nl\" or \"en\"");
        }
        if !self.languages.contains(&self.default_language) {
            return bad("default_language", "must be one of `languages`");
        }
        if !crate::link::is_safe_page_url(&self.policy_url) {
            return bad("policy_url", "use a path starting with '/' or an http(s) URL");
        }
        if !self.endpoint.starts_with('/') && !self.endpoint.starts_with("https://") {
            return bad("endpoint", "use a path starting with '/' or an https URL");
        }
        Ok(())
    }

    /// Each variant's fields, and their ids unique. (The fairness guard runs
    /// where the texts are known: `variants::guard`.)
    fn check_variants(&self) -> Checked {
        for (i, v) in self.variants.iter().enumerate() {
            let field = format!("variants[{i}]");
            v.check(&field, &self.languages)?;
            if self.variants[..i].iter().any(|w| w.id == v.id) {
                return Err((format!("{field}.id"), "each variant's id once".into()));
            }
        }
        Ok(())
    }

    /// The consent cookie's name, lifetime and domain.
    fn check_cookie(&self) -> Checked {
        let bad = |field: &str, message: &str| Err((field.to_owned(), message.to_owned()));
        let c = &self.cookie;
        if c.name.is_empty() || c.name.len() > 64 || !c.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return bad("cookie.name", "use 1-64 characters a-z, A-Z, 0-9, '-' or '_'");
        }
        if c.max_age_days == 0 || c.max_age_days > 396 {
            return bad("cookie.max_age_days", "must be 1-396 days (regulators expect at most 13 months)");
        }
        if let Some(d) = &c.domain {
            if d.is_empty() || !d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
                return bad("cookie.domain", "must be a host name like \"example.com\"");
            }
        }
        Ok(())
    }

    /// The categories: ids, texts in every language, signals, cookie names, one required.
    fn check_categories(&self) -> Checked {
        let bad = |field: &str, message: &str| Err((field.to_owned(), message.to_owned()));
        if self.categories.is_empty() || self.categories.len() > 16 {
            return bad("categories", "list 1-16 categories");
        }
        for (i, cat) in self.categories.iter().enumerate() {
            let field = |f: &str| format!("categories[{i}].{f}");
            if !is_ident(&cat.id, 32) {
                return bad(&field("id"), "use 1-32 characters a-z, 0-9, '-' or '_'");
            }
            if self.categories[..i].iter().any(|o| o.id == cat.id) {
                return bad(&field("id"), "duplicate category id");
            }
            for lang in &self.languages {
                if !cat.title.contains_key(lang) {
                    return bad(&field("title"), &format!("missing language \"{lang}\""));
                }
                if !cat.description.contains_key(lang) {
                    return bad(&field("description"), &format!("missing language \"{lang}\""));
                }
            }
            known_signals(&cat.consent_mode, &field("consent_mode"))?;
            check_services(cat, &field)?;
        }
        if !self.categories.iter().any(|c| c.required) {
            return bad("categories", "one category must be `required = true` (strictly necessary cookies)");
        }
        Ok(())
    }

    /// Policy translations, the cookie section and text overrides: known languages and keys.
    fn check_texts(&self) -> Checked {
        let bad = |field: &str, message: &str| Err((field.to_owned(), message.to_owned()));
        for lang in self.policy_translations.keys() {
            if !self.languages.contains(lang) || *lang == self.default_language {
                return bad(&format!("policy_translations.{lang}"), "a language in `languages` other than `default_language`");
            }
        }
        if let Some(n) = &self.cookie_section {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return bad("cookie_section", "a section number like \"1.7\"");
            }
        }
        for (lang, texts) in &self.texts {
            if !self.languages.contains(lang) {
                return bad(&format!("texts.{lang}"), "language not in `languages`");
            }
            if let Some(k) = texts.keys().find(|k| !TEXT_KEYS.contains(&k.as_str())) {
                return bad(&format!("texts.{lang}.{k}"), "unknown text key");
            }
        }
        Ok(())
    }
}

/// Every one of `signals` is a Consent Mode signal; `field` names the list.
fn known_signals(signals: &[String], field: &str) -> Checked {
    match signals.iter().find(|s| !CONSENT_SIGNALS.contains(&s.as_str())) {
        Some(sig) => Err((field.to_owned(), format!("unknown signal \"{sig}\"; use one of {}", CONSENT_SIGNALS.join(", ")))),
        None => Ok(()),
    }
}

/// A category's services: ids (unique in the category), signals, cookies.
fn check_services(cat: &super::Category, field: &dyn Fn(&str) -> String) -> Checked {
    let bad = |field: String, message: &str| Err((field, message.to_owned()));
    for (j, s) in cat.services.iter().enumerate() {
        let id = s.id();
        if !is_ident(&id, 32) {
            let why = if s.id.is_some() { "use 1-32 characters a-z, 0-9, '-' or '_'" } else { "the name makes no id of 1-32 characters a-z, 0-9, '-': give one" };
            return bad(field(&format!("services[{j}].id")), why);
        }
        if cat.services[..j].iter().any(|o| o.id() == id) {
            return bad(field(&format!("services[{j}].id")), &format!("duplicate service id \"{id}\" in this category"));
        }
        known_signals(&s.consent_mode, &field(&format!("services[{j}].consent_mode")))?;
        for (k, ck) in s.cookies.iter().enumerate() {
            let star = ck.name.find('*');
            if ck.name.is_empty() || star.is_some_and(|p| p + 1 != ck.name.len()) {
                return bad(field(&format!("services[{j}].cookies[{k}].name")), "a cookie name, or a prefix ending in a single '*'");
            }
            if ck.max_age_days.is_some_and(|d| d > 400) {
                return bad(field(&format!("services[{j}].cookies[{k}].max_age_days")), "at most 400 days (browsers cut cookies at 400 days); 0 for a session cookie");
            }
        }
    }
    Ok(())
}

pub(crate) fn is_ident(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub(crate) fn is_lang(s: &str) -> bool {
    (2..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
}
