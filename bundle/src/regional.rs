//! What each region of a site with `[regions]` is served: `config.json` for the
//! opt-out notice and for "nothing shown", each with and without Global Privacy
//! Control. Where the banner asks first (opt-in, and every unknown region) the
//! site's own `config.json` is served unchanged.
//!
//! Outside opt-in the categories run until the visitor objects, so Google
//! Consent Mode's default grants their signals; under GPC (the browser's
//! `Sec-GPC: 1`, which the server reads when it picks the loader) the `gpc`
//! categories' signals stay denied. The full widget reads `mode` and, in an
//! opt-out region, shows the notice (the banner's tree with the `notice_*` and
//! `do_not_sell` texts) instead of the first layer.

use std::collections::BTreeMap;

use consent_wire::banner_version::banner_version;
use consent_wire::config::regions::Mode;
use consent_wire::config::{SiteConfig, Texts};
use serde_json::{json, Value};

use crate::consent_mode::consent_default;
use crate::BundleError;

/// One served variant of the loader's config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Regional {
    /// Opt-out or none (opt-in is the site's own config).
    pub mode: Mode,
    /// The browser sends Global Privacy Control (and the site honours it).
    pub gpc: bool,
}

impl Regional {
    /// The variant's name in the server's table of assets (`opt-out`, `none+gpc`, …).
    pub fn name(self) -> String {
        let gpc = if self.gpc { "+gpc" } else { "" };
        format!("{}{gpc}", self.mode.as_str())
    }
}

/// Does Global Privacy Control change anything on `site`?
pub fn honours_gpc(site: &SiteConfig) -> bool {
    site.honor_gpc && site.categories.iter().any(|c| c.gpc)
}

/// `config.json` for each region other than opt-in that `site` names.
pub fn configs(site: &SiteConfig, first: &Value) -> Result<Vec<(Regional, String)>, BundleError> {
    let Some(regions) = &site.regions else { return Ok(Vec::new()) };
    let gpc_options: &[bool] = if honours_gpc(site) { &[false, true] } else { &[false] };
    let mut out = Vec::new();
    for mode in regions.modes().into_iter().filter(|m| *m != Mode::OptIn) {
        for &gpc in gpc_options {
            let mut cfg = first.clone();
            cfg["mode"] = json!(mode.as_str());
            if let Some(d) = consent_default(site, &|c| c.required || !(gpc && c.gpc)) {
                cfg["consentDefault"] = d;
            }
            out.push((Regional { mode, gpc }, serde_json::to_string(&cfg)?));
        }
    }
    Ok(out)
}

/// The opt-out notice's banner version per language, when a region is shown it
/// (`details.json`'s `noticeVersions`; the event of a decision taken on the
/// notice names it, so the proof shows the notice, not the banner).
pub fn notice_versions(site: &SiteConfig, texts: &BTreeMap<String, Texts>, revision: &str) -> Option<Value> {
    let regions = site.regions.as_ref()?;
    regions.modes().contains(&Mode::OptOut).then(|| {
        let v: BTreeMap<&String, String> = texts.iter().map(|(lang, t)| (lang, banner_version(site, t, lang, revision, Mode::OptOut).hash)).collect();
        json!(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(regions: &str, honor_gpc: bool) -> SiteConfig {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml");
        let text = std::fs::read_to_string(path).expect("luxhost.toml").replace("[regions]\nopt_out = [\"US\"]\n", "");
        let text = format!("honor_gpc = {honor_gpc}\n{text}\n{regions}");
        toml::from_str(&text).expect("site")
    }

    fn default_of(cfg: &str, signal: &str) -> String {
        let v: Value = serde_json::from_str(cfg).expect("json");
        v["consentDefault"][signal].as_str().expect("signal").to_owned()
    }

    #[test]
    fn each_mode_the_site_names_gets_a_config_and_gpc_keeps_marketing_denied() {
        let s = site("[regions]\nopt_out = [\"US\"]\nnone = [\"JP\"]\n", true);
        let first = json!({ "revision": "r", "consentDefault": { "ad_storage": "denied" } });
        let all = configs(&s, &first).expect("configs");
        let names: Vec<String> = all.iter().map(|(r, _)| r.name()).collect();
        assert_eq!(names, ["opt-out", "opt-out+gpc", "none", "none+gpc"]);
        for (r, cfg) in &all {
            let v: Value = serde_json::from_str(cfg).expect("json");
            assert_eq!(v["mode"], r.mode.as_str());
            assert_eq!(v["revision"], "r", "the rest of config.json as it is");
            assert_eq!(default_of(cfg, "analytics_storage"), "granted", "{}: runs until the visitor objects", r.name());
            assert_eq!(default_of(cfg, "ad_storage"), if r.gpc { "denied" } else { "granted" }, "{}", r.name());
            assert_eq!(default_of(cfg, "security_storage"), "granted");
        }
        assert!(configs(&site("", true), &first).expect("none").is_empty(), "no [regions], one config");
        let without_gpc = configs(&site("[regions]\nopt_out = [\"US\"]\n", false), &first).expect("configs");
        assert_eq!(without_gpc.len(), 1, "a site that does not honour GPC needs no GPC variant");
    }
}
