//! `TCData` as the CMP API v2.3 defines it, made from the TC string in force:
//! every field a vendor reads (`purpose`, `vendor` with `disclosedVendors`,
//! `specialFeatureOptins`, `publisher` with its restrictions). The fields about
//! the API's state (`eventStatus`, `cmpStatus`, `listenerId`, `gdprApplies`)
//! are the caller's (`www/loader/cmp.js`).

use alloc::collections::BTreeSet;

use consent_tcf::{TcString, PURPOSES};
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::site::Site;

/// The special features TCF 2.2+ defines.
const SPECIAL_FEATURES: core::ops::RangeInclusive<u8> = 1..=2;

fn set(o: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

/// `{id: bool}` for each id in `ids`.
fn flags<T: Copy + Into<f64>>(ids: impl Iterator<Item = T>, on: impl Fn(T) -> bool) -> Object {
    let o = Object::new();
    for id in ids {
        let _ = Reflect::set(&o, &JsValue::from_f64(id.into()), &JsValue::from_bool(on(id)));
    }
    o
}

/// A `{consents, legitimateInterests}` pair.
fn pair(consents: Object, legitimate_interests: Object) -> Object {
    let o = Object::new();
    set(&o, "consents", &consents);
    set(&o, "legitimateInterests", &legitimate_interests);
    o
}

/// TCData's consent fields for `tc` (or, before any decision, empty ones);
/// `vendor_ids`: the vendors asked about (`getTCData`'s parameter), else the site's.
pub fn fields(site: &Site, tc: Option<(&TcString, &str)>, addtl: &str, vendor_ids: Option<&[u16]>) -> Object {
    let o = Object::new();
    let setup = &site.setup;
    set(&o, "tcfPolicyVersion", &JsValue::from(setup.policy_version));
    set(&o, "cmpId", &JsValue::from(setup.cmp_id));
    set(&o, "cmpVersion", &JsValue::from(setup.cmp_version));
    let site_vendors: alloc::vec::Vec<u16> = setup.vendors.iter().map(|v| v.id).collect();
    let vendors = vendor_ids.unwrap_or(&site_vendors);
    let Some((tc, encoded)) = tc else {
        set(&o, "tcString", &JsValue::from_str(""));
        for key in ["purpose", "publisher"] {
            set(&o, key, &pair(Object::new(), Object::new()));
        }
        let vendor = pair(Object::new(), Object::new());
        set(&vendor, "disclosedVendors", &Object::new());
        set(&o, "vendor", &vendor);
        set(&o, "specialFeatureOptins", &Object::new());
        return o;
    };
    let core = &tc.core;
    set(&o, "tcString", &JsValue::from_str(encoded));
    set(&o, "isServiceSpecific", &JsValue::from_bool(core.is_service_specific));
    set(&o, "useNonStandardTexts", &JsValue::from_bool(core.use_non_standard_texts));
    set(&o, "purposeOneTreatment", &JsValue::from_bool(core.purpose_one_treatment));
    set(&o, "publisherCC", &JsValue::from_str(core::str::from_utf8(&core.publisher_country_code).unwrap_or("AA")));
    set(&o, "purpose", &pair(flags(PURPOSES, |p| core.purpose_consents.contains(&p)), flags(PURPOSES, |p| core.purpose_legitimate_interests.contains(&p))));
    let vendor = pair(flags(vendors.iter().copied(), |v| core.vendor_consents.contains(&v)), flags(vendors.iter().copied(), |v| core.vendor_legitimate_interests.contains(&v)));
    let disclosed = tc.disclosed_vendors.clone().unwrap_or_default();
    set(&vendor, "disclosedVendors", &flags(vendors.iter().copied(), |v| disclosed.contains(&v)));
    set(&o, "vendor", &vendor);
    set(&o, "specialFeatureOptins", &flags(SPECIAL_FEATURES, |f| core.special_feature_optins.contains(&f)));
    set(&o, "publisher", &publisher(tc));
    set(&o, "addtlConsent", &JsValue::from_str(addtl));
    o
}

fn publisher(tc: &TcString) -> Object {
    let empty = BTreeSet::new();
    let (consents, lis) = tc.publisher.as_ref().map_or((&empty, &empty), |p| (&p.consents, &p.legitimate_interests));
    let o = pair(flags(PURPOSES, |p| consents.contains(&p)), flags(PURPOSES, |p| lis.contains(&p)));
    let custom = match tc.publisher.as_ref() {
        Some(p) => pair(flags(1..=p.num_custom_purposes, |c| p.custom_consents.contains(&c)), flags(1..=p.num_custom_purposes, |c| p.custom_legitimate_interests.contains(&c))),
        None => pair(Object::new(), Object::new()),
    };
    set(&o, "customPurpose", &custom);
    // `{purposeId: {vendorId: restrictionType}}`
    let restrictions = Object::new();
    for r in &tc.core.publisher_restrictions {
        let key = JsValue::from(r.purpose);
        let per_vendor = Reflect::get(&restrictions, &key).ok().filter(|v| v.is_object()).map(Object::from).unwrap_or_else(|| {
            let fresh = Object::new();
            let _ = Reflect::set(&restrictions, &key, &fresh);
            fresh
        });
        let kind = r.kind.code();
        for v in &r.vendors {
            let _ = Reflect::set(&per_vendor, &JsValue::from(*v), &JsValue::from(kind));
        }
    }
    set(&o, "restrictions", &restrictions);
    o
}
