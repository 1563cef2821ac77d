//! The Global Vendor List v3 (`vendor-list.json`) and its translations
//! (`purposes-<lang>.json`), read from `<config>/tcf/`, checked, and cut to a
//! site's vendors: the browser never fetches the IAB's list, the server serves
//! the subset a site needs. Unknown fields the IAB adds later are ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum GvlError {
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Parse { path: PathBuf, source: serde_json::Error },
    #[error("{path}: {field}: {message}")]
    Invalid { path: PathBuf, field: String, message: String },
    #[error("tcf.vendors: vendor {0} is not in the Global Vendor List version {1}")]
    UnknownVendor(u16, u16),
    #[error("tcf.vendors: vendor {0} was deleted from the Global Vendor List ({1})")]
    DeletedVendor(u16, String),
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VendorList {
    pub gvl_specification_version: u8,
    pub vendor_list_version: u16,
    pub tcf_policy_version: u8,
    pub last_updated: String,
    pub purposes: BTreeMap<u16, Item>,
    pub special_purposes: BTreeMap<u16, Item>,
    pub features: BTreeMap<u16, Item>,
    pub special_features: BTreeMap<u16, Item>,
    #[serde(default)]
    pub stacks: BTreeMap<u16, Stack>,
    #[serde(default)]
    pub data_categories: BTreeMap<u16, Item>,
    pub vendors: BTreeMap<u16, Vendor>,
}

/// A purpose, feature or data category: its standard name and texts.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub id: u16,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub illustrations: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    pub id: u16,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub purposes: Vec<u16>,
    #[serde(default)]
    pub special_features: Vec<u16>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Vendor {
    pub id: u16,
    pub name: String,
    #[serde(default)]
    pub purposes: Vec<u16>,
    #[serde(default)]
    pub leg_int_purposes: Vec<u16>,
    #[serde(default)]
    pub flexible_purposes: Vec<u16>,
    #[serde(default)]
    pub special_purposes: Vec<u16>,
    #[serde(default)]
    pub features: Vec<u16>,
    #[serde(default)]
    pub special_features: Vec<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_max_age_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses_cookies: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses_non_cookie_access: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_retention: Option<DataRetention>,
    #[serde(default)]
    pub urls: Vec<VendorUrl>,
    #[serde(default)]
    pub data_declaration: Vec<u16>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DataRetention {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std_retention: Option<u32>,
    #[serde(default)]
    pub purposes: BTreeMap<u16, u32>,
    #[serde(default)]
    pub special_purposes: BTreeMap<u16, u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VendorUrl {
    pub lang_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leg_int_claim: Option<String>,
}

/// `purposes-<lang>.json`: the same texts in another language.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Translation {
    pub language: String,
    pub purposes: BTreeMap<u16, Item>,
    pub special_purposes: BTreeMap<u16, Item>,
    pub features: BTreeMap<u16, Item>,
    pub special_features: BTreeMap<u16, Item>,
    #[serde(default)]
    pub stacks: BTreeMap<u16, Stack>,
    #[serde(default)]
    pub data_categories: BTreeMap<u16, Item>,
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, GvlError> {
    let text = std::fs::read_to_string(path).map_err(|source| GvlError::Read { path: path.to_owned(), source })?;
    serde_json::from_str(&text).map_err(|source| GvlError::Parse { path: path.to_owned(), source })
}

impl VendorList {
    /// Reads and checks `<dir>/vendor-list.json`.
    pub fn load(dir: &Path) -> Result<VendorList, GvlError> {
        let path = dir.join("vendor-list.json");
        let list: VendorList = read(&path)?;
        list.check().map_err(|(field, message)| GvlError::Invalid { path, field, message })?;
        Ok(list)
    }

    fn check(&self) -> Result<(), (String, String)> {
        let bad = |field: String, message: &str| Err((field, message.to_owned()));
        if self.gvl_specification_version != 3 {
            return bad("gvlSpecificationVersion".into(), "this server reads version 3");
        }
        for (name, map) in [("purposes", &self.purposes), ("specialPurposes", &self.special_purposes), ("features", &self.features), ("specialFeatures", &self.special_features)] {
            if let Some((key, _)) = map.iter().find(|(k, item)| **k != item.id) {
                return bad(format!("{name}.{key}"), "its id differs from its key");
            }
        }
        if let Some(missing) = (1..=11).find(|p| !self.purposes.contains_key(p)) {
            return bad(format!("purposes.{missing}"), "TCF 2.2+ defines purposes 1 to 11");
        }
        for (key, v) in &self.vendors {
            let field = |f: &str| format!("vendors.{key}.{f}");
            if *key != v.id {
                return bad(field("id"), "its id differs from its key");
            }
            let known = |ids: &[u16], map: &BTreeMap<u16, Item>| ids.iter().all(|i| map.contains_key(i));
            let lists = [("purposes", &v.purposes, &self.purposes), ("legIntPurposes", &v.leg_int_purposes, &self.purposes), ("flexiblePurposes", &v.flexible_purposes, &self.purposes)];
            let lists = lists.into_iter().chain([
                ("specialPurposes", &v.special_purposes, &self.special_purposes),
                ("features", &v.features, &self.features),
                ("specialFeatures", &v.special_features, &self.special_features),
            ]);
            for (name, ids, map) in lists {
                if !known(ids, map) {
                    return bad(field(name), "names an id the list does not define");
                }
            }
        }
        Ok(())
    }

    /// The list with only `vendors` (in the site's `[tcf]`), each of them present and not deleted.
    pub fn for_site(&self, vendors: &[u16]) -> Result<VendorList, GvlError> {
        let mut kept = BTreeMap::new();
        for id in vendors {
            let v = self.vendors.get(id).ok_or(GvlError::UnknownVendor(*id, self.vendor_list_version))?;
            if let Some(deleted) = &v.deleted_date {
                return Err(GvlError::DeletedVendor(*id, deleted.clone()));
            }
            kept.insert(*id, v.clone());
        }
        Ok(VendorList { vendors: kept, ..self.clone() })
    }

    /// The texts in `lang` from `<dir>/purposes-<lang>.json` where there is one, else as they are (English).
    pub fn translated(&self, dir: &Path, lang: &str) -> Result<VendorList, GvlError> {
        let path = dir.join(format!("purposes-{lang}.json"));
        if lang == "en" || !path.exists() {
            return Ok(self.clone());
        }
        let t: Translation = read(&path)?;
        let over = |base: &BTreeMap<u16, Item>, t: &BTreeMap<u16, Item>| base.keys().map(|k| (*k, t.get(k).cloned().unwrap_or_else(|| base[k].clone()))).collect();
        Ok(VendorList {
            purposes: over(&self.purposes, &t.purposes),
            special_purposes: over(&self.special_purposes, &t.special_purposes),
            features: over(&self.features, &t.features),
            special_features: over(&self.special_features, &t.special_features),
            data_categories: over(&self.data_categories, &t.data_categories),
            stacks: self.stacks.keys().map(|k| (*k, t.stacks.get(k).cloned().unwrap_or_else(|| self.stacks[k].clone()))).collect(),
            ..self.clone()
        })
    }
}

/// What a TCF site is served beyond the other sites: what its `__tcfapi` /
/// `__gpp` stubs answer before the CMP loads, and its vendor list per language
/// (`/s/<site>/gvl.<lang>.<hash>.json`).
pub struct SiteTcf {
    pub stub_config: serde_json::Value,
    /// (language, the list as JSON).
    pub lists: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
#[error("sites/{site}.toml: {source}")]
pub struct SiteListError {
    pub site: String,
    #[source]
    pub source: GvlError,
}

/// For every site with `[tcf] enabled`, by site id, its stubs' values and its
/// vendors' list in each of its languages; the Global Vendor List is read
/// once, and only when a site needs it.
pub fn site_files(pkg_config: &Path, sites: &crate::sites::Sites) -> Result<BTreeMap<String, SiteTcf>, SiteListError> {
    let dir = pkg_config.join("tcf");
    let mut gvl: Option<VendorList> = None;
    let mut files = BTreeMap::new();
    for site in sites.all() {
        let Some(tcf) = site.tcf.as_ref().filter(|t| t.enabled) else { continue };
        let fail = |source| SiteListError { site: site.id.clone(), source };
        let full = match &gvl {
            Some(g) => g,
            None => gvl.insert(VendorList::load(&dir).map_err(fail)?),
        };
        let subset = full.for_site(&tcf.vendors).map_err(fail)?;
        let stub_config = serde_json::json!({
            "cmpId": tcf.cmp_id, "cmpVersion": tcf.cmp_version, "gdprApplies": true,
            "gvlVersion": subset.vendor_list_version, "tcfPolicyVersion": subset.tcf_policy_version,
            "applicableSections": [2], "gppApis": ["2:tcfeuv2"],
        });
        let mut lists = Vec::new();
        for lang in &site.languages {
            let translated = subset.translated(&dir, lang).map_err(fail)?;
            let json = serde_json::to_vec(&translated).map_err(|source| fail(GvlError::Parse { path: dir.join("vendor-list.json"), source }))?;
            lists.push((lang.clone(), json));
        }
        files.insert(site.id.clone(), SiteTcf { stub_config, lists });
    }
    Ok(files)
}
