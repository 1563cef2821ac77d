//! The banner versions `details.json` lists beside the banner's own
//! (`bannerVersions`): the opt-out notice's (`noticeVersions`) and each A/B
//! variant's (`variantVersions`). A decision's event names the version it was
//! taken on, so the proof shows what that visitor was asked.

use std::collections::BTreeMap;

use consent_wire::banner_version::{banner_version, Shown};
use consent_wire::config::regions::Mode;
use consent_wire::config::{SiteConfig, Texts};
use serde_json::{json, Value};

/// The opt-out notice's version per language, when a region is shown it.
pub fn notice_versions(site: &SiteConfig, texts: &BTreeMap<String, Texts>, revision: &str) -> Option<Value> {
    let regions = site.regions.as_ref()?;
    regions.modes().contains(&Mode::OptOut).then(|| {
        let v: BTreeMap<&String, String> = texts.iter().map(|(lang, t)| (lang, banner_version(site, t, lang, revision, Shown::Region(Mode::OptOut)).hash)).collect();
        json!(v)
    })
}

/// Each variant's version per language (its texts laid over the site's).
pub fn variant_versions(site: &SiteConfig, texts: &BTreeMap<String, Texts>, revision: &str) -> Option<Value> {
    (!site.variants.is_empty()).then(|| {
        let v: BTreeMap<&String, BTreeMap<&String, String>> =
            site.variants.iter().map(|v| (&v.id, texts.iter().map(|(lang, t)| (lang, banner_version(site, &v.texts(lang, t), lang, revision, Shown::Variant(v)).hash)).collect())).collect();
        json!(v)
    })
}
