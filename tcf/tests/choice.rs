//! A visitor's choice made into the TC string by the CMP rules.

use std::collections::BTreeSet;

use consent_tcf::{ac_string, Choice, Restriction, RestrictionType, Setup, TcString, VendorInfo, DAY_DECISECONDS};

fn set<T: Ord + Copy>(v: &[T]) -> BTreeSet<T> {
    v.iter().copied().collect()
}

fn vendor(id: u16, purposes: &[u8], li: &[u8], flexible: &[u8], special: &[u8]) -> VendorInfo {
    VendorInfo { id, purposes: set(purposes), leg_int_purposes: set(li), flexible_purposes: set(flexible), special_purposes: set(special) }
}

fn setup() -> Setup {
    Setup {
        cmp_id: 300,
        cmp_version: 1,
        vendor_list_version: 120,
        policy_version: 5,
        publisher_country_code: *b"NL",
        vendors: vec![
            vendor(1, &[1, 2, 3, 4], &[7], &[], &[1]),
            // Declares LI for purpose 3, which the rules never allow.
            vendor(2, &[1], &[2, 3, 10], &[], &[]),
            // Only flexible purposes: consent through a restriction, else nothing.
            vendor(3, &[], &[], &[2, 7], &[]),
            // Only special purposes: its LI bit is set when disclosed.
            vendor(4, &[], &[], &[], &[1, 2]),
        ],
        publisher_purposes: set(&[1, 2]),
        publisher_legitimate_interests: set(&[4, 7]),
        restrictions: vec![Restriction { purpose: 2, kind: RestrictionType::RequireConsent, vendors: set(&[3]) }],
    }
}

const NOW_MS: u64 = 1_796_000_123_456;

#[test]
fn accept_all_sets_each_vendor_on_the_bases_it_declares() {
    let s = setup();
    let tc = s.tc_string(&Choice::accept_all(&s), NOW_MS, *b"EN");
    let c = &tc.core;
    assert_eq!(c.created % DAY_DECISECONDS, 0, "rounded to the day");
    assert!(c.created <= NOW_MS / 100 && NOW_MS / 100 - c.created < DAY_DECISECONDS);
    assert!(c.is_service_specific);
    assert_eq!(c.purpose_consents, (1..=11).collect());
    assert_eq!(c.purpose_legitimate_interests, set(&[2, 7, 10]), "never 1 or 3-6");
    assert_eq!(c.vendor_consents, set(&[1, 2, 3]), "3 through its restriction; 4 has no consent purpose");
    assert_eq!(c.vendor_legitimate_interests, set(&[1, 2, 4]), "4 declares only special purposes");
    assert_eq!(tc.disclosed_vendors, Some(set(&[1, 2, 3, 4])));
    let publisher = tc.publisher.as_ref().expect("the publisher declares purposes");
    assert_eq!((publisher.consents.clone(), publisher.legitimate_interests.clone()), (set(&[1, 2]), set(&[7])));
    assert_eq!(TcString::decode(&tc.encode().expect("encodable")), Ok(tc));
}

#[test]
fn reject_all_leaves_no_consent_and_no_legitimate_interest() {
    let s = setup();
    let tc = s.tc_string(&Choice::reject_all(&s), NOW_MS, *b"NL");
    let c = &tc.core;
    assert!(c.purpose_consents.is_empty() && c.special_feature_optins.is_empty() && c.vendor_consents.is_empty());
    assert!(c.purpose_legitimate_interests.is_empty() && c.vendor_legitimate_interests.is_empty());
    assert_eq!(tc.disclosed_vendors, Some(set(&[1, 2, 3, 4])), "still disclosed");
    let publisher = tc.publisher.expect("segment");
    assert!(publisher.consents.is_empty() && publisher.legitimate_interests.is_empty());
}

#[test]
fn an_objection_clears_only_what_it_names() {
    let s = setup();
    let mut choice = Choice::accept_all(&s);
    choice.vendor_objections.insert(2);
    choice.purpose_objections.insert(10);
    let c = s.tc_string(&choice, NOW_MS, *b"EN").core;
    assert_eq!(c.vendor_legitimate_interests, set(&[1, 4]));
    assert_eq!(c.purpose_legitimate_interests, set(&[2, 7]));
    assert_eq!(c.vendor_consents, set(&[1, 2, 3]), "consent is another legal basis");
    let mut no_restriction = s.clone();
    no_restriction.restrictions.clear();
    assert_eq!(no_restriction.tc_string(&Choice::accept_all(&no_restriction), NOW_MS, *b"EN").core.vendor_consents, set(&[1, 2]), "flexible alone is no basis");
}

#[test]
fn the_additional_consent_string_lists_consented_among_disclosed() {
    assert_eq!(ac_string(&set(&[1, 35, 41, 101]), &set(&[1, 9, 35, 41, 101])), "2~1.35.41.101~dv.9", "a consented id is not listed again");
    assert_eq!(ac_string(&set(&[]), &set(&[9, 21])), "2~~dv.9.21");
    assert_eq!(ac_string(&set(&[7]), &set(&[])), "2~~dv.", "nothing undisclosed is consented");
    assert_eq!(ac_string(&set(&[4_000_000_000]), &set(&[4_000_000_000])), "2~4000000000~dv.");
}
