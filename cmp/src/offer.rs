//! What the TCF layers of the preferences offer the visitor on a site: the
//! purposes that take consent (a toggle), those a partner claims a
//! legitimate interest for (an "object" switch), the special features (a
//! toggle), the special purposes and features (shown, no choice), and the
//! stacks that shorten the list of purposes. Plain Rust, tested on the host.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use consent_tcf::CONSENT_ONLY;

use crate::site::Site;

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
    /// How many of the site's partners use each purpose, on either basis.
    pub users: BTreeMap<u8, u16>,
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
            for p in v.purposes.iter().chain(&v.leg_int_purposes).collect::<BTreeSet<_>>() {
                *o.users.entry(*p).or_default() += 1;
            }
        }
        o.li_purposes.retain(|p| !CONSENT_ONLY.contains(p));
        o.stacks = o.pick_stacks(site);
        o
    }

    /// The stacks that group two or more of the consent purposes and special
    /// features on offer and nothing else, largest first, none overlapping.
    fn pick_stacks(&self, site: &Site) -> Vec<u16> {
        let mut fitting: Vec<(u16, usize)> = site
            .list
            .stacks
            .iter()
            .filter(|(_, s)| s.purposes.is_subset(&self.consent_purposes) && s.special_features.is_subset(&self.special_features))
            .map(|(id, s)| (*id, s.purposes.len() + s.special_features.len()))
            .filter(|(_, n)| *n >= 2)
            .collect();
        fitting.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (mut purposes, mut features) = (BTreeSet::new(), BTreeSet::new());
        let mut out = Vec::new();
        for (id, _) in fitting {
            let s = &site.list.stacks[&id];
            if s.purposes.is_disjoint(&purposes) && s.special_features.is_disjoint(&features) {
                purposes.extend(s.purposes.iter().copied());
                features.extend(s.special_features.iter().copied());
                out.push(id);
            }
        }
        out
    }

    /// The stack `purpose` is shown in, if any.
    pub fn stack_of_purpose(&self, site: &Site, purpose: u8) -> Option<u16> {
        self.stacks.iter().copied().find(|id| site.list.stacks.get(id).is_some_and(|s| s.purposes.contains(&purpose)))
    }

    /// The stack special feature `feature` is shown in, if any.
    pub fn stack_of_feature(&self, site: &Site, feature: u8) -> Option<u16> {
        self.stacks.iter().copied().find(|id| site.list.stacks.get(id).is_some_and(|s| s.special_features.contains(&feature)))
    }
}
