//! The CMP's rules on the host: a site's settings and list made into the TC
//! string's setup, category choices made into TCF choices, and which stored
//! strings still stand.

use consent_cmp::site::Site;
use consent_tcf::{Choice, TcString, CONSENT_ONLY};

const SETTINGS: &str = r#"{"cmpId": 300, "cmpVersion": 4, "country": "NL", "cookie": "euconsent-v2",
  "publisherPurposes": [1, 3], "googleAtp": [89, 1301],
  "restrictions": [{"purpose": 2, "kind": 1, "vendors": [7]}],
  "categories": {"analytics": [1, 7, 8, 9], "marketing": [1, 2, 3, 4]},
  "lists": {"en": "/s/x/gvl.en.1.json"}}"#;

fn list(policy: u8, vendors: &str) -> String {
    let purposes: Vec<String> = (1..=11).map(|p| format!(r#""{p}": {{"id": {p}, "name": "P{p}"}}"#)).collect();
    format!(
        r#"{{"gvlSpecificationVersion": 3, "vendorListVersion": 90, "tcfPolicyVersion": {policy}, "lastUpdated": "2026-12-01T00:00:00Z",
        "purposes": {{{}}}, "specialPurposes": {{}}, "features": {{}}, "specialFeatures": {{}}, "vendors": {{{vendors}}}}}"#,
        purposes.join(",")
    )
}

const VENDORS: &str = r#""2": {"id": 2, "name": "Stats", "purposes": [1, 8], "legIntPurposes": [7, 9]},
  "7": {"id": 7, "name": "Ads", "purposes": [1, 3, 4], "legIntPurposes": [2], "flexiblePurposes": [2]},
  "9": {"id": 9, "name": "Fraud", "specialPurposes": [1]}"#;

/// The site from its settings and list as JSON (the Wasm reads the same from the parsed objects).
fn read(settings: &str, list: &str) -> Result<Site, serde_json::Error> {
    Ok(Site::new(serde_json::from_str(settings)?, serde_json::from_str(list)?))
}

fn site() -> Site {
    read(SETTINGS, &list(5, VENDORS)).expect("valid site")
}

#[test]
fn settings_and_list_make_the_setup() {
    let s = site();
    assert_eq!((s.setup.cmp_id, s.setup.cmp_version, s.setup.vendor_list_version, s.setup.policy_version), (300, 4, 90, 5));
    assert_eq!(&s.setup.publisher_country_code, b"NL");
    assert_eq!(s.setup.vendors.iter().map(|v| v.id).collect::<Vec<_>>(), [2, 7, 9]);
    assert_eq!(s.setup.restrictions.len(), 1);
    assert!(read("{}", &list(5, VENDORS)).is_err(), "settings without cmpId");
    assert!(read(SETTINGS, "[]").is_err(), "not a vendor list");
}

#[test]
fn all_and_no_categories_are_accept_all_and_reject_all() {
    let s = site();
    assert_eq!(s.choice_for(&["analytics".into(), "marketing".into()], true), Choice::accept_all(&s.setup));
    assert_eq!(s.choice_for(&["necessary".into()], false), Choice::reject_all(&s.setup));
    let reject = s.setup.tc_string(&s.choice_for(&[], false), 0, *b"EN");
    assert!(reject.core.purpose_consents.is_empty() && reject.core.vendor_consents.is_empty());
    assert!(reject.core.purpose_legitimate_interests.is_empty(), "no legitimate interest after Reject all");
}

#[test]
fn a_category_stands_for_its_purposes_and_refused_ones_are_objected_to() {
    let s = site();
    let c = s.choice_for(&["analytics".into()], false);
    assert_eq!(c.purposes, [1, 7, 8, 9].into());
    assert_eq!(c.vendors, [2, 7].into(), "vendors needing purpose 1, 7, 8 or 9 (7 needs 1)");
    assert_eq!(c.purpose_objections, [2, 3, 4].into(), "marketing's purposes, except those analytics also stands for");
    let tc = s.setup.tc_string(&c, 0, *b"EN");
    assert!(tc.core.purpose_legitimate_interests.iter().all(|p| !CONSENT_ONLY.contains(p) && *p != 2));
    assert_eq!(tc.core.purpose_legitimate_interests, [7, 9].into());
}

#[test]
fn a_stored_string_stands_for_the_same_policy_and_vendors_only() {
    let s = site();
    let made = s.setup.tc_string(&Choice::accept_all(&s.setup), 1_700_000_000_000, *b"EN");
    let decoded = TcString::decode(&made.encode().expect("encodes")).expect("decodes");
    assert!(s.is_current(&decoded));
    let new_policy = read(SETTINGS, &list(6, VENDORS)).expect("valid");
    assert!(!new_policy.is_current(&decoded), "a new tcfPolicyVersion asks again");
    let more = format!(r#"{VENDORS}, "11": {{"id": 11, "name": "New", "purposes": [1]}}"#);
    assert!(!read(SETTINGS, &list(5, &more)).expect("valid").is_current(&decoded), "a new vendor asks again");
    let other_cmp = read(&SETTINGS.replace("300", "301"), &list(5, VENDORS)).expect("valid");
    assert!(!other_cmp.is_current(&decoded));
}

#[test]
fn additional_consent_lists_the_providers_and_consents_on_accept_all_only() {
    let s = site();
    assert_eq!(s.ac_string(true), "2~89.1301~dv.");
    assert_eq!(s.ac_string(false), "2~~dv.89.1301");
}
