//! `[gpp]` in a site file: read, and checked field by field when enabled.

use std::path::{Path, PathBuf};

use consent_wire::config::gpp::MspaMode;
use consent_wire::config::SiteConfig;

fn reference() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml")).expect("reference site")
}

const GPP: &str = "[gpp]\nenabled = true\ncmp_id = 300\napplicable_sections = [7]\n[gpp.usnat]\nsharing_notice = true\nsale_opt_out_notice = true\nsharing_opt_out_notice = true\ntargeted_advertising_opt_out_notice = true\nsale_categories = [\"marketing\"]\nsharing_categories = [\"marketing\"]\ntargeted_advertising_categories = [\"marketing\", \"analytics\"]\n";

fn load(name: &str, text: &str) -> Result<SiteConfig, consent_wire::config::ConfigError> {
    let dir: PathBuf = std::env::temp_dir().join(format!("consent-gpp-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).expect("write fixture");
    SiteConfig::load(&path)
}

#[test]
fn a_gpp_block_is_read() {
    let site = load("good", &format!("{}\n{GPP}", reference())).expect("a valid [gpp]");
    let gpp = site.gpp.expect("[gpp] read");
    let usnat = gpp.usnat.expect("[gpp.usnat] read");
    assert_eq!((gpp.cmp_id, gpp.applicable_sections, usnat.mspa_mode), (Some(300), vec![7], MspaMode::None));
    assert_eq!(usnat.targeted_advertising_categories, ["marketing", "analytics"]);
}

#[test]
fn gpp_is_checked_field_by_field_when_enabled() {
    let cases = [
        ("cmp_id = 300\n", "cmp_id = 0\n", "gpp.cmp_id"),
        ("cmp_id = 300\n", "cmp_id = 4096\n", "gpp.cmp_id"),
        ("applicable_sections = [7]", "applicable_sections = [2]", "gpp.applicable_sections[0]"),
        ("applicable_sections = [7]", "applicable_sections = [6]", "gpp.applicable_sections[0]"),
        ("applicable_sections = [7]", "applicable_sections = [-1, 7]", "gpp.applicable_sections"),
        ("applicable_sections = [7]", "applicable_sections = []", "gpp.applicable_sections"),
        ("sale_categories = [\"marketing\"]", "sale_categories = [\"shop\"]", "gpp.usnat.sale_categories[0]"),
        ("sale_categories = [\"marketing\"]", "sale_categories = [\"necessary\"]", "gpp.usnat.sale_categories[0]"),
        ("sale_categories = [\"marketing\"]", "sale_categories = []", "gpp.usnat.sale_categories"),
        ("sharing_notice = true", "sharing_notice = true\nmspa_covered_transaction = true", "gpp.usnat.mspa_mode"),
        ("sharing_notice = true", "sharing_notice = true\nmspa_mode = \"service_provider\"", "gpp.usnat.mspa_mode"),
        ("sharing_notice = true", "sharing_notice = \"yes\"", "sharing_notice"),
    ];
    for (from, to, field) in cases {
        let text = format!("{}\n{}", reference(), GPP.replace(from, to));
        let err = load("bad", &text).expect_err(to).to_string();
        assert!(err.contains(field), "{to}: error `{err}` should name {field}");
    }
    let usnat_gone = GPP[..GPP.find("[gpp.usnat]").expect("usnat")].to_owned();
    let err = load("no-usnat", &format!("{}\n{usnat_gone}", reference())).expect_err("section 7 without usnat").to_string();
    assert!(err.contains("gpp.applicable_sections[0]"), "{err}");
    let covered = GPP.replace("sharing_notice = true", "sharing_notice = true\nmspa_covered_transaction = true\nmspa_mode = \"opt_out_option\"");
    assert!(load("covered", &format!("{}\n{covered}", reference())).is_ok());
    let unregistered = load("unregistered", &format!("{}\n{}", reference(), GPP.replace("cmp_id = 300\n", ""))).expect("no CMP id");
    assert_eq!(unregistered.gpp.expect("gpp").cmp_id(None), 1, "1 for a publisher without a registered CMP id");
    let off = GPP.replace("enabled = true", "enabled = false").replace("cmp_id = 300\n", "");
    assert!(load("off", &format!("{}\n{off}", reference())).is_ok(), "a disabled [gpp] is not checked");
}
