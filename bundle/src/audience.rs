//! Who is served which `config.json` (baked into a loader of its own): the
//! banner, or each A/B variant of it; the opt-out notice or nothing where
//! `[regions]` say so, each with Global Privacy Control or without. The server
//! picks one per request (`backend/src/loaders.rs`); the site's own
//! `config.json` is the banner.
//!
//! GPC is known from the browser's `Sec-GPC: 1`. Where the banner asks first it
//! changes nothing before a decision; elsewhere the categories run until the
//! visitor objects, and GPC is that objection for the `gpc` categories: their
//! Consent Mode signals stay denied from the loader's first line. (No loader
//! carries the `gpc_note` texts, a fifth of `config.json` in every language: the
//! first layer draws the note empty — hidden by its CSS — and the full widget
//! fills it in.)

use consent_wire::config::regions::Mode;
use consent_wire::config::variants::Variant;
use consent_wire::config::SiteConfig;
use serde_json::{json, Value};

use crate::consent_mode::consent_default;
use crate::BundleError;

/// What a visitor is shown before deciding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shown {
    /// The site's banner (no `[[variants]]`).
    Banner,
    /// One of `[[variants]]`, by id.
    Variant(String),
    /// A region that is not opt-in (`Mode::OptOut` or `Mode::None`).
    Region(Mode),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Audience {
    pub shown: Shown,
    /// The browser sends GPC (and the site honours it).
    pub gpc: bool,
}

impl Audience {
    /// A name for reports (`banner+gpc`, `variant reject-first`, `opt-out`).
    pub fn name(&self) -> String {
        let shown = match &self.shown {
            Shown::Banner => "banner".to_owned(),
            Shown::Variant(id) => format!("variant {id}"),
            Shown::Region(m) => m.as_str().to_owned(),
        };
        if self.gpc {
            shown + "+gpc"
        } else {
            shown
        }
    }
}

/// Does Global Privacy Control change anything on `site`?
pub fn honours_gpc(site: &SiteConfig) -> bool {
    site.honor_gpc && site.categories.iter().any(|c| c.gpc)
}

/// What an opt-in visitor can be shown: the banner, or one of the variants.
pub fn opt_in_shown(site: &SiteConfig) -> Vec<Shown> {
    if site.variants.is_empty() {
        vec![Shown::Banner]
    } else {
        site.variants.iter().map(|v| Shown::Variant(v.id.clone())).collect()
    }
}

/// `config.json` for every audience of `site` but the plain banner without GPC
/// (which is `first` itself). `texts`: the site's texts per language.
pub fn configs(site: &SiteConfig, first: &Value) -> Result<Vec<(Audience, String)>, BundleError> {
    let mut shown = opt_in_shown(site);
    shown.extend(site.regions.iter().flat_map(|r| r.modes()).filter(|m| *m != Mode::OptIn).map(Shown::Region));
    let mut out = Vec::new();
    for s in shown {
        let gpc_options: &[bool] = if matches!(s, Shown::Region(_)) && honours_gpc(site) { &[false, true] } else { &[false] };
        for &gpc in gpc_options {
            let audience = Audience { shown: s.clone(), gpc };
            if audience == (Audience { shown: Shown::Banner, gpc: false }) {
                continue;
            }
            let mut cfg = first.clone();
            match &s {
                Shown::Banner => {}
                Shown::Variant(id) => {
                    if let Some(v) = variant(site, id) {
                        crate::variant::apply(v, &mut cfg);
                    }
                }
                Shown::Region(mode) => {
                    cfg["mode"] = json!(mode.as_str());
                    if let Some(d) = consent_default(site, &|c| c.required || !(gpc && c.gpc)) {
                        cfg["consentDefault"] = d;
                    }
                }
            }
            out.push((audience, serde_json::to_string(&cfg)?));
        }
    }
    Ok(out)
}

/// The variant with `id`, if `site` has it.
pub fn variant<'a>(site: &'a SiteConfig, id: &str) -> Option<&'a Variant> {
    site.variants.iter().find(|v| v.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(extra: &str) -> SiteConfig {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml");
        let text = std::fs::read_to_string(path).expect("luxhost.toml").replace("[regions]\nopt_out = [\"US\"]\n", "");
        toml::from_str(&format!("{text}\n{extra}")).expect("site")
    }

    fn default_of(cfg: &str, signal: &str) -> String {
        let v: Value = serde_json::from_str(cfg).expect("json");
        v["consentDefault"][signal].as_str().expect("signal").to_owned()
    }

    #[test]
    fn each_mode_and_gpc_get_a_config_and_gpc_keeps_marketing_denied() {
        let s = site("[regions]\nopt_out = [\"US\"]\nnone = [\"JP\"]\n");
        let first = json!({ "revision": "r", "texts": { "nl": { "title": "T" } }, "consentDefault": { "ad_storage": "denied" } });
        let all = configs(&s, &first).expect("configs");
        let names: Vec<String> = all.iter().map(|(a, _)| a.name()).collect();
        assert_eq!(names, ["opt-out", "opt-out+gpc", "none", "none+gpc"]);
        for (a, cfg) in &all {
            let v: Value = serde_json::from_str(cfg).expect("json");
            assert_eq!(v["revision"], "r", "the rest of config.json as it is");
            if let Shown::Region(mode) = a.shown {
                assert_eq!(v["mode"], mode.as_str());
                assert_eq!(default_of(cfg, "analytics_storage"), "granted", "{}: runs until the visitor objects", a.name());
                assert_eq!(default_of(cfg, "ad_storage"), if a.gpc { "denied" } else { "granted" }, "{}", a.name());
            }
        }
        assert!(configs(&site(""), &first).expect("configs").is_empty(), "no [regions], no variants: one loader");
        let two = site("[[variants]]\nid = \"a\"\nweight = 1\n\n[[variants]]\nid = \"b\"\nweight = 1\n");
        let names: Vec<String> = configs(&two, &first).expect("configs").iter().map(|(a, _)| a.name()).collect();
        assert_eq!(names, ["variant a", "variant b"], "variants replace the plain banner");
    }
}
