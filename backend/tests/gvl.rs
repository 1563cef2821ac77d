//! The Global Vendor List as the server reads it: a generated v3 list (as the
//! IAB publishes them) loads, is cut to a site's vendors, translated, and the
//! subset it would serve is read by the IAB's own `GVL` class
//! (`@iabtechlabtcf/core`, via `tests/tcf/iab.mjs`). Broken lists name the field.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use consent_server::tcf::gvl::{GvlError, VendorList};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn node(args: &[&str], stdin: &str) -> Value {
    let mut child = Command::new("node").arg(root().join("tests/tcf/iab.mjs")).args(args).current_dir(root()).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("node");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("node ran");
    assert!(out.status.success(), "iab.mjs {args:?} failed");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// One way to break a vendor list.
type Breaker = fn(&mut Value);

/// A folder with a generated 350-vendor list.
fn folder() -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = node(&["gvl", "5", "350"], "");
    std::fs::write(dir.path().join("vendor-list.json"), list.to_string()).expect("write");
    (dir, list)
}

#[test]
fn a_site_gets_its_vendors_and_the_iab_library_reads_the_subset() {
    let (dir, _) = folder();
    let gvl = VendorList::load(dir.path()).expect("a valid list");
    assert_eq!(gvl.vendors.len(), 350);
    let subset = gvl.for_site(&[1, 7, 350]).expect("known vendors");
    assert_eq!(subset.vendors.keys().copied().collect::<Vec<_>>(), [1, 7, 350]);
    let theirs = node(&["read-gvl"], &serde_json::to_string(&subset).expect("json"));
    assert_eq!(theirs["vendors"], serde_json::json!([1, 7, 350]));
    assert_eq!(theirs["vendorListVersion"], u64::from(gvl.vendor_list_version));
    assert_eq!(theirs["purposes"], 11);
    let err = gvl.for_site(&[1, 999]).expect_err("999 is not listed");
    assert!(matches!(err, GvlError::UnknownVendor(999, _)), "{err}");
    assert!(err.to_string().starts_with("tcf.vendors: vendor 999"), "{err}");
}

#[test]
fn deleted_vendors_and_broken_lists_are_refused_by_field() {
    let (dir, list) = folder();
    let mut deleted = list.clone();
    deleted["vendors"]["7"]["deletedDate"] = "2026-10-01T00:00:00Z".into();
    std::fs::write(dir.path().join("vendor-list.json"), deleted.to_string()).expect("write");
    let gvl = VendorList::load(dir.path()).expect("a deleted vendor is still a valid list");
    assert!(matches!(gvl.for_site(&[7]), Err(GvlError::DeletedVendor(7, _))));
    let cases: [(&str, Breaker); 4] = [
        ("gvlSpecificationVersion", |l| l["gvlSpecificationVersion"] = 2.into()),
        ("purposes.11", |l| drop(l["purposes"].as_object_mut().map(|m| m.remove("11")))),
        ("vendors.3.purposes", |l| l["vendors"]["3"]["purposes"] = serde_json::json!([1, 12])),
        ("vendors.4.id", |l| l["vendors"]["4"]["id"] = 5.into()),
    ];
    for (field, break_it) in cases {
        let mut broken = list.clone();
        break_it(&mut broken);
        std::fs::write(dir.path().join("vendor-list.json"), broken.to_string()).expect("write");
        let err = VendorList::load(dir.path()).expect_err(field).to_string();
        assert!(err.contains(&format!("vendor-list.json: {field}:")), "{field}: {err}");
    }
    std::fs::write(dir.path().join("vendor-list.json"), "{ not json").expect("write");
    assert!(matches!(VendorList::load(dir.path()), Err(GvlError::Parse { .. })));
}

#[test]
fn translations_replace_the_texts_they_have() {
    let (dir, _) = folder();
    let translation = serde_json::json!({
        "gvlSpecificationVersion": 3, "language": "nl", "tcfPolicyVersion": 5,
        "purposes": { "1": { "id": 1, "name": "Informatie opslaan op een apparaat", "description": "<b>tekst</b>", "illustrations": [] } },
        "specialPurposes": {}, "features": {}, "specialFeatures": {}
    });
    std::fs::write(dir.path().join("purposes-nl.json"), translation.to_string()).expect("write");
    let gvl = VendorList::load(dir.path()).expect("valid");
    let nl = gvl.translated(dir.path(), "nl").expect("translated");
    assert_eq!(nl.purposes[&1].name, "Informatie opslaan op een apparaat");
    assert_eq!(nl.purposes[&1].description, "<b>tekst</b>", "kept as text; the widget shows it as text");
    assert_eq!(nl.purposes[&2], gvl.purposes[&2], "an untranslated purpose keeps the English text");
    assert_eq!(gvl.translated(dir.path(), "fr").expect("no file"), gvl, "no translation file: English");
}
