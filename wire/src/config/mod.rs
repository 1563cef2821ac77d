//! The site configuration schema (`pkg-config/sites/*.toml`), validated at load
//! with messages that name the bad field, and the policy revision derived from it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub(crate) mod check;
pub mod gpp;
pub mod regions;
mod revision;
pub mod tcf;
pub mod tcf_notice;
pub mod variants;

/// Every text key the widget shows. A language is complete when it has all of them.
pub const TEXT_KEYS: &[&str] = &[
    "title",
    "description",
    "accept_all",
    "reject_all",
    "preferences",
    "save",
    "policy_link",
    "preferences_title",
    "always_on",
    "policy_close",
    "policy_search",
    "policy_contents",
    "policy_print",
    "policy_open_page",
    "policy_copy_link",
    "policy_next",
    "policy_previous",
    "policy_no_match",
    "policy_translation_note",
    "policy_original_only",
    "cookie_name",
    "cookie_provider",
    "cookie_purpose",
    "cookie_duration",
    "cookie_category",
    "settings",
    "gpc_note",
    "load_content",
    "consent_id",
    "consent_record",
    "services",
    "notice_title",
    "notice_description",
    "notice_ok",
    "do_not_sell",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: field `{field}`: {message}")]
    Invalid { path: PathBuf, field: String, message: String },
    #[error("site {site}: banner variant `{variant}` is unfair ({rule}): {detail}; refusing must be as easy as accepting")]
    Unfair { site: String, variant: String, rule: &'static str, detail: String },
}

/// Google Consent Mode v2 signals a category can grant.
pub use crate::consent_mode::SIGNALS as CONSENT_SIGNALS;

pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Site id, as events carry it.
    pub id: String,
    pub name: String,
    /// Origins allowed to post events; `http://127.0.0.1:*` allows any port.
    pub origins: Vec<String>,
    /// Language used when neither the page nor the browser asks for a supported one.
    pub default_language: String,
    pub languages: Vec<String>,
    /// Policy source in `default_language`, relative to the `pkg-config` folder.
    pub policy: String,
    /// Translations of the policy by language, relative to `pkg-config`.
    #[serde(default)]
    pub policy_translations: BTreeMap<String, String>,
    /// The policy section (like "1.7") after which the cookie table is shown.
    #[serde(default)]
    pub cookie_section: Option<String>,
    /// Where the banner's policy link points.
    pub policy_url: String,
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    pub cookie: CookieConfig,
    /// Google Consent Mode v2: push `consent default/update` into `dataLayer`.
    #[serde(default)]
    pub consent_mode: Option<ConsentMode>,
    /// Where the banner sits: `bar` (bottom), `box` (bottom corner) or `modal` (centred).
    #[serde(default)]
    pub layout: Layout,
    /// Colour scheme: `auto` follows `prefers-color-scheme`.
    #[serde(default)]
    pub theme: Theme,
    /// Honour the browser's Global Privacy Control signal for categories marked `gpc`.
    #[serde(default = "yes")]
    pub honor_gpc: bool,
    /// Run inert scripts (`type="text/plain" data-category`) that are added to the
    /// page after the widget started even without the page's nonce. Off by default:
    /// markup a visitor controls (a comment inserted with `innerHTML`) could
    /// otherwise run as a gated script.
    #[serde(default)]
    pub trust_late_scripts: bool,
    pub categories: Vec<Category>,
    /// Per-language overrides of the built-in texts.
    #[serde(default)]
    pub texts: BTreeMap<String, BTreeMap<String, String>>,
    /// IAB TCF v2.3 (`[tcf]`): off unless present and `enabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<tcf::TcfConfig>,
    /// A/B variants of the first layer (`[[variants]]`), each checked by the fairness guard.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<variants::Variant>,
    /// Region rules (`[regions]`): without them, every visitor gets the banner (opt-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<regions::Regions>,
    /// IAB GPP (`[gpp]`): off unless present and `enabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpp: Option<gpp::GppConfig>,
    /// SHA-256 (hex) of each read-only dashboard token for this site: the token
    /// itself is never written in the config (`printf %s TOKEN | sha256sum`).
    #[serde(default)]
    pub dashboard_tokens_sha256: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Bar,
    Box,
    Modal,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentMode {
    /// ISO 3166-2 regions the default applies to; empty means everywhere.
    #[serde(default)]
    pub region: Vec<String>,
    /// `gtag('set', 'ads_data_redaction', …)`: redact ad click ids while `ad_storage` is denied.
    #[serde(default)]
    pub ads_data_redaction: Option<bool>,
    /// `gtag('set', 'url_passthrough', …)`: pass ad click ids in links while storage is denied.
    #[serde(default)]
    pub url_passthrough: Option<bool>,
}

fn default_endpoint() -> String {
    "/api/v1/events".into()
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CookieConfig {
    #[serde(default = "default_cookie_name")]
    pub name: String,
    /// How long a decision stays valid, in days; also the cookie's Max-Age unless `session`.
    pub max_age_days: u32,
    /// Session-scoped cookie: no Max-Age, gone when the browser session ends.
    #[serde(default)]
    pub session: bool,
    /// Cookie `Domain`, to share consent across subdomains.
    #[serde(default)]
    pub domain: Option<String>,
}

fn default_cookie_name() -> String {
    "cc_consent".into()
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    #[serde(default)]
    pub required: bool,
    /// Title and description per language.
    pub title: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    /// Sale/share/advertising: starts rejected when the browser sends Global Privacy Control.
    #[serde(default)]
    pub gpc: bool,
    /// Consent Mode signals granted when this category is accepted.
    #[serde(default)]
    pub consent_mode: Vec<String>,
    #[serde(default)]
    pub services: Vec<Service>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// How choices, `data-service` and the JS API name it (`analytics/<id>`):
    /// 1-32 characters a-z, 0-9, '-' or '_', unique in its category. Optional:
    /// the name, lowercased, with other characters as '-'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    pub provider: String,
    /// Consent Mode signals granted when this service is accepted (its
    /// category's are granted when the whole category is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent_mode: Vec<String>,
    #[serde(default)]
    pub cookies: Vec<CookieDecl>,
}

impl Service {
    /// Its id: the configured one, else made from the name.
    pub fn id(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => {
                let slug: String = self.name.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
                slug.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
            }
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CookieDecl {
    /// Exact name, or a prefix pattern ending in `*` such as `_ga*`.
    pub name: String,
    pub purpose: BTreeMap<String, String>,
    pub duration: BTreeMap<String, String>,
    /// The longest it may live, in days (`0`: until the browser closes); the
    /// cookie scanner reports one that outlives it. Optional: `duration` is
    /// the text visitors read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
}

/// The built-in texts of one language (`pkg-config/i18n/<lang>.toml`).
pub type Texts = BTreeMap<String, String>;

impl SiteConfig {
    /// Reads and validates one site file.
    pub fn load(path: &Path) -> Result<SiteConfig> {
        SiteConfig::parse(&read(path)?, path)
    }

    /// Parses and validates site-file text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<SiteConfig> {
        let site: SiteConfig = toml::from_str(text).map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })?;
        site.validate(path)?;
        Ok(site)
    }

    /// Reads every `*.toml` in `pkg-config/sites`, sorted by file name.
    pub fn load_dir(dir: &Path) -> Result<Vec<SiteConfig>> {
        let entries = std::fs::read_dir(dir).map_err(|source| ConfigError::Read { path: dir.to_owned(), source })?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
        paths.sort();
        paths.iter().map(|p| SiteConfig::load(p)).collect()
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The category a choice entry (`analytics` or `analytics/<service>`)
    /// names, if this site has it (and that service in it).
    pub fn category_of(&self, entry: &str) -> Option<&Category> {
        match crate::choice::Entry::parse(entry) {
            crate::choice::Entry::Category(c) => self.category(c),
            crate::choice::Entry::Service(c, s) => self.category(c).filter(|cat| cat.services.iter().any(|svc| svc.id() == s)),
        }
    }

    /// Built-in texts per language (`pkg-config/i18n`) with this site's
    /// overrides applied; a `[tcf]` site's description ends with the TCF
    /// notice (`tcf_notice`).
    pub fn texts(&self, pkg_config: &Path) -> Result<BTreeMap<String, Texts>> {
        let mut out = BTreeMap::new();
        // The vendor list is read once, whatever the number of languages.
        let notice = self.tcf.as_ref().filter(|t| t.enabled).and_then(|tcf| tcf_notice::Notice::load(pkg_config, tcf));
        for lang in &self.languages {
            let mut t = load_texts(&pkg_config.join("i18n").join(format!("{lang}.toml")))?;
            if let Some(overrides) = self.texts.get(lang) {
                t.extend(overrides.clone());
            }
            if let (Some(notice), Some(description)) = (&notice, t.get_mut("description")) {
                *description = format!("{description} {}", notice.text(lang, &tcf::texts(pkg_config, lang)?));
            }
            out.insert(lang.clone(), t);
        }
        variants::guard(self, &out)?;
        Ok(out)
    }

    /// The policy sources: `(language, text, is_translation)`, the original first.
    pub fn policy_sources(&self, pkg_config: &Path) -> Result<Vec<(String, String, bool)>> {
        let mut out = vec![(self.default_language.clone(), read(&pkg_config.join(&self.policy))?, false)];
        for (lang, rel) in &self.policy_translations {
            out.push((lang.clone(), read(&pkg_config.join(rel))?, true));
        }
        Ok(out)
    }

    /// The current revision, from the policy sources in `pkg_config` (and, for a
    /// `[tcf]` site, the TCF policy version of its Global Vendor List there).
    pub fn current_revision(&self, pkg_config: &Path) -> Result<String> {
        let sources = self.policy_sources(pkg_config)?;
        let sources: Vec<&str> = sources.iter().map(|s| s.1.as_str()).collect();
        // A list that cannot be read is reported by the server's list loading, naming the site.
        let tcf = self.tcf.as_ref().filter(|t| t.enabled).map(|t| (t.vendors.as_slice(), crate::config::tcf::policy_version(pkg_config).ok()));
        Ok(self.revision_with(&sources, tcf))
    }

    /// Ids of the categories that cannot be refused.
    pub fn required_ids(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().filter(|c| c.required).map(|c| c.id.as_str())
    }

    /// Does this site accept events sent from `origin`?
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|allowed| match allowed.strip_suffix(":*") {
            Some(host) => origin.strip_prefix(host).and_then(|rest| rest.strip_prefix(':')).is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())),
            None => allowed == origin,
        })
    }
}

/// Loads the built-in texts of one language and checks that every key is there.
pub fn load_texts(path: &Path) -> Result<Texts> {
    read_texts(path, TEXT_KEYS)
}

/// A texts file that holds exactly `keys`.
pub(crate) fn read_texts(path: &Path, keys: &[&str]) -> Result<Texts> {
    let raw = read(path)?;
    let texts: Texts = toml::from_str(&raw).map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })?;
    for key in keys {
        if !texts.contains_key(*key) {
            return Err(ConfigError::Invalid { path: path.to_owned(), field: (*key).to_owned(), message: "missing text".into() });
        }
    }
    if let Some(k) = texts.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(ConfigError::Invalid { path: path.to_owned(), field: k.clone(), message: "unknown text key".into() });
    }
    Ok(texts)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })
}

/// Is `s` a valid site id (also a file name: `sites/<id>.toml`)?
pub fn is_site_id(s: &str) -> bool {
    check::is_ident(s, 64)
}
