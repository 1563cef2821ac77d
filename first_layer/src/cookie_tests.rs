use super::*;

fn sample() -> Consent {
    Consent {
        id: "0192f3a4-5b6c-7d8e-9f01-23456789abcd".into(),
        categories: vec!["necessary".into(), "analytics".into()],
        revision: "a1b2c3d4e5f6".into(),
        decided_s: 1_764_000_000,
        expires_s: 1_764_000_000 + 182 * 86_400,
    }
}

#[test]
fn round_trip() {
    let c = sample();
    let v = c.encode();
    assert_eq!(Consent::decode(&v), Ok(c));
    assert!(v.starts_with("1.0192f3a45b6c7d8e9f0123456789abcd.necessary+analytics.a1b2c3d4e5f6."));
    assert!(v.len() < 90, "value is compact: {v}");
}

#[test]
fn round_trip_with_only_required() {
    let mut c = sample();
    c.categories = vec!["necessary".into()];
    assert_eq!(Consent::decode(&c.encode()), Ok(c));
}

#[test]
fn expiry_inside_the_value() {
    let c = sample();
    assert!(c.is_current(c.decided_s + 10, "a1b2c3d4e5f6"));
    assert!(!c.is_current(c.expires_s, "a1b2c3d4e5f6"));
    assert!(!c.is_current(c.expires_s + 1, "a1b2c3d4e5f6"));
}

#[test]
fn old_revision_is_not_current() {
    let c = sample();
    assert!(!c.is_current(c.decided_s + 10, "ffffffffffff"));
}

#[test]
fn decision_from_the_future_is_not_current() {
    let c = sample();
    assert!(!c.is_current(c.decided_s - 2 * 86_400, "a1b2c3d4e5f6"));
}

#[test]
fn tampered_values_are_rejected() {
    let v = sample().encode();
    // Granting oneself marketing without recomputing the check.
    let forged = v.replace("necessary+analytics", "necessary+analytics+marketing");
    assert_eq!(Consent::decode(&forged), Err(Rejected::Tampered));
    // Extending the expiry.
    let mut parts: Vec<&str> = v.split('.').collect();
    parts[5] = "zzzzzz";
    assert_eq!(Consent::decode(&parts.join(".")), Err(Rejected::Tampered));
}

#[test]
fn truncated_values_are_rejected() {
    let v = sample().encode();
    for n in 0..v.len() {
        assert!(Consent::decode(&v[..n]).is_err(), "prefix of {n} bytes decoded");
    }
}

#[test]
fn garbage_is_rejected_not_a_panic() {
    for v in ["", ".", "1", "1......", "x.y", "%00", "1.ab.c.d.e.f.g", "\u{202e}1.2", "1.2.3.4.5.6.7.8"] {
        assert!(Consent::decode(v).is_err(), "{v:?} decoded");
    }
}

#[test]
fn unknown_version_is_rejected() {
    let c = sample();
    let body = c.encode();
    let (b, _) = body.rsplit_once('.').unwrap();
    let b2 = b.replacen('1', "2", 1);
    let mut v = b2.clone();
    v.push('.');
    push_radix(&mut v, u64::from(fnv1a(FNV_START, b2.as_bytes())), 36);
    assert_eq!(Consent::decode(&v), Err(Rejected::UnknownVersion));
}

#[test]
fn the_borrowed_reading_agrees_with_the_owned_one() {
    let v = sample().encode();
    let s = Stored::parse(&v).expect("parses");
    assert_eq!((s.id_hex, s.categories, s.revision), ("0192f3a45b6c7d8e9f0123456789abcd", "necessary+analytics", "a1b2c3d4e5f6"));
    assert!(s.is_current(s.decided_s + 10, "a1b2c3d4e5f6"));
    assert!(!s.is_current(s.decided_s + 10, "ffffffffffff"));
    assert!(!s.is_current(s.expires_s, "a1b2c3d4e5f6"));
    let none = Consent { categories: vec![], ..sample() };
    assert_eq!(Stored::parse(&none.encode()).map(|s| s.categories), Ok(""));
    assert_eq!(Consent::decode(&none.encode()), Ok(none));
}

#[test]
fn services_chosen_one_by_one_round_trip_and_category_only_cookies_still_read() {
    let parts = Consent { categories: vec!["necessary".into(), "analytics/bezoekstatistieken".into()], ..sample() };
    assert_eq!(Stored::parse(&parts.encode()).map(|s| s.categories), Ok("necessary+analytics/bezoekstatistieken"));
    assert_eq!(Consent::decode(&parts.encode()), Ok(parts));
    // A value written before services could be chosen (this exact string was stored by that widget).
    let old = Consent::decode("1.0192f3a45b6c7d8e9f0123456789abcd.necessary+analytics.a1b2c3d4e5f6.t68n40.tflog0.1cg91na").map(|c| c.categories);
    assert_eq!(old, Ok(vec!["necessary".into(), "analytics".into()]));
}

#[test]
fn finds_the_named_cookie() {
    let h = "a=1; cc_consent=1.abc; cc_consent_x=2";
    assert_eq!(find(h, "cc_consent"), Some("1.abc"));
    assert_eq!(find(h, "cc_consent_x"), Some("2"));
    assert_eq!(find(h, "cc"), None);
    assert_eq!(find("", "cc_consent"), None);
    assert_eq!(find("a=1;cc_consent=2", "cc_consent"), Some("2"));
    assert_eq!(find("cc_consent", "cc_consent"), None);
}

#[test]
fn cookie_attributes() {
    assert_eq!(set_cookie_string("cc_consent", "v", Some(15_724_800), None, true), "cc_consent=v; Path=/; SameSite=Lax; Max-Age=15724800; Secure");
    let session = set_cookie_string("cc_consent", "v", None, Some("example.com"), false);
    assert_eq!(session, "cc_consent=v; Path=/; SameSite=Lax; Domain=example.com");
    assert!(!session.contains("Max-Age") && !session.contains("Expires"));
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;

    prop_compose! {
        fn consent()(id in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                     cats in prop::collection::vec("[a-z0-9_-]{1,32}(/[a-z0-9_-]{1,32})?", 0..8), rev in "[0-9a-f]{1,64}",
                     decided in 0u64..4_000_000_000, valid in 0u64..40_000_000) -> Consent {
            Consent { id, categories: cats, revision: rev, decided_s: decided, expires_s: decided + valid }
        }
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(c in consent()) {
            prop_assert_eq!(Consent::decode(&c.encode()), Ok(c));
        }

        #[test]
        fn any_string_decodes_or_is_rejected_never_panics(s in "\\PC{0,120}") {
            let _ = Consent::decode(&s);
            let _ = find(&s, "cc_consent");
        }

        #[test]
        fn a_changed_byte_is_rejected(c in consent(), at in 0usize..200, b in any::<u8>()) {
            let mut bytes = c.encode().into_bytes();
            let at = at % bytes.len();
            if bytes[at] != b && b.is_ascii_graphic() {
                bytes[at] = b;
                let s = String::from_utf8(bytes).expect("ASCII stays UTF-8");
                // Any edit changes the body or the check; only a 1-in-2^32 FNV collision could pass.
                prop_assert!(Consent::decode(&s).is_err(), "a tampered value decoded: {}", s);
            }
        }
    }
}
