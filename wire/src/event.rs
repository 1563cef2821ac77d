//! A consent event: what the widget posts to `POST /api/v1/events`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::json::JsonWriter;

/// What the visitor did. The string forms are the wire names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(serde::Deserialize, serde::Serialize))]
#[cfg_attr(feature = "server", serde(rename_all = "snake_case"))]
pub enum Action {
    BannerShown,
    AcceptAll,
    RejectAll,
    Custom,
    Withdraw,
}

impl Action {
    pub const ALL: [Action; 5] = [Action::BannerShown, Action::AcceptAll, Action::RejectAll, Action::Custom, Action::Withdraw];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::BannerShown => "banner_shown",
            Action::AcceptAll => "accept_all",
            Action::RejectAll => "reject_all",
            Action::Custom => "custom",
            Action::Withdraw => "withdraw",
        }
    }

    /// A decision is any action that records a choice and so carries a consent id.
    pub fn is_decision(self) -> bool {
        !matches!(self, Action::BannerShown)
    }
}

/// One event. Field names are the JSON keys; the backend rejects unknown keys.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(serde::Deserialize, serde::Serialize))]
#[cfg_attr(feature = "server", serde(deny_unknown_fields))]
pub struct Event {
    /// Event id (UUIDv7): a retried event carries the same id and is stored once.
    pub id: String,
    pub site: String,
    pub action: Action,
    /// The visitor's consent id (UUIDv7); absent on `banner_shown`.
    #[cfg_attr(feature = "server", serde(default, skip_serializing_if = "Option::is_none"))]
    pub consent_id: Option<String>,
    /// Accepted category ids.
    pub categories: Vec<String>,
    /// Policy revision the visitor saw.
    pub revision: String,
    /// SHA-256 (hex) of the banner version shown: texts, categories, revision.
    #[cfg_attr(feature = "server", serde(default, skip_serializing_if = "Option::is_none"))]
    pub banner: Option<String>,
    pub lang: String,
    /// Page path without query string or fragment.
    pub path: String,
    /// Client clock, milliseconds since the Unix epoch.
    pub client_ts: u64,
    /// On a `[tcf]` site's decision: the TC string the CMP stored for it, and
    /// Google's Additional Consent string beside it (the proof keeps both).
    #[cfg_attr(feature = "server", serde(default, skip_serializing_if = "Option::is_none"))]
    pub tc_string: Option<String>,
    #[cfg_attr(feature = "server", serde(default, skip_serializing_if = "Option::is_none"))]
    pub addtl_consent: Option<String>,
    /// The A/B variant of the first layer this impression showed, or this first
    /// decision answered (`[[variants]]`); absent otherwise.
    #[cfg_attr(feature = "server", serde(default, skip_serializing_if = "Option::is_none"))]
    pub variant: Option<String>,
}

impl Event {
    /// Compact JSON without `core::fmt`, so the widget can post it without serde.
    /// The backend's serde decoder reads exactly this (tested in `tests/roundtrip.rs`).
    pub fn to_json(&self) -> String {
        let mut w = JsonWriter::new();
        w.key_str("id", &self.id);
        w.key_str("site", &self.site);
        w.key_str("action", self.action.as_str());
        if let Some(c) = &self.consent_id {
            w.key_str("consent_id", c);
        }
        w.key("categories");
        w.str_array(&self.categories);
        w.key_str("revision", &self.revision);
        if let Some(b) = &self.banner {
            w.key_str("banner", b);
        }
        w.key_str("lang", &self.lang);
        w.key_str("path", &self.path);
        w.key("client_ts");
        w.number(self.client_ts);
        if let Some(t) = &self.tc_string {
            w.key_str("tc_string", t);
        }
        if let Some(a) = &self.addtl_consent {
            w.key_str("addtl_consent", a);
        }
        if let Some(v) = &self.variant {
            w.key_str("variant", v);
        }
        w.finish()
    }
}
