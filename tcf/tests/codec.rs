//! The codec on its own: any model round-trips; bad strings are refused with
//! the reason, never a panic, and cost bounded work.

use std::collections::BTreeSet;

use consent_tcf::{Core, Publisher, Restriction, RestrictionType, TcError, TcString};
use proptest::prelude::*;

fn set<T: Ord>(v: Vec<T>) -> BTreeSet<T> {
    v.into_iter().collect()
}

prop_compose! {
    fn core()(
        created in 0u64..(1 << 36), cmp_id in 2u16..4096, cmp_version in 0u16..4096, screen in 0u8..64,
        lang in proptest::array::uniform2(b'A'..=b'Z'), country in proptest::array::uniform2(b'A'..=b'Z'),
        vlv in 0u16..4096, policy in 0u8..64, flags in proptest::array::uniform3(any::<bool>()),
        features in proptest::collection::vec(1u8..=12, 0..12), consents in proptest::collection::vec(1u8..=24, 0..24),
        li in proptest::collection::vec(1u8..=24, 0..24),
        vendor_consents in proptest::collection::vec(1u16.., 0..300), vendor_li in proptest::collection::vec(1u16..2000, 0..300),
        restrictions in proptest::collection::vec((1u8..64, 0usize..3, proptest::collection::vec(1u16.., 1..50)), 0..5),
    ) -> Core {
        let kinds = [RestrictionType::NotAllowed, RestrictionType::RequireConsent, RestrictionType::RequireLegitimateInterest];
        Core {
            created, last_updated: created, cmp_id, cmp_version, consent_screen: screen, consent_language: lang,
            vendor_list_version: vlv, policy_version: policy, is_service_specific: flags[0], use_non_standard_texts: flags[1],
            special_feature_optins: set(features), purpose_consents: set(consents), purpose_legitimate_interests: set(li),
            purpose_one_treatment: flags[2], publisher_country_code: country,
            vendor_consents: set(vendor_consents), vendor_legitimate_interests: set(vendor_li),
            publisher_restrictions: restrictions.into_iter().map(|(purpose, k, v)| Restriction { purpose, kind: kinds[k], vendors: set(v) }).collect(),
        }
    }
}

proptest! {
    #[test]
    fn every_model_round_trips(core in core(), disclosed in proptest::option::of(proptest::collection::vec(1u16.., 0..200)),
                               publisher in proptest::option::of((proptest::collection::vec(1u8..=24, 0..24), 0u8..64))) {
        let publisher = publisher.map(|(consents, n)| Publisher {
            consents: set(consents), legitimate_interests: BTreeSet::new(), num_custom_purposes: n,
            custom_consents: (1..=n).step_by(2).collect(), custom_legitimate_interests: (1..=n).step_by(3).collect(),
        });
        let tc = TcString { core, disclosed_vendors: disclosed.map(set), allowed_vendors: None, publisher };
        let s = tc.encode().expect("encodable");
        prop_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'), "base64url, no padding: {}", s);
        prop_assert_eq!(TcString::decode(&s), Ok(tc));
    }

    #[test]
    fn any_text_is_refused_or_read_never_a_panic(s in "[A-Za-z0-9_.=+/-]{0,200}") {
        let _ = TcString::decode(&s);
    }
}

fn sample() -> TcString {
    let core = Core { cmp_id: 300, consent_language: *b"EN", publisher_country_code: *b"NL", policy_version: 5, vendor_list_version: 120, ..Core::default() };
    TcString { core, disclosed_vendors: Some(set(vec![1, 2, 3])), allowed_vendors: None, publisher: None }
}

#[test]
fn bad_strings_say_why() {
    let good = sample().encode().expect("encodable");
    assert_eq!(TcString::decode(""), Err(TcError::Truncated));
    assert_eq!(TcString::decode("CP=x"), Err(TcError::BadCharacter));
    assert_eq!(TcString::decode(&good[..good.len() / 2]), Err(TcError::Truncated));
    // Version 1 (`B…`) and 3 (`D…`) are not this format.
    assert_eq!(TcString::decode(&format!("B{}", &good[1..])), Err(TcError::Version(1)));
    let (core, disclosed) = good.split_once('.').expect("two segments");
    assert_eq!(TcString::decode(&format!("{core}.{disclosed}.{disclosed}")), Err(TcError::RepeatedSegment(1)));
    assert_eq!(TcString::decode(&format!("{core}.4AAA")), Err(TcError::SegmentType(7)));
    let mut bad = sample();
    bad.core.consent_language = *b"e1";
    assert_eq!(bad.encode(), Err(TcError::BadLetters));
    let mut bad = sample();
    bad.core.purpose_consents.insert(25);
    assert_eq!(bad.encode(), Err(TcError::OutOfField));
    let mut bad = sample();
    bad.core.vendor_consents.insert(0);
    assert_eq!(bad.encode(), Err(TcError::BadRange));
}

#[test]
fn overlapping_ranges_cost_bounded_work() {
    // A Disclosed Vendors segment of 4095 ranges each covering 1..=65535.
    let mut bits: Vec<bool> = Vec::new();
    let mut int = |v: u64, w: u32| bits.extend((0..w).rev().map(|i| (v >> i) & 1 == 1));
    int(1, 3);
    int(65535, 16);
    int(1, 1);
    int(4095, 12);
    for _ in 0..4095 {
        int(1, 1);
        int(1, 16);
        int(65535, 16);
    }
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let segment: String = bits.chunks(6).map(|c| alphabet[c.iter().fold(0usize, |v, &b| (v << 1) | usize::from(b)) << (6 - c.len())] as char).collect();
    let core = sample().encode().expect("encodable");
    let core = core.split('.').next().expect("core");
    let started = std::time::Instant::now();
    assert_eq!(TcString::decode(&format!("{core}.{segment}")), Err(TcError::TooManyEntries));
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn the_shorter_vendor_encoding_is_chosen() {
    let mut dense = sample();
    dense.disclosed_vendors = Some((1..=2000).collect());
    let mut sparse = sample();
    sparse.disclosed_vendors = Some(set(vec![2000]));
    let len = |tc: &TcString| tc.encode().expect("encodable").split('.').nth(1).map(str::len).unwrap_or(0);
    // One entry (65 bits with the header, 12 characters) instead of a 2,000-bit field.
    assert!(len(&dense) <= 12 && len(&sparse) <= 12, "{} {}", len(&dense), len(&sparse));
    let mut scattered = sample();
    scattered.disclosed_vendors = Some((1..=200).filter(|i| i % 2 == 0).collect());
    // 100 single entries cost 1,712 bits; the bit field 200.
    assert_eq!(len(&scattered), 40, "3 + 16 + 1 + 200 bits, padded to 240");
}
