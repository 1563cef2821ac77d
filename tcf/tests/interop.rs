//! Interop, not self-agreement: TC strings checked against the IAB's own
//! reference library, `@iabtechlabtcf/core` from the npm registry (run by
//! Node: `tests/tcf/iab.mjs`). Random models both ways, from fixed seeds:
//! strings we encode decode in the library to exactly our model; strings the
//! library encodes (against a generated Global Vendor List) decode in ours to
//! exactly what the library reads from them.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use consent_tcf::{Core, Publisher, Restriction, RestrictionType, TcString};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const CASES: usize = 200;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the witness script; it needs `npm ci` (the test command's setup) to have installed the library.
fn node(args: &[&str], stdin: Option<String>) -> Value {
    let root = root();
    assert!(root.join("node_modules/@iabtechlabtcf/core").exists(), "@iabtechlabtcf/core is missing: run `cargo xtask setup`");
    let mut child = Command::new("node").arg(root.join("tests/tcf/iab.mjs")).args(args).current_dir(&root).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("node");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or_default().as_bytes()).expect("write");
    drop(input);
    let out = child.wait_with_output().expect("node ran");
    assert!(out.status.success(), "iab.mjs failed");
    serde_json::from_slice(&out.stdout).expect("JSON from iab.mjs")
}

/// Our model in the witness's shape: absent optional segments as empty ones, restrictions in order.
fn shaped(tc: &TcString) -> Value {
    let mut tc = tc.clone();
    tc.disclosed_vendors.get_or_insert_with(BTreeSet::new);
    tc.publisher.get_or_insert_with(Publisher::default);
    tc.core.publisher_restrictions.sort_by_key(|r| (r.purpose, r.kind));
    serde_json::to_value(&tc).expect("serialise")
}

fn ids<T: Ord + Copy>(rng: &mut StdRng, candidates: impl Iterator<Item = T>, p: f64) -> BTreeSet<T> {
    candidates.filter(|_| rng.random_bool(p)).collect()
}

fn letters(rng: &mut StdRng) -> [u8; 2] {
    [b'A' + rng.random_range(0..26u8), b'A' + rng.random_range(0..26u8)]
}

/// Long runs, scattered ids, or a few: both vendor encodings occur.
fn vendors(rng: &mut StdRng, max: u16) -> BTreeSet<u16> {
    match rng.random_range(0..3) {
        0 => ids(rng, 1..=max, 0.5),
        1 => (1..=max).filter(|id| id % 97 < 80).collect(),
        _ => ids(rng, 1..=max, 0.01),
    }
}

fn random_core(rng: &mut StdRng, max: u16) -> Core {
    let kinds = [RestrictionType::NotAllowed, RestrictionType::RequireConsent, RestrictionType::RequireLegitimateInterest];
    // One restriction per purpose (the library keeps one type per vendor and purpose), never empty.
    let purposes: Vec<u8> = (1..=11u8).filter(|_| rng.random_bool(0.2)).collect();
    let restrictions = purposes
        .into_iter()
        .map(|purpose| {
            let kind = kinds[rng.random_range(0..3)];
            let extra = rng.random_range(1..=max);
            Restriction { purpose, kind, vendors: ids(rng, 1..=max, 0.05).into_iter().chain([extra]).collect() }
        })
        .collect();
    let languages = [*b"EN", *b"NL", *b"FR", *b"DE", *b"ES", *b"IT", *b"PL", *b"SV"];
    let day = rng.random_range(10_000..30_000u64) * consent_tcf::DAY_DECISECONDS;
    Core {
        created: day,
        last_updated: day + rng.random_range(0..3) * consent_tcf::DAY_DECISECONDS,
        cmp_id: rng.random_range(2..4096),
        cmp_version: rng.random_range(0..4096),
        consent_screen: rng.random_range(0..64),
        consent_language: languages[rng.random_range(0..languages.len())],
        vendor_list_version: rng.random_range(1..4096),
        policy_version: rng.random_range(2..6),
        is_service_specific: rng.random_bool(0.8),
        use_non_standard_texts: rng.random_bool(0.2),
        special_feature_optins: ids(rng, 1..=12, 0.3),
        purpose_consents: ids(rng, 1..=24, 0.5),
        purpose_legitimate_interests: ids(rng, 1..=24, 0.3),
        purpose_one_treatment: rng.random_bool(0.2),
        publisher_country_code: letters(rng),
        vendor_consents: vendors(rng, max),
        vendor_legitimate_interests: vendors(rng, max),
        publisher_restrictions: restrictions,
    }
}

fn random(rng: &mut StdRng) -> TcString {
    let max: u16 = rng.random_range(1..3000);
    let core = random_core(rng, max);
    let custom = rng.random_range(0..8u8);
    TcString {
        core,
        disclosed_vendors: Some(vendors(rng, max)),
        allowed_vendors: None,
        publisher: Some(Publisher {
            consents: ids(rng, 1..=24, 0.4),
            legitimate_interests: ids(rng, 1..=24, 0.2),
            num_custom_purposes: custom,
            custom_consents: ids(rng, 1..=custom, 0.5),
            custom_legitimate_interests: ids(rng, 1..=custom, 0.5),
        }),
    }
}

#[test]
fn our_strings_decode_in_the_iab_library_to_our_model() {
    let mut rng = StdRng::seed_from_u64(18);
    let models: Vec<TcString> = (0..CASES).map(|_| random(&mut rng)).collect();
    let strings: Vec<String> = models.iter().map(|m| m.encode().expect("encodable")).collect();
    let decoded = node(&["decode"], Some(serde_json::to_string(&strings).expect("json")));
    let decoded = decoded.as_array().expect("an array");
    assert_eq!(decoded.len(), CASES);
    for ((model, string), theirs) in models.iter().zip(&strings).zip(decoded) {
        assert_eq!(&shaped(model), theirs, "{string}");
    }
}

#[test]
fn the_iab_librarys_strings_decode_in_ours_as_in_theirs() {
    let made = node(&["encode", "19", &CASES.to_string()], None);
    let made = made.as_array().expect("an array");
    assert_eq!(made.len(), CASES);
    let mut restricted = 0;
    for case in made {
        let string = case["string"].as_str().expect("string");
        let ours = TcString::decode(string).unwrap_or_else(|e| panic!("{string}: {e}"));
        assert_eq!(shaped(&ours), case["decoded"], "{string}");
        assert_eq!(TcString::decode(&ours.encode().expect("encodable")).as_ref(), Ok(&ours), "re-encoded: {string}");
        restricted += usize::from(!ours.core.publisher_restrictions.is_empty());
    }
    assert!(restricted > CASES / 10, "publisher restrictions occur ({restricted})");
}
