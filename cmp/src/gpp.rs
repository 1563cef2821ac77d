//! The GPP side of the CMP: the GPP string of the decision in force and its
//! sections as `__gpp`'s `getSection` / `getField` answer them, in the field
//! names and shapes of the IAB's `@iabgpp/cmpapi` (checked against it in
//! `tests/browser/tcf_cmp.test.mjs` and `gpp.test.mjs`): `tcfeuv2` and `usnat`.

use alloc::collections::BTreeSet;
use alloc::string::String;

use consent_tcf::{GppString, TcString, UsNat};
use js_sys::{Array, Date, Object, Reflect};
use wasm_bindgen::JsValue;

fn set(o: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &value);
}

/// `len` booleans, `on` for ids 1..=len.
fn flags(len: u8, on: &BTreeSet<u8>) -> Array {
    (1..=len).map(|i| JsValue::from_bool(on.contains(&i))).collect()
}

fn ids(set: &BTreeSet<u16>) -> Array {
    set.iter().map(|&i| JsValue::from(i)).collect()
}

fn letters(code: [u8; 2]) -> JsValue {
    JsValue::from_str(core::str::from_utf8(&code).unwrap_or(""))
}

/// The GPP string holding `tc` (none before a decision: "").
pub fn string(tc: Option<&TcString>) -> String {
    let Some(tc) = tc else { return String::new() };
    GppString { tcfeuv2: Some(tc.clone()), usnat: None }.encode().unwrap_or_default()
}

/// The `tcfeuv2` section of `tc`, as `getSection("tcfeuv2")` answers it.
pub fn tcfeuv2(tc: &TcString) -> Object {
    let c = &tc.core;
    let o = Object::new();
    let date = |ds: u64| JsValue::from(Date::new(&JsValue::from_f64((ds * 100) as f64)));
    set(&o, "Version", JsValue::from(2));
    set(&o, "Created", date(c.created));
    set(&o, "LastUpdated", date(c.last_updated));
    set(&o, "CmpId", JsValue::from(c.cmp_id));
    set(&o, "CmpVersion", JsValue::from(c.cmp_version));
    set(&o, "ConsentScreen", JsValue::from(c.consent_screen));
    set(&o, "ConsentLanguage", letters(c.consent_language));
    set(&o, "VendorListVersion", JsValue::from(c.vendor_list_version));
    set(&o, "PolicyVersion", JsValue::from(c.policy_version));
    set(&o, "IsServiceSpecific", JsValue::from_bool(c.is_service_specific));
    set(&o, "UseNonStandardStacks", JsValue::from_bool(c.use_non_standard_texts));
    set(&o, "SpecialFeatureOptins", flags(12, &c.special_feature_optins).into());
    set(&o, "PurposeConsents", flags(24, &c.purpose_consents).into());
    set(&o, "PurposeLegitimateInterests", flags(24, &c.purpose_legitimate_interests).into());
    set(&o, "PurposeOneTreatment", JsValue::from_bool(c.purpose_one_treatment));
    set(&o, "PublisherCountryCode", letters(c.publisher_country_code));
    set(&o, "VendorConsents", ids(&c.vendor_consents).into());
    set(&o, "VendorLegitimateInterests", ids(&c.vendor_legitimate_interests).into());
    let restrictions: Array = c
        .publisher_restrictions
        .iter()
        .map(|r| {
            let e = Object::new();
            let kind = r.kind.code();
            set(&e, "key", JsValue::from(r.purpose));
            set(&e, "type", JsValue::from(kind));
            set(&e, "ids", ids(&r.vendors).into());
            JsValue::from(e)
        })
        .collect();
    set(&o, "PublisherRestrictions", restrictions.into());
    let empty = BTreeSet::new();
    let p = tc.publisher.as_ref();
    set(&o, "PublisherPurposesSegmentType", JsValue::from(3));
    set(&o, "PublisherConsents", flags(24, p.map_or(&empty, |p| &p.consents)).into());
    set(&o, "PublisherLegitimateInterests", flags(24, p.map_or(&empty, |p| &p.legitimate_interests)).into());
    let custom = p.map_or(0, |p| p.num_custom_purposes);
    set(&o, "NumCustomPurposes", JsValue::from(custom));
    set(&o, "PublisherCustomConsents", flags(custom, p.map_or(&empty, |p| &p.custom_consents)).into());
    set(&o, "PublisherCustomLegitimateInterests", flags(custom, p.map_or(&empty, |p| &p.custom_legitimate_interests)).into());
    set(&o, "VendorsAllowedSegmentType", JsValue::from(2));
    set(&o, "VendorsAllowed", ids(tc.allowed_vendors.as_ref().unwrap_or(&BTreeSet::new())).into());
    set(&o, "VendorsDisclosedSegmentType", JsValue::from(1));
    set(&o, "VendorsDisclosed", ids(tc.disclosed_vendors.as_ref().unwrap_or(&BTreeSet::new())).into());
    o
}

/// The `usnat` section, as `getSection("usnat")` answers it.
pub fn usnat(u: &UsNat) -> Object {
    let o = Object::new();
    let n = |v: u8| JsValue::from(v);
    set(&o, "Version", n(2));
    for (key, value) in [
        ("SharingNotice", u.sharing_notice),
        ("SaleOptOutNotice", u.sale_opt_out_notice),
        ("SharingOptOutNotice", u.sharing_opt_out_notice),
        ("TargetedAdvertisingOptOutNotice", u.targeted_advertising_opt_out_notice),
        ("SensitiveDataProcessingOptOutNotice", u.sensitive_data_processing_opt_out_notice),
        ("SensitiveDataLimitUseNotice", u.sensitive_data_limit_use_notice),
        ("SaleOptOut", u.sale_opt_out),
        ("SharingOptOut", u.sharing_opt_out),
        ("TargetedAdvertisingOptOut", u.targeted_advertising_opt_out),
    ] {
        set(&o, key, n(value));
    }
    let list = |values: &[u8]| -> JsValue { values.iter().map(|&v| n(v)).collect::<Array>().into() };
    set(&o, "SensitiveDataProcessing", list(&u.sensitive_data_processing));
    set(&o, "KnownChildSensitiveDataConsents", list(&u.known_child_sensitive_data_consents));
    for (key, value) in [
        ("PersonalDataConsents", u.personal_data_consents),
        ("MspaCoveredTransaction", u.mspa_covered_transaction),
        ("MspaOptOutOptionMode", u.mspa_opt_out_option_mode),
        ("MspaServiceProviderMode", u.mspa_service_provider_mode),
    ] {
        set(&o, key, n(value));
    }
    if let Some(gpc) = u.gpc {
        set(&o, "GpcSegmentType", n(1));
        set(&o, "Gpc", JsValue::from_bool(gpc));
    }
    o
}
