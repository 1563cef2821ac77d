//! The Global Vendor List v3 (`vendor-list.json`) and its translations
//! (`purposes-<lang>.json`), read from `<config>/tcf/`, checked, and cut to a
//! site's vendors: the browser never fetches the IAB's list, the server serves
//! the subset a site needs. Unknown fields the IAB adds later are ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use consent_tcf::gvl::{DataRetention, Item, Stack, Translation, Vendor, VendorList, VendorUrl};

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
fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, GvlError> {
    let text = std::fs::read_to_string(path).map_err(|source| GvlError::Read { path: path.to_owned(), source })?;
    serde_json::from_str(&text).map_err(|source| GvlError::Parse { path: path.to_owned(), source })
}

/// The list's files in a config folder: read, checked, cut to a site and translated.
pub trait ListFiles: Sized {
    /// Reads and checks `<dir>/vendor-list.json`.
    fn load(dir: &Path) -> Result<Self, GvlError>;
    /// Only `vendors`, refusing one the list lacks or has deleted.
    fn for_site(&self, vendors: &[u16]) -> Result<Self, GvlError>;
    /// The texts of `purposes-<lang>.json` over the English ones (English when there is no such file).
    fn translated(&self, dir: &Path, lang: &str) -> Result<Self, GvlError>;
}

impl ListFiles for VendorList {
    fn load(dir: &Path) -> Result<VendorList, GvlError> {
        let path = dir.join("vendor-list.json");
        let list: VendorList = read(&path)?;
        check(&list).map_err(|(field, message)| GvlError::Invalid { path, field, message })?;
        Ok(list)
    }

    fn for_site(&self, vendors: &[u16]) -> Result<VendorList, GvlError> {
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

    fn translated(&self, dir: &Path, lang: &str) -> Result<VendorList, GvlError> {
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

/// The list's own consistency, by field.
fn check(list: &VendorList) -> Result<(), (String, String)> {
    let bad = |field: String, message: &str| Err((field, message.to_owned()));
    if list.gvl_specification_version != 3 {
        return bad("gvlSpecificationVersion".into(), "this server reads version 3");
    }
    for (name, map) in [("purposes", &list.purposes), ("specialPurposes", &list.special_purposes), ("features", &list.features), ("specialFeatures", &list.special_features)] {
        if let Some((key, _)) = map.iter().find(|(k, item)| **k != item.id) {
            return bad(format!("{name}.{key}"), "its id differs from its key");
        }
    }
    if let Some(missing) = (1..=11).find(|p| !list.purposes.contains_key(p)) {
        return bad(format!("purposes.{missing}"), "TCF 2.2+ defines purposes 1 to 11");
    }
    for (key, v) in &list.vendors {
        let field = |f: &str| format!("vendors.{key}.{f}");
        if *key != v.id {
            return bad(field("id"), "its id differs from its key");
        }
        let known = |ids: &[u16], map: &BTreeMap<u16, Item>| ids.iter().all(|i| map.contains_key(i));
        let lists = [("purposes", &v.purposes, &list.purposes), ("legIntPurposes", &v.leg_int_purposes, &list.purposes), ("flexiblePurposes", &v.flexible_purposes, &list.purposes)];
        let lists = lists.into_iter().chain([
            ("specialPurposes", &v.special_purposes, &list.special_purposes),
            ("features", &v.features, &list.features),
            ("specialFeatures", &v.special_features, &list.special_features),
        ]);
        for (name, ids, map) in lists {
            if !known(ids, map) {
                return bad(field(name), "names an id the list does not define");
            }
        }
    }
    Ok(())
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

/// For every site with `[tcf]` or `[gpp]` enabled, by site id, its stubs'
/// values and (with `[tcf]`) its vendors' list in each of its languages; the
/// Global Vendor List is read once, and only when a site needs it.
pub fn site_files(pkg_config: &Path, sites: &crate::sites::Sites) -> Result<BTreeMap<String, SiteTcf>, SiteListError> {
    let dir = pkg_config.join("tcf");
    let mut gvl: Option<VendorList> = None;
    let mut files = BTreeMap::new();
    for site in sites.all() {
        let gpp = site.gpp.as_ref().filter(|g| g.enabled);
        let Some(tcf) = site.tcf.as_ref().filter(|t| t.enabled) else {
            if gpp.is_some() {
                files.insert(site.id.clone(), SiteTcf { stub_config: consent_bundle::loader::stub_config(None, gpp), lists: Vec::new() });
            }
            continue;
        };
        let fail = |source| SiteListError { site: site.id.clone(), source };
        let full = match &gvl {
            Some(g) => g,
            None => gvl.insert(VendorList::load(&dir).map_err(fail)?),
        };
        let subset = full.for_site(&tcf.vendors).map_err(fail)?;
        let stub = consent_bundle::loader::TcfStub { cmp_id: tcf.cmp_id, cmp_version: tcf.cmp_version, gvl_version: subset.vendor_list_version, policy_version: subset.tcf_policy_version };
        let stub_config = consent_bundle::loader::stub_config(Some(&stub), gpp);
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
