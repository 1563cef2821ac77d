//! GPP strings against the IAB's reference library, `@iabgpp/cmpapi` from the
//! npm registry (`tests/tcf/gpp.mjs`): random `usnat` sections both ways, a
//! `tcfeuv2` section from a visitor's choice, and a published v1 example.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use consent_tcf::{Choice, GppString, Setup, UsNat, VendorInfo};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const CASES: usize = 200;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn node(args: &[&str], stdin: &str) -> Value {
    assert!(root().join("node_modules/@iabgpp/cmpapi").exists(), "@iabgpp/cmpapi is missing: run `cargo xtask setup`");
    let mut child = Command::new("node").arg(root().join("tests/tcf/gpp.mjs")).args(args).current_dir(root()).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("node");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("node ran");
    assert!(out.status.success(), "gpp.mjs {args:?} failed");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn random_usnat(rng: &mut StdRng) -> UsNat {
    let mut v = || rng.random_range(0..3u8);
    let mut u = UsNat { sharing_notice: v(), sale_opt_out_notice: v(), sharing_opt_out_notice: v(), targeted_advertising_opt_out_notice: v(), ..UsNat::default() };
    (u.sensitive_data_processing_opt_out_notice, u.sensitive_data_limit_use_notice) = (v(), v());
    (u.sale_opt_out, u.sharing_opt_out, u.targeted_advertising_opt_out) = (v(), v(), v());
    u.sensitive_data_processing = std::array::from_fn(|_| v());
    u.known_child_sensitive_data_consents = std::array::from_fn(|_| v());
    (u.personal_data_consents, u.mspa_opt_out_option_mode, u.mspa_service_provider_mode) = (v(), v(), v());
    u.mspa_covered_transaction = 1 + rng.random_range(0..2u8);
    u.gpc = [None, Some(false), Some(true)][rng.random_range(0..3)];
    u
}

fn setup() -> Setup {
    let vendor = |id| VendorInfo { id, purposes: [1, 2, 3].into(), leg_int_purposes: [7].into(), ..VendorInfo::default() };
    Setup { cmp_id: 300, cmp_version: 1, vendor_list_version: 120, policy_version: 5, publisher_country_code: *b"NL", vendors: (1..=40).map(vendor).collect(), ..Setup::default() }
}

#[test]
fn our_gpp_strings_read_the_same_in_the_iab_library() {
    let mut rng = StdRng::seed_from_u64(7);
    let s = setup();
    let models: Vec<GppString> = (0..CASES)
        .map(|i| {
            let tcf = (i % 3 != 0).then(|| s.tc_string(&if i % 2 == 0 { Choice::accept_all(&s) } else { Choice::reject_all(&s) }, 1_796_000_000_000, *b"EN"));
            GppString { tcfeuv2: tcf, usnat: (i % 3 != 1).then(|| random_usnat(&mut rng)) }
        })
        .collect();
    let strings: Vec<String> = models.iter().map(|m| m.encode().expect("encodable")).collect();
    let theirs = node(&["decode"], &serde_json::to_string(&strings).expect("json"));
    for ((model, string), theirs) in models.iter().zip(&strings).zip(theirs.as_array().expect("array")) {
        assert_eq!(theirs["sections"], serde_json::json!(model.section_ids()), "{string}");
        assert_eq!(theirs["usnat"], serde_json::to_value(&model.usnat).expect("json"), "{string}");
        match &model.tcfeuv2 {
            None => assert!(theirs["tcfeuv2"].is_null()),
            Some(tc) => {
                assert_eq!(theirs["tcfeuv2"]["cmp_id"], 300);
                assert_eq!(theirs["tcfeuv2"]["purpose_consents"], serde_json::json!(tc.core.purpose_consents), "{string}");
                assert_eq!(theirs["tcfeuv2"]["vendor_consents"], serde_json::json!(tc.core.vendor_consents), "{string}");
                assert_eq!(theirs["tcfeuv2"]["vendors_disclosed"], serde_json::json!((1..=40).collect::<BTreeSet<u16>>()), "{string}");
            }
        }
        assert_eq!(GppString::decode(string).as_ref(), Ok(model), "round trip: {string}");
    }
}

#[test]
fn the_iab_librarys_gpp_strings_read_the_same_in_ours() {
    let made = node(&["encode", "23", &CASES.to_string()], "");
    for case in made.as_array().expect("array") {
        let string = case["string"].as_str().expect("string");
        let ours = GppString::decode(string).unwrap_or_else(|e| panic!("{string}: {e}"));
        assert_eq!(ours.section_ids(), [7]);
        assert_eq!(serde_json::to_value(&ours.usnat).expect("json"), case["usnat"], "{string}");
        assert_eq!(ours.encode().as_deref(), Ok(string), "byte for byte: {string}");
    }
}

#[test]
fn a_version_1_usnat_section_still_reads() {
    // usnat v1 with its GPC sub-section (GPC off).
    let gpp = GppString::decode("DBABLA~BVQqAAAAAgA.QA").expect("a v1 section");
    let us = gpp.usnat.expect("usnat");
    assert_eq!((us.sharing_notice, us.sale_opt_out_notice, us.sale_opt_out, us.mspa_covered_transaction), (1, 1, 2, 2));
    assert_eq!(us.gpc, Some(false));
    assert!(GppString::decode("DBABLA~BVQqAAAAAgA.QA~x").is_ok(), "a section past the header's list is ignored");
    assert!(GppString::decode("XBABLA~BVQ").is_err(), "not a GPP header");
}
