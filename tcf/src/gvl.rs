//! The Global Vendor List v3 (`vendor-list.json`) and its translations
//! (`purposes-<lang>.json`) as the IAB publishes them: read by the server,
//! which serves each site the subset it needs, and by the CMP in the browser,
//! which reads that subset. Unknown fields the IAB adds later are ignored.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::VendorInfo;

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

impl Vendor {
    /// What the TC string's rules need of this vendor.
    pub fn info(&self) -> VendorInfo {
        let set = |ids: &[u16]| -> BTreeSet<u8> { ids.iter().filter_map(|&i| u8::try_from(i).ok()).collect() };
        VendorInfo {
            id: self.id,
            purposes: set(&self.purposes),
            leg_int_purposes: set(&self.leg_int_purposes),
            flexible_purposes: set(&self.flexible_purposes),
            special_purposes: set(&self.special_purposes),
        }
    }
}
