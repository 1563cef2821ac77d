//! A site's widget bundle: everything `pkg-config/` makes for one site, in
//! memory, for whoever serves it (the server, for every configured site) or
//! writes it out (`cargo xtask build`, for the demo):
//!
//! - the widget's config, split in two: `config.json`, what the first layer needs
//!   for the first decision (baked into the loader), and `details.json`, the rest
//!   ([`widget_config`]);
//! - per language, the policy as the viewer's JSON and as a plain page, with the
//!   cookie table made from the site's services ([`policy`], [`policy_doc`],
//!   [`policy_page`]);
//! - the loader with `config.json` and the first layer baked in ([`loader`]).
//!
//! Where each file is served is the caller's choice ([`Naming`]): the URLs are
//! written into `details.json`.

pub mod audience;
mod consent_mode;
pub mod encoded;
pub mod loader;
pub mod policy;
pub mod policy_doc;
pub mod policy_page;
pub mod variant;
pub mod versions;
pub mod widget_config;

use std::collections::BTreeMap;
use std::path::Path;

use consent_wire::config::{ConfigError, SiteConfig};

pub use widget_config::WidgetConfig;

/// Why a site's bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("site {site}: the policy has no section {section} for the cookie table (`cookie_section`)")]
    NoCookieSection { site: String, section: String },
    #[error("site {site}: no texts for language {lang}")]
    NoTexts { site: String, lang: String },
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the loader template must hold `{0}` exactly once (built by `cargo xtask build`)")]
    Template(&'static str),
    #[error("the config holds a key \"__proto__\", which is not allowed")]
    ProtoKey,
}

/// Where the files of a bundle are served, as the widget will fetch or link them.
pub trait Naming {
    /// The URL of the viewer's policy document in `lang`, whose content is `json`.
    fn policy_doc(&self, lang: &str, json: &str) -> String;
    /// The URL of the plain policy page in `lang` (`default`: the site's default
    /// language), whose content is `html`.
    fn policy_page(&self, lang: &str, default: bool, html: &str) -> String;
    /// What the plain policy pages link in their head.
    fn page_head(&self) -> policy_page::PageHead;
    /// The name of `details.json` (whose content is `json`), relative to the loader.
    fn details(&self, json: &str) -> String;
    /// Where the full widget's code is (`widget.js`, `consent_widget_bg.wasm`),
    /// relative to the loader; `None`: `pkg/` beside it.
    fn code(&self) -> Option<String>;
    /// The URL of a `[tcf]` site's Global Vendor List in `lang` (the server makes them).
    fn vendor_list(&self, _lang: &str) -> Option<String> {
        None
    }
}

/// The demo's layout: the files written into `www/` and served as they are
/// (`www/consent/` beside the loader, the plain pages at the root).
pub struct WwwLayout;

impl Naming for WwwLayout {
    fn policy_doc(&self, lang: &str, _: &str) -> String {
        format!("/consent/policy.{lang}.json")
    }
    fn policy_page(&self, lang: &str, default: bool, _: &str) -> String {
        if default {
            "/privacy.html".into()
        } else {
            format!("/privacy.{lang}.html")
        }
    }
    fn page_head(&self) -> policy_page::PageHead {
        policy_page::PageHead { loader: "/consent/consent.js".into(), stylesheet: Some("/site.css".into()) }
    }
    fn details(&self, _: &str) -> String {
        "details.json".into()
    }
    fn code(&self) -> Option<String> {
        None
    }
}

/// How the server lays out each site's files (its `bundles` module documents the
/// URLs): hashed names for what never changes, the loader at a fixed URL.
pub struct ServedLayout<'a> {
    pub site: &'a str,
    /// [`short_hash`] of the full widget's script and Wasm, naming their folder.
    pub code: &'a str,
    /// A `[tcf]` site's vendor list URL by language (empty for other sites).
    pub vendor_lists: &'a BTreeMap<String, String>,
}

impl Naming for ServedLayout<'_> {
    fn policy_doc(&self, lang: &str, json: &str) -> String {
        format!("/s/{}/policy.{lang}.{}.json", self.site, short_hash(json.as_bytes()))
    }
    fn policy_page(&self, lang: &str, _: bool, _: &str) -> String {
        format!("/s/{}/privacy.{lang}.html", self.site)
    }
    fn page_head(&self) -> policy_page::PageHead {
        policy_page::PageHead { loader: format!("/s/{}/consent.js", self.site), stylesheet: None }
    }
    fn details(&self, json: &str) -> String {
        format!("details.{}.json", short_hash(json.as_bytes()))
    }
    fn code(&self) -> Option<String> {
        Some(format!("/c/{}/", self.code))
    }
    fn vendor_list(&self, lang: &str) -> Option<String> {
        self.vendor_lists.get(lang).cloned()
    }
}

/// The first 12 hex digits of the SHA-256 of `bytes`: enough to tell versions apart.
pub fn short_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// One policy language: the viewer's JSON and the plain page, and their URLs.
pub struct PolicyFiles {
    pub doc: String,
    pub doc_url: String,
    pub page: String,
    pub page_url: String,
}

/// Everything one site serves besides the widget's own code.
pub struct SiteBundle {
    pub site: SiteConfig,
    pub config: WidgetConfig,
    /// Per language.
    pub policy: BTreeMap<String, PolicyFiles>,
}

impl SiteBundle {
    /// Makes `site`'s bundle from the rest of `pkg_config` (texts, policy sources).
    pub fn build(pkg_config: &Path, site: SiteConfig, naming: &dyn Naming) -> Result<SiteBundle, BundleError> {
        let texts = site.texts(pkg_config)?;
        let policy = policy::build(pkg_config, &site, &texts, naming)?;
        let config = widget_config::build(pkg_config, &site, &texts, &policy, naming)?;
        Ok(SiteBundle { site, config, policy })
    }
}
