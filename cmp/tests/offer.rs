//! What the TCF layers offer on a site: consent toggles, "object" switches
//! (never for purposes 1 and 3–6), special features, the special purposes and
//! features shown without a choice, and the stacks that shorten the list.

use consent_cmp::offer::Offer;
use consent_cmp::site::Site;

const SETTINGS: &str = r#"{"cmpId": 300, "cmpVersion": 4, "country": "NL", "cookie": "euconsent-v2", "publisherLegitimateInterests": [11]}"#;

fn site(stacks: &str) -> Site {
    let list = format!(
        r#"{{"vendorListVersion": 9, "tcfPolicyVersion": 5, "stacks": {{{stacks}}}, "vendors": {{
        "2": {{"id": 2, "purposes": [1, 3], "legIntPurposes": [2, 7], "features": [1], "specialFeatures": [1]}},
        "5": {{"id": 5, "purposes": [4], "flexiblePurposes": [4], "legIntPurposes": [7], "specialPurposes": [1, 2]}},
        "6": {{"id": 6, "purposes": [9], "legIntPurposes": [3], "specialFeatures": [2], "deletedDate": "2026-01-01T00:00:00Z"}}}}}}"#
    );
    Site::new(serde_json::from_str(SETTINGS).expect("settings"), serde_json::from_str(&list).expect("list"))
}

#[test]
fn the_offer_follows_the_vendors_and_the_publisher() {
    let o = Offer::of(&site(""));
    let ids = |s: &std::collections::BTreeSet<u8>| s.iter().copied().collect::<Vec<_>>();
    assert_eq!(ids(&o.consent_purposes), [1, 3, 4], "a deleted vendor offers nothing");
    assert_eq!(ids(&o.li_purposes), [2, 7, 11], "the publisher's LI purposes too; never 1 or 3-6");
    assert_eq!((ids(&o.special_purposes), ids(&o.features), ids(&o.special_features)), (vec![1, 2], vec![1], vec![1]));
    assert_eq!(o.users[7], 2, "purpose 7 has two vendors");
    assert_eq!(o.users[1], 1);
    assert!(o.stacks.is_empty());
}

#[test]
fn stacks_shorten_the_list_only_with_what_is_on_offer_and_never_overlap() {
    let stacks = r#""1": {"id": 1, "purposes": [1, 3]}, "2": {"id": 2, "purposes": [1, 3, 4]},
        "3": {"id": 3, "purposes": [4], "specialFeatures": [1]}, "4": {"id": 4, "purposes": [9, 1]},
        "5": {"id": 5, "purposes": [4]}, "6": {"id": 6, "purposes": [], "specialFeatures": [1, 2]}"#;
    let s = site(stacks);
    let o = Offer::of(&s);
    // 2 (three items) first; 1 and 3 overlap it; 4 names purpose 9, not on offer;
    // 5 is one item; 6 names special feature 2, only a deleted vendor's.
    assert_eq!(o.stacks, [2]);
    assert_eq!((o.stack_of_purpose(&s, 3), o.stack_of_purpose(&s, 7)), (Some(2), None));
    assert_eq!(o.stack_of_feature(&s, 1), None);
}
