//! The Global Vendor List as the server reads it: a generated v3 list (as the
//! IAB publishes them) loads, is cut to a site's vendors, translated, and the
//! subset it would serve is read by the IAB's own `GVL` class
//! (`@iabtechlabtcf/core`, via `tests/tcf/iab.mjs`). Broken lists name the field.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use consent_server::tcf::gvl::{GvlError, ListFiles, VendorList};
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

/// The reference config with `[tcf]` for `vendors`, and a generated list in `tcf/` when `with_list`.
fn tcf_config(vendors: &str, with_list: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_pkg_config(dir.path());
    let site = dir.path().join("sites/luxhost.toml");
    let mut text = std::fs::read_to_string(&site).expect("site");
    text.push_str(&format!("\n[tcf]\nenabled = true\ncmp_id = 300\npublisher_country = \"NL\"\nvendors = {vendors}\ncategories = {{ marketing = [1, 2, 3, 4, 7] }}\n"));
    std::fs::write(&site, text).expect("write");
    if with_list {
        std::fs::create_dir_all(dir.path().join("tcf")).expect("mkdir");
        std::fs::write(dir.path().join("tcf/vendor-list.json"), node(&["gvl", "5", "350"], "").to_string()).expect("write");
        let nl = serde_json::json!({ "language": "nl", "purposes": { "1": { "id": 1, "name": "Informatie op een apparaat opslaan" } }, "specialPurposes": {}, "features": {}, "specialFeatures": {} });
        std::fs::write(dir.path().join("tcf/purposes-nl.json"), nl.to_string()).expect("write");
    }
    dir
}

fn source(dir: &Path) -> consent_server::configuration::Source {
    let code = consent_server::bundles::WidgetCode::load(&root().join("www/consent")).expect("the widget is built (cargo xtask build)");
    consent_server::configuration::Source { pkg_config: dir.to_owned(), code: Some(std::sync::Arc::new(code)) }
}

#[test]
fn a_tcf_site_is_served_its_vendor_list_in_each_language() {
    let dir = tcf_config("[1, 2, 300]", true);
    let (_, bundles) = source(dir.path()).load().expect("loads");
    let lists: Vec<&str> = bundles.paths().into_iter().filter(|p| p.starts_with("/s/luxhost/gvl.")).collect();
    assert_eq!(lists.len(), 4, "nl, en, fr, de: {lists:?}");
    let nl = lists.iter().find(|p| p.starts_with("/s/luxhost/gvl.nl.")).expect("nl");
    let list: Value = serde_json::from_slice(&bundles.get(nl).expect("asset").identity).expect("json");
    assert_eq!(list["vendors"].as_object().map(|v| v.keys().cloned().collect::<Vec<_>>()), Some(vec!["1".into(), "2".into(), "300".into()]));
    assert_eq!(list["purposes"]["1"]["name"], "Informatie op een apparaat opslaan");
    let plain = tempfile::tempdir().expect("temp dir");
    common::copy_pkg_config(plain.path());
    let (_, without) = source(plain.path()).load().expect("loads");
    assert!(!without.paths().iter().any(|p| p.contains("/gvl.")), "a site without [tcf] gets no list");
}

#[test]
fn a_tcf_site_without_a_list_or_with_an_unknown_vendor_is_refused() {
    let missing = tcf_config("[1]", false);
    let err = source(missing.path()).load().err().expect("no vendor-list.json").to_string();
    assert!(err.starts_with("sites/luxhost.toml: reading ") && err.contains("tcf/vendor-list.json"), "{err}");
    let unknown = tcf_config("[1, 999]", true);
    let err = source(unknown.path()).load().err().expect("vendor 999").to_string();
    assert!(err.starts_with("sites/luxhost.toml: tcf.vendors: vendor 999 is not in the Global Vendor List"), "{err}");
}
