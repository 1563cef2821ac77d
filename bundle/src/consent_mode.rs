//! Google Consent Mode as `config.json` carries it: the default state the loader
//! pushes before anything else, and the site's `gtag('set', …)` fields.

use consent_wire::config::{Category, SiteConfig};
use serde_json::{json, Value};

/// How long Google tags wait for the visitor's answer before using the default (ms).
const WAIT_FOR_UPDATE_MS: u64 = 500;

/// Google Consent Mode's `['consent', 'default', …]` state, when the site uses it:
/// the signals of the categories that `grants` granted (before a decision: the
/// required ones where the banner asks first). The loader, which carries
/// `config.json`, pushes it as soon as it runs, before the banner and any gated tag.
pub(crate) fn consent_default(site: &SiteConfig, grants: &dyn Fn(&Category) -> bool) -> Option<Value> {
    let mode = site.consent_mode.as_ref()?;
    let mut state = serde_json::Map::new();
    for sig in consent_wire::consent_mode::SIGNALS {
        let granted = site.categories.iter().any(|c| grants(c) && c.consent_mode.iter().any(|s| s == sig));
        state.insert(sig.into(), json!(if granted { "granted" } else { "denied" }));
    }
    state.insert("wait_for_update".into(), json!(WAIT_FOR_UPDATE_MS));
    if !mode.region.is_empty() {
        state.insert("region".into(), json!(mode.region));
    }
    Some(Value::Object(state))
}

/// Google's `gtag('set', …)` fields the site chose (`ads_data_redaction`,
/// `url_passthrough`), pushed by the loader right after the default; `None` when
/// the site sets none, so `config.json` carries nothing for them.
pub(crate) fn consent_set(site: &SiteConfig) -> Option<Value> {
    let mode = site.consent_mode.as_ref()?;
    let mut set = serde_json::Map::new();
    for (key, value) in [("ads_data_redaction", mode.ads_data_redaction), ("url_passthrough", mode.url_passthrough)] {
        if let Some(v) = value {
            set.insert(key.into(), json!(v));
        }
    }
    (!set.is_empty()).then_some(Value::Object(set))
}
