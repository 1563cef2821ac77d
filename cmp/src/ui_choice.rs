//! The TCF layers' toggles and the visitor's [`Choice`]: what they show
//! ticked (the choice in force, or nothing before one), and the choice read
//! back from them when the visitor saves.

use alloc::collections::BTreeSet;

use consent_tcf::{Choice, TcString};
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::offer::Offer;
use crate::site::Site;

/// What the toggles show: nothing ticked and nothing objected to before a
/// decision; the decision in force otherwise (a legitimate interest the
/// string does not carry was objected to).
pub fn ticks(site: &Site, offer: &Offer, current: Option<&TcString>) -> Choice {
    let Some(tc) = current else { return Choice::default() };
    let core = &tc.core;
    Choice {
        purposes: core.purpose_consents.clone(),
        special_features: core.special_feature_optins.clone(),
        vendors: core.vendor_consents.clone(),
        purpose_objections: offer.li_purposes.iter().copied().filter(|p| !core.purpose_legitimate_interests.contains(p)).collect(),
        vendor_objections: site.setup.vendors.iter().filter(|v| site.setup.li_basis(v) && !core.vendor_legitimate_interests.contains(&v.id)).map(|v| v.id).collect(),
    }
}

/// The choice the toggles in `section` show.
pub fn read(section: &Element) -> Choice {
    Choice {
        purposes: ticked(section, "data-p"),
        special_features: ticked(section, "data-sf"),
        vendors: ticked(section, "data-v"),
        purpose_objections: ticked(section, "data-po"),
        vendor_objections: ticked(section, "data-vo"),
    }
}

/// The ids (`attr`'s values) of the ticked checkboxes carrying `attr`.
fn ticked<T: Ord + TryFrom<u32>>(section: &Element, attr: &str) -> BTreeSet<T> {
    let mut out = BTreeSet::new();
    let Ok(list) = section.query_selector_all(&(alloc::string::String::from("input[") + attr + "]:checked")) else { return out };
    for i in 0..list.length() {
        let id = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()).and_then(|el| el.get_attribute(attr)).and_then(|s| s.parse::<u32>().ok());
        if let Some(id) = id.and_then(|n| T::try_from(n).ok()) {
            out.insert(id);
        }
    }
    out
}
