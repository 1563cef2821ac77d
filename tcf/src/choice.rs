//! A visitor's choice made into the TC string the site stores, by the rules a
//! CMP must follow: service-specific, no legitimate interest for purposes 1
//! and 3–6, `Created`/`LastUpdated` rounded to the day, every vendor the site
//! works with disclosed, a vendor's bit set only for a legal basis it declares
//! (or may take through a publisher restriction), and the Publisher TC
//! segment when the publisher declares purposes of its own.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::{Core, Publisher, Restriction, RestrictionType, TcString, DAY_DECISECONDS};

/// The purposes TCF 2.2+ defines.
pub const PURPOSES: core::ops::RangeInclusive<u8> = 1..=11;
/// Purposes that never rest on legitimate interest (TCF 2.2+).
pub const CONSENT_ONLY: [u8; 5] = [1, 3, 4, 5, 6];

/// What the Global Vendor List says of one vendor the site works with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VendorInfo {
    pub id: u16,
    pub purposes: BTreeSet<u8>,
    pub leg_int_purposes: BTreeSet<u8>,
    pub flexible_purposes: BTreeSet<u8>,
    pub special_purposes: BTreeSet<u8>,
}

/// The site's TCF setup: its CMP, the list's versions, its vendors and its own purposes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Setup {
    pub cmp_id: u16,
    pub cmp_version: u16,
    pub vendor_list_version: u16,
    pub policy_version: u8,
    pub publisher_country_code: [u8; 2],
    pub vendors: Vec<VendorInfo>,
    pub publisher_purposes: BTreeSet<u8>,
    pub publisher_legitimate_interests: BTreeSet<u8>,
    pub restrictions: Vec<Restriction>,
}

/// What the visitor chose in the TCF layers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    pub purposes: BTreeSet<u8>,
    pub special_features: BTreeSet<u8>,
    pub vendors: BTreeSet<u16>,
    /// Purposes whose legitimate interest the visitor objected to.
    pub purpose_objections: BTreeSet<u8>,
    /// Vendors whose legitimate interest the visitor objected to.
    pub vendor_objections: BTreeSet<u16>,
}

impl Choice {
    /// "Accept all": every purpose, special feature and vendor; no objection.
    pub fn accept_all(setup: &Setup) -> Choice {
        Choice { purposes: PURPOSES.collect(), special_features: (1..=2).collect(), vendors: setup.vendors.iter().map(|v| v.id).collect(), ..Choice::default() }
    }

    /// "Reject all": no consent, and an objection to every legitimate interest.
    pub fn reject_all(setup: &Setup) -> Choice {
        Choice { purpose_objections: PURPOSES.collect(), vendor_objections: setup.vendors.iter().map(|v| v.id).collect(), ..Choice::default() }
    }
}

impl Setup {
    fn restricted(&self, vendor: u16, purpose: u8, kind: RestrictionType) -> bool {
        self.restrictions.iter().any(|r| r.purpose == purpose && r.kind == kind && r.vendors.contains(&vendor))
    }

    /// Whether `v` may carry a consent bit: it declares a consent purpose, or a
    /// flexible one a restriction turns to consent.
    pub fn consent_basis(&self, v: &VendorInfo) -> bool {
        !v.purposes.is_empty() || v.flexible_purposes.iter().any(|&p| self.restricted(v.id, p, RestrictionType::RequireConsent))
    }

    /// Whether `v` may carry a legitimate-interest bit: it declares an LI
    /// purpose (or a flexible one a restriction turns to LI), or only special purposes.
    pub fn li_basis(&self, v: &VendorInfo) -> bool {
        let only_special = v.leg_int_purposes.is_empty() && !v.special_purposes.is_empty();
        !v.leg_int_purposes.is_empty() || only_special || v.flexible_purposes.iter().any(|&p| self.restricted(v.id, p, RestrictionType::RequireLegitimateInterest))
    }

    /// The TC string for `choice`, made at `now_ms` (rounded down to the day) in `language`.
    pub fn tc_string(&self, choice: &Choice, now_ms: u64, language: [u8; 2]) -> TcString {
        let day = now_ms / 100 / DAY_DECISECONDS * DAY_DECISECONDS;
        let li_purposes: BTreeSet<u8> = self.vendors.iter().flat_map(|v| v.leg_int_purposes.iter().copied()).filter(|p| !CONSENT_ONLY.contains(p) && !choice.purpose_objections.contains(p)).collect();
        let vendor_consents = self.vendors.iter().filter(|v| choice.vendors.contains(&v.id) && self.consent_basis(v)).map(|v| v.id).collect();
        let vendor_li = self.vendors.iter().filter(|v| !choice.vendor_objections.contains(&v.id) && self.li_basis(v)).map(|v| v.id).collect();
        let publisher = (!self.publisher_purposes.is_empty() || !self.publisher_legitimate_interests.is_empty()).then(|| Publisher {
            consents: self.publisher_purposes.intersection(&choice.purposes).copied().collect(),
            legitimate_interests: self.publisher_legitimate_interests.iter().copied().filter(|p| !CONSENT_ONLY.contains(p) && !choice.purpose_objections.contains(p)).collect(),
            ..Publisher::default()
        });
        TcString {
            core: Core {
                created: day,
                last_updated: day,
                cmp_id: self.cmp_id,
                cmp_version: self.cmp_version,
                consent_screen: 1,
                consent_language: language,
                vendor_list_version: self.vendor_list_version,
                policy_version: self.policy_version,
                is_service_specific: true,
                use_non_standard_texts: false,
                special_feature_optins: choice.special_features.iter().copied().filter(|f| (1..=12).contains(f)).collect(),
                purpose_consents: choice.purposes.iter().copied().filter(|p| PURPOSES.contains(p)).collect(),
                purpose_legitimate_interests: li_purposes,
                purpose_one_treatment: false,
                publisher_country_code: self.publisher_country_code,
                vendor_consents,
                vendor_legitimate_interests: vendor_li,
                publisher_restrictions: self.restrictions.clone(),
            },
            disclosed_vendors: Some(self.vendors.iter().map(|v| v.id).collect()),
            allowed_vendors: None,
            publisher,
        }
    }
}
