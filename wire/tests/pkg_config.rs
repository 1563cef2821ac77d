//! Every file in `pkg-config/` loads and validates: site configs, built-in
//! texts, and the policy source each site names.

use std::path::{Path, PathBuf};

use consent_wire::config::{load_texts, Service, SiteConfig};

fn pkg_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config")
}

#[test]
fn every_site_config_loads() {
    let sites = SiteConfig::load_dir(&pkg_config().join("sites")).expect("site configs load");
    assert!(sites.iter().any(|s| s.id == "luxhost"), "the reference site is configured");
    for site in &sites {
        let policy = pkg_config().join(&site.policy);
        let text = std::fs::read_to_string(&policy).unwrap_or_else(|e| panic!("{}: {e}", policy.display()));
        assert!(!text.trim().is_empty(), "{} is empty", policy.display());
        for lang in &site.languages {
            assert!(pkg_config().join("i18n").join(format!("{lang}.toml")).exists(), "{}: no built-in texts for {lang}", site.id);
        }
    }
}

/// The 24 official languages of the EU, Norwegian (Bokmål) and Icelandic, Arabic and Hebrew.
const BUILT_IN: [&str; 28] = ["ar", "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "he", "hr", "hu", "is", "it", "lt", "lv", "mt", "nb", "nl", "pl", "pt", "ro", "sk", "sl", "sv"];

#[test]
fn every_translation_loads_with_every_key_present_and_non_empty() {
    let mut langs = Vec::new();
    for entry in std::fs::read_dir(pkg_config().join("i18n")).expect("i18n folder") {
        let path = entry.expect("dir entry").path();
        let texts = load_texts(&path).unwrap_or_else(|e| panic!("{e}"));
        let lang = path.file_stem().and_then(|s| s.to_str()).expect("<lang>.toml").to_owned();
        assert_eq!(texts.len(), consent_wire::config::TEXT_KEYS.len(), "{lang}: every key, no other");
        if let Some((key, _)) = texts.iter().find(|(_, v)| v.trim().is_empty()) {
            panic!("{lang}: `{key}` is empty");
        }
        assert_ne!(texts["accept_all"], texts["reject_all"], "{lang}: Accept and Reject say different things");
        langs.push(lang);
    }
    langs.sort();
    assert_eq!(langs, BUILT_IN, "every EU language, Norwegian, Icelandic, Arabic and Hebrew are built in");
}

#[test]
fn every_built_in_language_has_the_tcf_layers_texts() {
    for entry in std::fs::read_dir(pkg_config().join("i18n")).expect("i18n folder") {
        let path = entry.expect("dir entry").path();
        let lang = path.file_stem().and_then(|s| s.to_str()).expect("<lang>.toml");
        let texts = consent_wire::config::tcf::texts(&pkg_config(), lang).unwrap_or_else(|e| panic!("{e}"));
        assert!(texts.values().all(|t| !t.trim().is_empty()), "{lang}: an empty TCF text");
    }
    let dir = std::env::temp_dir().join(format!("tcf-texts-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("i18n-tcf")).expect("temp dir");
    std::fs::write(dir.join("i18n-tcf/xx.toml"), "intro = \"x\"\n").expect("write");
    let err = consent_wire::config::tcf::texts(&dir, "xx").expect_err("incomplete").to_string();
    assert!(err.contains("xx.toml") && err.contains("missing text"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_reference_policy_keeps_the_source_words() {
    let md = std::fs::read_to_string(pkg_config().join("policy/luxhost.nl.md")).expect("policy source");
    // The text the site owner supplied, kept beside the test so a clean clone checks it too.
    let src = include_str!("fixtures/luxhost-privacy-policy.nl.txt");
    let words = |s: &str| s.split_whitespace().map(|w| w.trim_matches(|c: char| c == '#' || c == '*' || c == '-')).filter(|w| !w.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    assert!(words(src).len() > 500, "the supplied policy is all there");
    assert_eq!(words(&md), words(src), "policy Markdown must keep every word of the source, in order");
}

#[test]
fn the_revision_tells_apart_tables_that_concatenate_alike() {
    let site = SiteConfig::load(&pkg_config().join("sites/luxhost.toml")).expect("reference site");
    let with_services = |services: &[(&str, &str)]| {
        let mut s = site.clone();
        s.categories[0].services =
            services.iter().map(|(name, provider)| Service { id: None, consent_mode: Vec::new(), name: (*name).into(), provider: (*provider).into(), cookies: Vec::new() }).collect();
        s
    };
    // Fed field by field without lengths, both read "n\0pq\0".
    let split = with_services(&[("n", "p"), ("q", "")]);
    let joined = with_services(&[("n", "pq"), ("", "")]);
    assert_ne!(split.revision(&["policy"]), joined.revision(&["policy"]));
    assert_ne!(site.revision(&["ab"]), site.revision(&["a", "b"]), "policy sources keep their boundaries");
    assert_eq!(site.revision(&["policy"]), site.clone().revision(&["policy"]), "the revision is a function of the content");
}

#[test]
fn bad_fields_are_named() {
    let dir = tempfile_dir();
    let cases = [
        ("id = \"Bad Id\"", "`id`"),
        ("origins = [\"ftp://x\"]", "origins[0]"),
        ("default_language = \"es\"", "default_language"),
        ("policy_url = \"javascript:alert(1)\"", "policy_url"),
        // Browsers read both as another host.
        ("policy_url = \"//evil.example\"", "policy_url"),
        ("policy_url = \"/\\\\evil.example\"", "policy_url"),
        ("unknown_field = 1", "unknown field `unknown_field`"),
    ];
    let good = std::fs::read_to_string(pkg_config().join("sites/luxhost.toml")).expect("reference site");
    for (replacement, expected) in cases {
        let key = replacement.split(' ').next().expect("key");
        let mut text: String = good.lines().filter(|l| !l.starts_with(&format!("{key} ="))).map(|l| format!("{l}\n")).collect();
        text.insert_str(0, &format!("{replacement}\n"));
        let path = dir.join(format!("{key}.toml"));
        std::fs::write(&path, text).expect("write fixture");
        let err = SiteConfig::load(&path).expect_err(replacement).to_string();
        assert!(err.contains(expected), "{replacement}: error `{err}` should name {expected}");
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("consent-wire-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The reference site with a `[tcf]` block whose line starting with `key =` is `replacement`.
fn with_tcf(replacement: &str) -> String {
    let good = std::fs::read_to_string(pkg_config().join("sites/luxhost.toml")).expect("reference site");
    let block = ["enabled = true", "cmp_id = 300", "publisher_country = \"NL\"", "vendors = [1, 2, 755]", "categories = { marketing = [1, 2, 3, 4, 7], analytics = [8, 9] }"];
    let key = replacement.split(' ').next().unwrap_or_default();
    let mut lines: Vec<&str> = block.iter().copied().filter(|l| !l.starts_with(&format!("{key} ="))).collect();
    if !replacement.is_empty() {
        lines.push(replacement);
    }
    format!("{good}\n[tcf]\n{}\n", lines.join("\n"))
}

#[test]
fn tcf_is_checked_field_by_field_when_enabled() {
    let dir = tempfile_dir();
    let load = |name: &str, text: String| {
        let path = dir.join(format!("tcf-{name}.toml"));
        std::fs::write(&path, text).expect("write fixture");
        SiteConfig::load(&path)
    };
    let site = load("good", with_tcf("")).expect("a valid [tcf]");
    let tcf = site.tcf.expect("[tcf] read");
    assert_eq!((tcf.cmp_id, tcf.cookie_name.as_str(), tcf.vendors.len()), (300, "euconsent-v2", 3));
    let cases = [
        ("cmp_id = 1", "tcf.cmp_id"),
        ("cmp_id = 4096", "tcf.cmp_id"),
        ("publisher_country = \"nl\"", "tcf.publisher_country"),
        ("vendors = [3, 0]", "tcf.vendors[1]"),
        ("publisher_legitimate_interests = [7, 3]", "tcf.publisher_legitimate_interests[1]"),
        ("restrictions = [{ purpose = 1, kind = \"require_legitimate_interest\", vendors = [1] }]", "tcf.restrictions[0].kind"),
        ("restrictions = [{ purpose = 2, kind = \"not_allowed\", vendors = [1] }, { purpose = 2, kind = \"require_consent\", vendors = [1] }]", "tcf.restrictions[1].vendors"),
        ("categories = { shop = [1] }", "tcf.categories.shop"),
        ("categories = { necessary = [1] }", "tcf.categories.necessary"),
        ("categories = { marketing = [12] }", "tcf.categories.marketing"),
        ("cookie_name = \"eu consent\"", "tcf.cookie_name"),
        ("cmp_id = \"300\"", "cmp_id"),
    ];
    for (replacement, expected) in cases {
        let err = load(expected, with_tcf(replacement)).expect_err(replacement).to_string();
        assert!(err.contains(expected), "{replacement}: error `{err}` should name {expected}");
    }
    let off = with_tcf("cmp_id = 1").replace("enabled = true", "enabled = false");
    assert!(load("off", off).is_ok(), "a disabled [tcf] is not checked");
    let missing = with_tcf("").replace("cmp_id = 300\n", "");
    assert!(load("missing", missing).expect_err("no cmp_id").to_string().contains("cmp_id"));
}

#[test]
fn a_cookie_may_not_be_declared_beyond_what_browsers_keep() {
    let dir = tempfile_dir();
    let good = std::fs::read_to_string(pkg_config().join("sites/luxhost.toml")).expect("reference site");
    let path = dir.join("long-cookie.toml");
    std::fs::write(&path, good.replace("max_age_days = 396 }", "max_age_days = 401 }")).expect("write fixture");
    let err = SiteConfig::load(&path).expect_err("401 days").to_string();
    assert!(err.contains("services[0].cookies[0].max_age_days"), "{err}");
}

#[test]
fn a_tcf_sites_revision_follows_its_vendors_and_the_lists_policy_version() {
    let site = SiteConfig::load(&pkg_config().join("sites/luxhost.toml")).expect("reference site");
    let plain = site.revision(&["policy"]);
    assert_eq!(site.revision_with(&["policy"], None), plain, "without TCF the revision is what it was");
    let (a, b) = (site.revision_with(&["policy"], Some((&[1, 2], Some(5)))), site.revision_with(&["policy"], Some((&[1, 2, 3], Some(5)))));
    assert_ne!(a, plain);
    assert_ne!(a, b, "a vendor added asks again");
    assert_ne!(a, site.revision_with(&["policy"], Some((&[1, 2], Some(6)))), "a new TCF policy version asks again");
    assert_eq!(a, site.revision_with(&["policy"], Some((&[1, 2], Some(5)))));
}

#[test]
fn a_tcf_sites_first_layer_names_its_partners_purposes_and_features() {
    let dir = tempfile_dir().join("notice");
    for sub in ["sites", "i18n", "i18n-tcf", "policy", "tcf"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
        if let Ok(entries) = std::fs::read_dir(pkg_config().join(sub)) {
            for e in entries {
                let p = e.expect("entry").path();
                std::fs::copy(&p, dir.join(sub).join(p.file_name().expect("name"))).expect("copy");
            }
        }
    }
    let list = r#"{"purposes": {"1": {"id": 1, "name": "Store and/or access information on a device"}, "2": {"id": 2, "name": "Use limited data to select advertising"}, "7": {"id": 7, "name": "Measure advertising performance"}},
        "specialFeatures": {"1": {"id": 1, "name": "Use precise geolocation data"}},
        "vendors": {"1": {"id": 1, "purposes": [1], "legIntPurposes": [7]}, "2": {"id": 2, "purposes": [2], "specialFeatures": [1]}, "755": {"id": 755, "purposes": [1]}, "9": {"id": 9, "purposes": [11]}}}"#;
    std::fs::write(dir.join("tcf/vendor-list.json"), list).expect("list");
    std::fs::write(dir.join("tcf/purposes-nl.json"), r#"{"purposes": {"1": {"id": 1, "name": "Informatie op een apparaat opslaan"}}}"#).expect("nl");
    std::fs::write(dir.join("sites/luxhost.toml"), with_tcf("")).expect("site");
    let site = SiteConfig::load(&dir.join("sites/luxhost.toml")).expect("site");
    let texts = site.texts(&dir).expect("texts");
    let en = &texts["en"]["description"];
    assert!(en.ends_with("We and our 3 partners store and/or access information on a device and process personal data for these purposes: Store and/or access information on a device; Use limited data to select advertising; Measure advertising performance. With your consent they may also: Use precise geolocation data. Some partners rely on legitimate interest instead of consent; you can object to that under Preferences."), "{en}");
    assert!(
        texts["nl"]["description"].contains("Wij en onze 3 partners") && texts["nl"]["description"].contains("Informatie op een apparaat opslaan; Use limited data"),
        "translated names, English where the translation has none"
    );
    let plain = SiteConfig::load(&pkg_config().join("sites/luxhost.toml")).expect("reference").texts(&pkg_config()).expect("texts");
    assert!(en.starts_with(&plain["en"]["description"]), "the site's own description first");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_services_id_is_made_from_its_name_checked_and_unique_in_its_category() {
    let site = SiteConfig::load(&pkg_config().join("sites/luxhost.toml")).expect("reference site");
    let ids: Vec<String> = site.categories[1].services.iter().map(|s| s.id()).collect();
    assert_eq!(ids, ["bezoekstatistieken", "prestatiemeting"]);
    assert!(site.category_of("analytics/prestatiemeting").is_some_and(|c| c.id == "analytics"));
    assert!(site.category_of("marketing/prestatiemeting").is_none(), "a service belongs to one category");
    let dir = tempfile_dir();
    let good = std::fs::read_to_string(pkg_config().join("sites/luxhost.toml")).expect("reference site");
    let cases = [
        // A name of nothing but non-ASCII letters makes no id.
        (good.replace("name = \"Prestatiemeting\"", "name = \"Ώρα\""), "categories[1].services[1].id"),
        (good.replace("name = \"Prestatiemeting\"", "name = \"Bezoek-statistieken\"\nid = \"bezoekstatistieken\""), "duplicate service id \"bezoekstatistieken\""),
        (good.replace("name = \"Prestatiemeting\"", "name = \"P\"\nid = \"Bad Id\""), "categories[1].services[1].id"),
        (good.replace("name = \"Prestatiemeting\"", "name = \"P\"\nconsent_mode = [\"analytics\"]"), "categories[1].services[1].consent_mode"),
    ];
    for (i, (text, expected)) in cases.into_iter().enumerate() {
        let path = dir.join(format!("service-{i}.toml"));
        std::fs::write(&path, text).expect("write fixture");
        let err = SiteConfig::load(&path).expect_err(expected).to_string();
        assert!(err.contains(expected), "error `{err}` should name {expected}");
    }
}
