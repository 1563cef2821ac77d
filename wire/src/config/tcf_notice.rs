//! What the first layer of a `[tcf]` site says of the framework, as the TCF
//! Policy asks of a CMP's initial layer: how many partners the site works
//! with, the purposes they process data for (by their standard names in the
//! visitor's language), the special features they would use with consent,
//! and that some rely on legitimate interest, which the visitor can object
//! to. It is appended to the site's `description` in each language, so it is
//! part of the banner version a decision's proof records. Texts:
//! `pkg-config/i18n-tcf/<lang>.toml` (`notice*`); names: the Global Vendor
//! List in `<pkg_config>/tcf/` and its `purposes-<lang>.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use super::tcf::TcfConfig;
use super::Texts;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Names {
    #[serde(default)]
    purposes: BTreeMap<u16, Named>,
    #[serde(default)]
    special_features: BTreeMap<u16, Named>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct List {
    #[serde(default)]
    purposes: BTreeMap<u16, Named>,
    #[serde(default)]
    special_features: BTreeMap<u16, Named>,
    vendors: BTreeMap<u16, Uses>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Uses {
    #[serde(default)]
    purposes: Vec<u16>,
    #[serde(default)]
    leg_int_purposes: Vec<u16>,
    #[serde(default)]
    flexible_purposes: Vec<u16>,
    #[serde(default)]
    special_features: Vec<u16>,
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// What the notice says of a site, read from its vendor list once: how many
/// partners, the purposes and special features they use (with the list's
/// English names), and whether any relies on legitimate interest.
pub struct Notice {
    dir: std::path::PathBuf,
    english: Names,
    partners: usize,
    purposes: BTreeSet<u16>,
    features: BTreeSet<u16>,
    legitimate_interest: bool,
}

impl Notice {
    /// `None` when the list cannot be read: the server's list loading refuses
    /// the site then, naming the file.
    pub fn load(pkg_config: &Path, tcf: &TcfConfig) -> Option<Notice> {
        let dir = pkg_config.join("tcf");
        let List { purposes, special_features, vendors } = read(&dir.join("vendor-list.json"))?;
        let used: Vec<&Uses> = tcf.vendors.iter().filter_map(|id| vendors.get(id)).collect();
        Some(Notice {
            english: Names { purposes, special_features },
            partners: used.len(),
            purposes: used.iter().flat_map(|v| v.purposes.iter().chain(&v.leg_int_purposes).chain(&v.flexible_purposes)).copied().collect(),
            features: used.iter().flat_map(|v| v.special_features.iter()).copied().collect(),
            legitimate_interest: used.iter().any(|v| !v.leg_int_purposes.is_empty()),
            dir,
        })
    }

    /// The notice in `lang` from `texts` (that language's TCF texts), with the
    /// names of `purposes-<lang>.json` where it has them.
    pub fn text(&self, lang: &str, texts: &Texts) -> String {
        let translated: Option<Names> = read(&self.dir.join(format!("purposes-{lang}.json")));
        let name = |map: fn(&Names) -> &BTreeMap<u16, Named>, id: &u16| translated.as_ref().and_then(|t| map(t).get(id)).or_else(|| map(&self.english).get(id)).map(|n| n.name.clone());
        let names = |ids: &BTreeSet<u16>, map: fn(&Names) -> &BTreeMap<u16, Named>| ids.iter().filter_map(|id| name(map, id)).collect::<Vec<_>>().join("; ");
        let t = |key: &str| texts.get(key).cloned().unwrap_or_default();
        let mut out = t("notice").replace("{vendors}", &self.partners.to_string()).replace("{purposes}", &names(&self.purposes, |n| &n.purposes));
        if !self.features.is_empty() {
            out = out + " " + &t("notice_features").replace("{features}", &names(&self.features, |n| &n.special_features));
        }
        if self.legitimate_interest {
            out = out + " " + &t("notice_legitimate_interest");
        }
        out
    }
}
