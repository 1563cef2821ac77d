//! The partners part of the TCF layers: every vendor the site works with, by
//! name, with a consent toggle where it asks for consent, an "object" switch
//! where it claims a legitimate interest for a purpose (special purposes
//! cannot be objected to), and its details (folded, built when
//! first unfolded: a site may list hundreds): its purposes on either basis,
//! special purposes, features, special features, the data it collects, how
//! long it keeps it, what it stores on the device, and its links.

use alloc::string::String;
use alloc::vec::Vec;

use consent_tcf::{Choice, VendorInfo};
use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Node};

use crate::dom::{digits, get, Source};
use crate::site::Site;

pub fn build(src: &Source, section: &Node, site: &Site, ticks: &Choice) -> Option<()> {
    let mut vendors: Vec<(String, u16)> = site.setup.vendors.iter().map(|v| (Source::field(&src.item("vendors", v.id), "name"), v.id)).collect();
    vendors.sort_unstable_by(|a, b| folded(&a.0).cmp(folded(&b.0)).then(a.1.cmp(&b.1)));
    src.el(section, "h3", "", Some(&(src.t("vendors") + " (" + &digits(vendors.len() as u64) + ")")))?;
    let every = vendors.iter().all(|(_, id)| ticks.vendors.contains(id));
    src.checkbox(section, "data-allv", 0, every && !vendors.is_empty(), &src.t("all_vendors"))?.set_class_name("all");
    let list = src.el(section, "ul", "tcf-list", None)?;
    for (name, id) in &vendors {
        let info = site.setup.vendors.iter().find(|v| v.id == *id)?;
        let li = src.el(&list, "li", "", None)?;
        if site.setup.consent_basis(info) {
            src.checkbox(&li, "data-v", *id, ticks.vendors.contains(id), name)?;
        } else {
            src.el(&li, "strong", "", Some(name))?;
        }
        // Special purposes cannot be objected to: the switch is for a vendor's LI purposes.
        if site.setup.li_basis(&VendorInfo { special_purposes: Default::default(), ..info.clone() }) {
            src.object_switch(&li, "data-vo", *id, ticks.vendor_objections.contains(id), name)?;
        }
        let details = src.el(&li, "details", "", None)?;
        details.set_attribute("data-vd", &digits(u64::from(*id))).ok()?;
        src.el(&details, "summary", "", Some(&src.t("details")))?;
    }
    Some(())
}

/// A name's bytes, ASCII letters in lower case: the list's order.
fn folded(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.bytes().map(|b| b.to_ascii_lowercase())
}

/// Fills a partner's folded details (once).
pub fn details(src: &Source, details: &Element, id: u16, lang: &str) -> Option<()> {
    if details.has_attribute("data-filled") {
        return Some(());
    }
    details.set_attribute("data-filled", "").ok()?;
    let v = src.item("vendors", id);
    let names = |key: &str, map: &str| -> String {
        let ids = get(&v, key).dyn_into::<Array>().unwrap_or_default();
        let mut out = String::new();
        for n in ids.iter().filter_map(|n| n.as_f64()) {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&Source::field(&src.item(map, n as u16), "name"));
        }
        out
    };
    for (label, key, map) in [
        ("consent_purposes", "purposes", "purposes"),
        ("li_purposes", "legIntPurposes", "purposes"),
        ("special_purposes", "specialPurposes", "specialPurposes"),
        ("features", "features", "features"),
        ("special_features", "specialFeatures", "specialFeatures"),
        ("data_categories", "dataDeclaration", "dataCategories"),
    ] {
        line(src, details, label, &names(key, map))?;
    }
    retention(src, details, &get(&v, "dataRetention"))?;
    storage(src, details, &v)?;
    links(src, details, &v, lang)
}

/// "Label: value", when there is a value.
fn line(src: &Source, parent: &Node, label: &str, value: &str) -> Option<()> {
    if value.is_empty() {
        return Some(());
    }
    let p = src.el(parent, "p", "", None)?;
    src.el(&p, "strong", "", Some(&(src.t(label) + ": ")))?;
    p.append_with_str_1(value).ok()
}

fn days(src: &Source, n: f64) -> String {
    digits(n.max(0.0) as u64) + " " + &src.t("days")
}

/// The standard retention and the purposes that keep data longer or shorter.
fn retention(src: &Source, parent: &Node, r: &JsValue) -> Option<()> {
    let mut text = get(r, "stdRetention").as_f64().map(|n| days(src, n)).unwrap_or_default();
    for (key, map) in [("purposes", "purposes"), ("specialPurposes", "specialPurposes")] {
        let Ok(per) = get(r, key).dyn_into::<Object>() else { continue };
        for entry in Object::entries(&per).iter() {
            let (Some(id), Some(n)) = (js_sys::Reflect::get_u32(&entry, 0).ok().and_then(|k| k.as_string()), js_sys::Reflect::get_u32(&entry, 1).ok().and_then(|d| d.as_f64())) else { continue };
            if !text.is_empty() {
                text.push_str("; ");
            }
            text = text + &Source::field(&get(&get(src.list, map), &id), "name") + ": " + &days(src, n);
        }
    }
    line(src, parent, "retention", &text)
}

/// Cookies and other device storage.
fn storage(src: &Source, parent: &Node, v: &JsValue) -> Option<()> {
    if get(v, "usesCookies").as_bool() == Some(true) {
        let age = get(v, "cookieMaxAgeSeconds").as_f64().unwrap_or(0.0);
        line(src, parent, "cookie_lifetime", &days(src, ((age.max(0.0) as u64).div_ceil(86_400)) as f64))?;
    }
    if get(v, "usesNonCookieAccess").as_bool() == Some(true) {
        src.el(parent, "p", "", Some(&src.t("other_storage")))?;
    }
    Some(())
}

/// The privacy policy and legitimate-interest claim in the visitor's
/// language (else English, else the first given), and the device storage disclosure.
fn links(src: &Source, parent: &Node, v: &JsValue, lang: &str) -> Option<()> {
    let urls = get(v, "urls").dyn_into::<Array>().unwrap_or_default();
    let lang_of = |u: &JsValue| Source::field(u, "langId").to_ascii_lowercase();
    let pick = urls.iter().find(|u| lang_of(u) == lang).or_else(|| urls.iter().find(|u| lang_of(u) == "en")).or_else(|| urls.iter().next());
    let p = src.el(parent, "p", "links", None)?;
    let name = Source::field(v, "name");
    if let Some(u) = pick {
        src.link(&p, &Source::field(&u, "privacy"), &src.t("privacy_policy"), &name)?;
        src.link(&p, &Source::field(&u, "legIntClaim"), &src.t("li_claim"), &name)?;
    }
    src.link(&p, &Source::field(v, "deviceStorageDisclosureUrl"), &src.t("device_storage"), &name)
}
