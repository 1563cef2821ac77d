//! `[tcf]` in a site file: the IAB Transparency & Consent Framework v2.3 for
//! publishers that show ads in the EEA and the UK. Off unless present and
//! `enabled`; a site without it loads nothing more.

use std::collections::BTreeMap;

use consent_tcf::{CONSENT_ONLY, PURPOSES};
use serde::{Deserialize, Serialize};

use super::check::Checked;
use super::Category;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TcfConfig {
    #[serde(default)]
    pub enabled: bool,
    /// The CMP id the IAB registered for the operator (2–4095).
    pub cmp_id: u16,
    /// The operator's CMP version (0–4095); raise it when the UI changes.
    #[serde(default)]
    pub cmp_version: u16,
    /// Where the publisher is established: two letters, e.g. "NL".
    pub publisher_country: String,
    /// Global Vendor List ids of the vendors the site works with.
    #[serde(default)]
    pub vendors: Vec<u16>,
    /// Purposes the publisher itself processes on consent (Publisher TC segment).
    #[serde(default)]
    pub publisher_purposes: Vec<u8>,
    /// Purposes the publisher itself processes on legitimate interest.
    #[serde(default)]
    pub publisher_legitimate_interests: Vec<u8>,
    #[serde(default)]
    pub restrictions: Vec<RestrictionConfig>,
    /// Which TCF purposes each of the site's categories stands for: gating,
    /// Consent Mode and cookie deletion follow the TCF choice through it.
    #[serde(default)]
    pub categories: BTreeMap<String, Vec<u8>>,
    /// The first-party cookie holding the TC string.
    #[serde(default = "default_cookie")]
    pub cookie_name: String,
    /// Google's Additional Consent: ATP ids (Google's provider list) the site works with.
    #[serde(default)]
    pub google_atp: Vec<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RestrictionConfig {
    pub purpose: u8,
    pub kind: RestrictionKind,
    pub vendors: Vec<u16>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionKind {
    NotAllowed,
    RequireConsent,
    RequireLegitimateInterest,
}

impl RestrictionKind {
    /// The number the TC string and `TCData.publisher.restrictions` use.
    pub fn code(self) -> u8 {
        consent_tcf::RestrictionType::from(self).code()
    }
}

impl From<RestrictionKind> for consent_tcf::RestrictionType {
    fn from(kind: RestrictionKind) -> Self {
        match kind {
            RestrictionKind::NotAllowed => Self::NotAllowed,
            RestrictionKind::RequireConsent => Self::RequireConsent,
            RestrictionKind::RequireLegitimateInterest => Self::RequireLegitimateInterest,
        }
    }
}

fn default_cookie() -> String {
    String::from("euconsent-v2")
}

impl TcfConfig {
    /// The rules `[tcf]` must keep when enabled; each error names its field.
    pub(super) fn check(&self, categories: &[Category]) -> Checked {
        let bad = |field: &str, message: &str| Err((format!("tcf.{field}"), message.to_owned()));
        if !self.enabled {
            return Ok(());
        }
        if !(2..=4095).contains(&self.cmp_id) {
            return bad("cmp_id", "the CMP id the IAB registered for you, 2 to 4095");
        }
        if self.cmp_version > 4095 {
            return bad("cmp_version", "0 to 4095");
        }
        if self.publisher_country.len() != 2 || !self.publisher_country.bytes().all(|b| b.is_ascii_uppercase()) {
            return bad("publisher_country", "two capital letters, like \"NL\"");
        }
        if let Some(i) = self.vendors.iter().position(|&v| v == 0) {
            return bad(&format!("vendors[{i}]"), "vendor ids start at 1");
        }
        for (field, list) in [("publisher_purposes", &self.publisher_purposes), ("publisher_legitimate_interests", &self.publisher_legitimate_interests)] {
            if let Some(i) = list.iter().position(|p| !PURPOSES.contains(p)) {
                return bad(&format!("{field}[{i}]"), "a TCF purpose, 1 to 11");
            }
        }
        if let Some(i) = self.publisher_legitimate_interests.iter().position(|p| CONSENT_ONLY.contains(p)) {
            return bad(&format!("publisher_legitimate_interests[{i}]"), "purposes 1 and 3-6 need consent, never legitimate interest");
        }
        self.check_restrictions()?;
        self.check_categories(categories)?;
        if self.cookie_name.is_empty() || self.cookie_name.len() > 64 || !self.cookie_name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return bad("cookie_name", "1-64 characters a-z, A-Z, 0-9, '-' or '_'");
        }
        Ok(())
    }

    fn check_restrictions(&self) -> Checked {
        for (i, r) in self.restrictions.iter().enumerate() {
            let bad = |f: &str, message: &str| Err((format!("tcf.restrictions[{i}].{f}"), message.to_owned()));
            if !PURPOSES.contains(&r.purpose) {
                return bad("purpose", "a TCF purpose, 1 to 11");
            }
            if r.kind == RestrictionKind::RequireLegitimateInterest && CONSENT_ONLY.contains(&r.purpose) {
                return bad("kind", "purposes 1 and 3-6 cannot be required on legitimate interest");
            }
            if r.vendors.is_empty() || r.vendors.contains(&0) {
                return bad("vendors", "list the vendor ids (from 1) it applies to");
            }
            if self.restrictions[..i].iter().any(|o| o.purpose == r.purpose && o.vendors.iter().any(|v| r.vendors.contains(v))) {
                return bad("vendors", "a vendor has at most one restriction per purpose");
            }
        }
        Ok(())
    }

    fn check_categories(&self, categories: &[Category]) -> Checked {
        for (id, purposes) in &self.categories {
            let field = format!("tcf.categories.{id}");
            match categories.iter().find(|c| &c.id == id) {
                None => return Err((field, "not a category of this site".into())),
                Some(c) if c.required && !purposes.is_empty() => return Err((field, "a required category cannot stand for TCF purposes: they need a choice".into())),
                Some(_) => {}
            }
            if purposes.iter().any(|p| !PURPOSES.contains(p)) {
                return Err((field, "TCF purposes, 1 to 11".into()));
            }
        }
        Ok(())
    }
}

/// Every text key of the TCF layers (`pkg-config/i18n-tcf/<lang>.toml`); the
/// names of purposes, features, stacks and data categories come from the
/// Global Vendor List in the visitor's language.
pub const TEXT_KEYS: &[&str] = &[
    "notice",
    "notice_features",
    "notice_legitimate_interest",
    "intro",
    "purposes",
    "special_features",
    "special_purposes",
    "special_purposes_note",
    "features",
    "features_note",
    "vendors",
    "all_vendors",
    "object",
    "examples",
    "details",
    "vendor_count",
    "consent_purposes",
    "li_purposes",
    "data_categories",
    "retention",
    "days",
    "cookie_lifetime",
    "other_storage",
    "privacy_policy",
    "li_claim",
    "device_storage",
];

/// The TCF layers' texts in `lang`, from `<pkg_config>/i18n-tcf/<lang>.toml`
/// (every key of [`TEXT_KEYS`], no other).
pub fn texts(pkg_config: &std::path::Path, lang: &str) -> super::Result<super::Texts> {
    super::read_texts(&pkg_config.join("i18n-tcf").join(format!("{lang}.toml")), TEXT_KEYS)
}

/// The `tcfPolicyVersion` of the Global Vendor List in `<pkg_config>/tcf/`
/// (the server reads and checks the whole list; the revision needs only this).
pub fn policy_version(pkg_config: &std::path::Path) -> super::Result<u8> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        tcf_policy_version: u8,
    }
    let path = pkg_config.join("tcf/vendor-list.json");
    let text = super::read(&path)?;
    let head: Head = serde_json::from_str(&text).map_err(|e| super::ConfigError::Parse { path, message: e.to_string() })?;
    Ok(head.tcf_policy_version)
}
