//! The purposes part of the TCF layers: the stacks (a toggle for the whole
//! stack, its purposes folded under it), each purpose with its standard name,
//! description and illustrations, a consent toggle and, where a partner
//! claims a legitimate interest, an "object" switch; the special features
//! (toggles); the special purposes and the features (shown, no choice).

use consent_tcf::Choice;
use web_sys::{Element, Node};

use crate::dom::{digits, Source};
use crate::offer::Offer;
use crate::site::Site;

pub fn build(src: &Source, section: &Node, site: &Site, offer: &Offer, ticks: &Choice) -> Option<()> {
    src.el(section, "h3", "", Some(&src.t("purposes")))?;
    let list = src.el(section, "ul", "tcf-list", None)?;
    for &id in &offer.stacks {
        stack(src, &list, site, offer, ticks, id)?;
    }
    let shown = |p: &u8| (offer.consent_purposes.contains(p) || offer.li_purposes.contains(p)) && offer.stack_of_purpose(site, *p).is_none();
    for p in (1..=11).filter(shown) {
        purpose(src, &list, offer, ticks, p)?;
    }
    let features: alloc::vec::Vec<u8> = offer.special_features.iter().copied().filter(|f| offer.stack_of_feature(site, *f).is_none()).collect();
    if !features.is_empty() {
        src.el(section, "h3", "", Some(&src.t("special_features")))?;
        let list = src.el(section, "ul", "tcf-list", None)?;
        for f in features {
            special_feature(src, &list, ticks, f)?;
        }
    }
    shown_only(src, section, "specialPurposes", &offer.special_purposes, "special_purposes", "special_purposes_note")?;
    shown_only(src, section, "features", &offer.features, "features", "features_note")
}

/// A stack: one toggle for all it groups (kept in step by `cmp.js`), its
/// purposes and special features folded under it.
fn stack(src: &Source, list: &Element, site: &Site, offer: &Offer, ticks: &Choice, id: u16) -> Option<()> {
    let (_, s) = site.list.stacks.iter().find(|(i, _)| *i == id)?;
    let item = src.item("stacks", id);
    let all_on = s.purposes.iter().all(|p| ticks.purposes.contains(p)) && s.special_features.iter().all(|f| ticks.special_features.contains(f));
    let li = src.el(list, "li", "stack", None)?;
    src.checkbox(&li, "data-stack", id, all_on, &Source::field(&item, "name"))?;
    src.explain(&li, &item)?;
    let details = src.el(&li, "details", "", None)?;
    src.el(&details, "summary", "", Some(&src.t("purposes")))?;
    let inner = src.el(&details, "ul", "tcf-list", None)?;
    for &p in &s.purposes {
        purpose(src, &inner, offer, ticks, p)?;
    }
    for &f in &s.special_features {
        special_feature(src, &inner, ticks, f)?;
    }
    Some(())
}

fn purpose(src: &Source, list: &Element, offer: &Offer, ticks: &Choice, p: u8) -> Option<()> {
    let item = src.item("purposes", u16::from(p));
    let name = Source::field(&item, "name");
    let li = src.el(list, "li", "", None)?;
    if offer.consent_purposes.contains(&p) {
        src.checkbox(&li, "data-p", u16::from(p), ticks.purposes.contains(&p), &name)?;
    } else {
        src.el(&li, "strong", "", Some(&name))?;
    }
    src.explain(&li, &item)?;
    let users = offer.users.get(usize::from(p)).copied().unwrap_or(0);
    src.el(&li, "small", "", Some(&(src.t("vendor_count") + ": " + &digits(u64::from(users)))))?;
    if offer.li_purposes.contains(&p) {
        src.object_switch(&li, "data-po", u16::from(p), ticks.purpose_objections.contains(&p), &name)?;
    }
    Some(())
}

fn special_feature(src: &Source, list: &Element, ticks: &Choice, f: u8) -> Option<()> {
    let item = src.item("specialFeatures", u16::from(f));
    let li = src.el(list, "li", "", None)?;
    src.checkbox(&li, "data-sf", u16::from(f), ticks.special_features.contains(&f), &Source::field(&item, "name"))?;
    src.explain(&li, &item)
}

/// Special purposes or features: named and explained, with no toggle.
fn shown_only(src: &Source, section: &Node, map: &str, ids: &alloc::collections::BTreeSet<u8>, title: &str, note: &str) -> Option<()> {
    if ids.is_empty() {
        return Some(());
    }
    src.el(section, "h3", "", Some(&src.t(title)))?;
    src.el(section, "p", "", Some(&src.t(note)))?;
    let list = src.el(section, "ul", "tcf-list", None)?;
    for &id in ids {
        let item = src.item(map, u16::from(id));
        let li = src.el(&list, "li", "", None)?;
        src.el(&li, "strong", "", Some(&Source::field(&item, "name")))?;
        src.explain(&li, &item)?;
    }
    Some(())
}
