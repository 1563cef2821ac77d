//! The site's settings and vendor list read from the objects the page parsed
//! (`JSON.parse` is the browser's): no JSON parser in this Wasm. A field of
//! the wrong type makes the whole read fail; fields the CMP does not need are
//! never looked at.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::site::{List, ListStack, ListVendor, RestrictionSetting, Settings};

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A whole number in `0..=max`.
fn number(v: &JsValue, max: f64) -> Option<f64> {
    v.as_f64().filter(|n| (0.0..=max).contains(n) && *n == (*n as u32) as f64)
}

fn u8_of(o: &JsValue, key: &str) -> Option<u8> {
    number(&get(o, key), 255.0).map(|n| n as u8)
}

fn u16_of(o: &JsValue, key: &str) -> Option<u16> {
    number(&get(o, key), 65_535.0).map(|n| n as u16)
}

/// A list of whole numbers in `0..=max` (absent: empty).
fn numbers(v: JsValue, max: f64) -> Option<Vec<f64>> {
    if v.is_undefined() || v.is_null() {
        return Some(Vec::new());
    }
    v.dyn_into::<Array>().ok()?.iter().map(|x| number(&x, max)).collect()
}

fn ids(o: &JsValue, key: &str, max: f64) -> Option<Vec<f64>> {
    numbers(get(o, key), max)
}

fn u8s(v: JsValue) -> Option<BTreeSet<u8>> {
    Some(numbers(v, 255.0)?.into_iter().map(|n| n as u8).collect())
}

fn u8_set(o: &JsValue, key: &str) -> Option<BTreeSet<u8>> {
    u8s(get(o, key))
}

fn u16_set(o: &JsValue, key: &str) -> Option<BTreeSet<u16>> {
    Some(ids(o, key, 65_535.0)?.into_iter().map(|n| n as u16).collect())
}

/// Each `(key, value)` of an object field (absent: none).
fn entries(o: &JsValue, key: &str) -> Option<Vec<(String, JsValue)>> {
    let v = get(o, key);
    if v.is_undefined() {
        return Some(Vec::new());
    }
    let obj: Object = v.dyn_into().ok()?;
    Object::entries(&obj).iter().map(|e| Some((Reflect::get_u32(&e, 0).ok()?.as_string()?, Reflect::get_u32(&e, 1).ok()?))).collect()
}

/// `details.json`'s `tcf`.
pub fn settings(o: &JsValue) -> Option<Settings> {
    let restrictions = get(o, "restrictions");
    let restrictions = if restrictions.is_undefined() { Array::new() } else { restrictions.dyn_into().ok()? };
    let restrictions =
        restrictions.iter().map(|r| Some(RestrictionSetting { purpose: u8_of(&r, "purpose")?, kind: u8_of(&r, "kind")?, vendors: u16_set(&r, "vendors")? })).collect::<Option<Vec<_>>>()?;
    let categories = entries(o, "categories")?.into_iter().map(|(k, v)| Some((k, u8s(v)?))).collect::<Option<BTreeMap<_, _>>>();
    Some(Settings {
        cmp_id: u16_of(o, "cmpId")?,
        cmp_version: u16_of(o, "cmpVersion")?,
        country: get(o, "country").as_string()?,
        publisher_purposes: u8_set(o, "publisherPurposes")?,
        publisher_legitimate_interests: u8_set(o, "publisherLegitimateInterests")?,
        restrictions,
        categories: categories?,
        cookie: get(o, "cookie").as_string()?,
        google_atp: ids(o, "googleAtp", u32::MAX as f64)?.into_iter().map(|n| n as u32).collect(),
        lists: BTreeMap::new(),
    })
}

/// The site's vendor list: its versions and, per vendor, what the TC string needs.
pub fn list(o: &JsValue) -> Option<List> {
    let vendors = entries(o, "vendors")?
        .into_iter()
        .map(|(_, v)| {
            let vendor = ListVendor {
                id: u16_of(&v, "id")?,
                purposes: u8_set(&v, "purposes")?,
                leg_int_purposes: u8_set(&v, "legIntPurposes")?,
                flexible_purposes: u8_set(&v, "flexiblePurposes")?,
                special_purposes: u8_set(&v, "specialPurposes")?,
                features: u8_set(&v, "features")?,
                special_features: u8_set(&v, "specialFeatures")?,
                deleted_date: get(&v, "deletedDate").as_string(),
            };
            Some((vendor.id, vendor))
        })
        .collect::<Option<BTreeMap<_, _>>>()?;
    let stacks = entries(o, "stacks")?
        .into_iter()
        .map(|(_, s)| Some((u16_of(&s, "id")?, ListStack { purposes: u8_set(&s, "purposes")?, special_features: u8_set(&s, "specialFeatures")? })))
        .collect::<Option<Vec<_>>>()?;
    Some(List { vendor_list_version: u16_of(o, "vendorListVersion")?, tcf_policy_version: u8_of(o, "tcfPolicyVersion")?, vendors, stacks })
}
