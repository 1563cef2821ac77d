//! A `[tcf]` site as the CMP sees it: its settings (`details.json`'s `tcf`,
//! written by `consent_bundle`) and its vendor list (`gvl.<lang>.<hash>.json`,
//! cut to its vendors by the server), made into the TC string's [`Setup`];
//! a category choice made into a TCF [`Choice`]; whether a stored string is
//! still good.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use consent_tcf::{Choice, Restriction, RestrictionType, Setup, TcString, VendorInfo};
use serde::Deserialize;

/// `details.json`'s `tcf`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub cmp_id: u16,
    pub cmp_version: u16,
    pub country: String,
    #[serde(default)]
    pub publisher_purposes: BTreeSet<u8>,
    #[serde(default)]
    pub publisher_legitimate_interests: BTreeSet<u8>,
    #[serde(default)]
    pub restrictions: Vec<RestrictionSetting>,
    /// The site's categories and the TCF purposes each stands for.
    #[serde(default)]
    pub categories: BTreeMap<String, BTreeSet<u8>>,
    /// The cookie that holds the TC string.
    pub cookie: String,
    #[serde(default)]
    pub google_atp: BTreeSet<u32>,
    /// The vendor list's URL by language.
    #[serde(default)]
    pub lists: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RestrictionSetting {
    pub purpose: u8,
    /// 0 not allowed, 1 require consent, 2 require legitimate interest.
    pub kind: u8,
    pub vendors: BTreeSet<u16>,
}

/// What the CMP reads of the vendor list (the rest is for the UI); unknown
/// fields are skipped. (The whole shape is `consent_tcf::gvl::VendorList`;
/// reading it here would put every text's parser in this Wasm.)
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct List {
    pub vendor_list_version: u16,
    pub tcf_policy_version: u8,
    pub vendors: BTreeMap<u16, ListVendor>,
    /// The list's stacks by id (in id order): what each groups.
    #[serde(default, deserialize_with = "stacks")]
    pub stacks: Vec<(u16, ListStack)>,
}

/// The list's `stacks` object as `(id, stack)` pairs.
fn stacks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(u16, ListStack)>, D::Error> {
    Ok(BTreeMap::<u16, ListStack>::deserialize(d)?.into_iter().collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListStack {
    #[serde(default)]
    pub purposes: BTreeSet<u8>,
    #[serde(default)]
    pub special_features: BTreeSet<u8>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListVendor {
    pub id: u16,
    #[serde(default)]
    pub purposes: BTreeSet<u8>,
    #[serde(default)]
    pub leg_int_purposes: BTreeSet<u8>,
    #[serde(default)]
    pub flexible_purposes: BTreeSet<u8>,
    #[serde(default)]
    pub special_purposes: BTreeSet<u8>,
    #[serde(default)]
    pub features: BTreeSet<u8>,
    #[serde(default)]
    pub special_features: BTreeSet<u8>,
    #[serde(default)]
    pub deleted_date: Option<String>,
}

impl ListVendor {
    fn info(&self) -> VendorInfo {
        let ListVendor { id, purposes, leg_int_purposes, flexible_purposes, special_purposes, .. } = self;
        VendorInfo { id: *id, purposes: purposes.clone(), leg_int_purposes: leg_int_purposes.clone(), flexible_purposes: flexible_purposes.clone(), special_purposes: special_purposes.clone() }
    }
}

/// The site: its settings, its list, and the [`Setup`] made from both.
pub struct Site {
    pub settings: Settings,
    pub list: List,
    pub setup: Setup,
}

impl Site {
    pub fn new(settings: Settings, list: List) -> Site {
        let country = settings.country.as_bytes();
        let restrictions = settings
            .restrictions
            .iter()
            .filter_map(|r| {
                let kind = RestrictionType::from_code(u64::from(r.kind))?;
                Some(Restriction { purpose: r.purpose, kind, vendors: r.vendors.clone() })
            })
            .collect();
        let setup = Setup {
            cmp_id: settings.cmp_id,
            cmp_version: settings.cmp_version,
            vendor_list_version: list.vendor_list_version,
            policy_version: list.tcf_policy_version,
            publisher_country_code: [country.first().copied().unwrap_or(b'A'), country.get(1).copied().unwrap_or(b'A')],
            vendors: list.vendors.values().filter(|v| v.deleted_date.is_none()).map(ListVendor::info).collect(),
            publisher_purposes: settings.publisher_purposes.clone(),
            publisher_legitimate_interests: settings.publisher_legitimate_interests.clone(),
            restrictions,
        };
        Site { settings, list, setup }
    }

    /// The TCF choice a category choice stands for. Accepting every category is
    /// "Accept all"; accepting none that stands for a purpose is "Reject all".
    /// Otherwise: the purposes of the accepted categories, the vendors that need
    /// one of them, and an objection to legitimate interest for the purposes of
    /// the refused ones (a refused use is refused on either legal basis).
    pub fn choice_for(&self, accepted: &[String], all: bool) -> Choice {
        if all {
            return Choice::accept_all(&self.setup);
        }
        let purposes: BTreeSet<u8> = self.settings.categories.iter().filter(|(c, _)| accepted.contains(c)).flat_map(|(_, p)| p.iter().copied()).collect();
        if purposes.is_empty() {
            return Choice::reject_all(&self.setup);
        }
        let refused = self.settings.categories.iter().filter(|(c, _)| !accepted.contains(c)).flat_map(|(_, p)| p.iter().copied());
        let vendors = self.setup.vendors.iter().filter(|v| v.purposes.iter().chain(&v.flexible_purposes).any(|p| purposes.contains(p))).map(|v| v.id).collect();
        Choice { purpose_objections: refused.filter(|p| !purposes.contains(p)).collect(), purposes, vendors, ..Choice::default() }
    }

    /// A stored string still stands when this CMP made it under the list's
    /// policy version for exactly the vendors the site now works with;
    /// otherwise the visitor is asked again.
    pub fn is_current(&self, stored: &TcString) -> bool {
        let vendors: BTreeSet<u16> = self.setup.vendors.iter().map(|v| v.id).collect();
        stored.core.cmp_id == self.setup.cmp_id && stored.core.policy_version == self.setup.policy_version && stored.disclosed_vendors.as_ref() == Some(&vendors)
    }

    /// Google's Additional Consent string for `choice`: the ATP ids are
    /// consented with "Accept all" only (they have no TCF purposes to follow).
    pub fn ac_string(&self, all: bool) -> String {
        let none = BTreeSet::new();
        consent_tcf::ac_string(if all { &self.settings.google_atp } else { &none }, &self.settings.google_atp)
    }
}
