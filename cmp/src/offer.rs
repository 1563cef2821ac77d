//! What the TCF layers of the preferences offer the visitor on a site: the
//! purposes that take consent (a toggle), those a partner claims a
//! legitimate interest for (an "object" switch), the special features (a
//! toggle), the special purposes and features (shown, no choice), and the
//! stacks that shorten the list of purposes. Plain Rust, tested on the host.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use consent_tcf::CONSENT_ONLY;

use crate::site::{ListStack, Site};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Offer {
    /// Purposes a partner (or the publisher) needs consent for.
    pub consent_purposes: BTreeSet<u8>,
    /// Purposes a partner (or the publisher) claims a legitimate interest for:
    /// never 1 or 3–6.
    pub li_purposes: BTreeSet<u8>,
    pub special_purposes: BTreeSet<u8>,
    pub features: BTreeSet<u8>,
    pub special_features: BTreeSet<u8>,
    /// Stacks shown instead of their purposes and special features, each
    /// item in at most one, largest first.
    pub stacks: Vec<u16>,
    /// How many of the site's partners use each purpose (by id), on either basis.
    pub users: [u16; 12],
}

impl Offer {
    pub fn of(site: &Site) -> Offer {
        let mut o = Offer { consent_purposes: site.setup.publisher_purposes.clone(), ..Offer::default() };
        o.li_purposes.extend(site.setup.publisher_legitimate_interests.iter().copied());
        for v in site.list.vendors.values().filter(|v| v.deleted_date.is_none()) {
            o.consent_purposes.extend(v.purposes.iter().chain(&v.flexible_purposes).copied());
            o.li_purposes.extend(v.leg_int_purposes.iter().copied());
            o.special_purposes.extend(v.special_purposes.iter().copied());
            o.features.extend(v.features.iter().copied());
            o.special_features.extend(v.special_features.iter().copied());
            for (p, n) in o.users.iter_mut().enumerate() {
                let p = p as u8;
                if v.purposes.contains(&p) || v.leg_int_purposes.contains(&p) {
                    *n += 1;
                }
            }
        }
        o.li_purposes = o.li_purposes.iter().copied().filter(|p| !CONSENT_ONLY.contains(p)).collect();
        o.stacks = o.pick_stacks(site);
        o
    }

    /// The stacks that group two or more of the consent purposes and special
    /// features on offer and nothing else, largest first (then by id), none
    /// overlapping.
    fn pick_stacks(&self, site: &Site) -> Vec<u16> {
        let fits = |s: &ListStack| s.purposes.iter().all(|p| self.consent_purposes.contains(p)) && s.special_features.iter().all(|f| self.special_features.contains(f));
        let (mut purposes, mut features) = (BTreeSet::new(), BTreeSet::new());
        let mut out = Vec::new();
        let largest = site.list.stacks.iter().map(|(_, s)| s.purposes.len() + s.special_features.len()).max().unwrap_or(0);
        for size in (2..=largest).rev() {
            for (id, s) in site.list.stacks.iter().filter(|(_, s)| s.purposes.len() + s.special_features.len() == size && fits(s)) {
                if !s.purposes.iter().any(|p| purposes.contains(p)) && !s.special_features.iter().any(|f| features.contains(f)) {
                    purposes.extend(s.purposes.iter().copied());
                    features.extend(s.special_features.iter().copied());
                    out.push(*id);
                }
            }
        }
        out
    }

    fn stack(site: &Site, id: u16) -> Option<&ListStack> {
        site.list.stacks.iter().find(|(i, _)| *i == id).map(|(_, s)| s)
    }

    /// The stack `purpose` is shown in, if any.
    pub fn stack_of_purpose(&self, site: &Site, purpose: u8) -> Option<u16> {
        self.stacks.iter().copied().find(|id| Offer::stack(site, *id).is_some_and(|s| s.purposes.contains(&purpose)))
    }

    /// The stack special feature `feature` is shown in, if any.
    pub fn stack_of_feature(&self, site: &Site, feature: u8) -> Option<u16> {
        self.stacks.iter().copied().find(|id| Offer::stack(site, *id).is_some_and(|s| s.special_features.contains(&feature)))
    }
}
