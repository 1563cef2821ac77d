//! The fairness guard over `[[variants]]`, rule by rule: a variant where
//! refusing is harder than accepting is refused when the site's texts are made
//! (server start, reload, `check-config`, `cargo xtask build`), and the error
//! names the variant and the rule. Variants that change order, size, colour or
//! words without tilting the choice load.

use std::path::{Path, PathBuf};

use consent_wire::config::{ConfigError, SiteConfig};

fn pkg_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config")
}

/// The reference site with its own variants replaced by `variants`.
fn site(variants: &str) -> Result<SiteConfig, ConfigError> {
    let text = std::fs::read_to_string(pkg_config().join("sites/luxhost.toml")).expect("luxhost.toml");
    let base = text.split("\n[[variants]]").next().unwrap_or(&text);
    SiteConfig::parse(&format!("{base}\n{variants}"), Path::new("sites/luxhost.toml"))
}

fn variant(id: &str, body: &str) -> String {
    let weight = if body.contains("weight") { "" } else { "weight = 1\n" };
    format!("[[variants]]\nid = \"{id}\"\n{weight}{body}\n")
}

/// The guard's verdict on one variant: `None` when it loads.
fn verdict(body: &str) -> Option<(String, String)> {
    let s = site(&(variant("fair", "") + &variant("x", body))).expect("the schema holds");
    match s.texts(&pkg_config()) {
        Ok(_) => None,
        Err(ConfigError::Unfair { variant, rule, detail, .. }) => Some((variant, format!("{rule}: {detail}"))),
        Err(other) => panic!("not the guard: {other}"),
    }
}

#[test]
fn each_rule_refuses_its_variant_by_name() {
    let cases = [
        ("reject-missing", "buttons = [\"accept\", \"preferences\"]"),
        ("reject-missing", "texts.en = { reject_all = \" \" }"),
        ("smaller", "accept = { size = \"large\" }"),
        ("smaller", "reject = { size = \"small\" }"),
        ("lower-contrast", "accept = { color = \"#ffffff\", background = \"#0b57d0\" }\nreject = { color = \"#777777\", background = \"#888888\" }"),
        ("fewer-words", "texts.en = { accept_all = \"Yes, accept every cookie\", reject_all = \"No\" }"),
        ("element-type", "reject = { element = \"link\" }"),
        ("tab-stops", "buttons = [\"accept\", \"preferences\", \"reject\"]"),
    ];
    for (rule, body) in cases {
        let (variant, why) = verdict(body).unwrap_or_else(|| panic!("{rule} not caught: {body}"));
        assert_eq!(variant, "x", "{body}");
        assert!(why.starts_with(rule), "{body}: {why}");
    }
    let err = site(&variant("tilted", "reject = { size = \"small\" }")).expect("schema").texts(&pkg_config()).expect_err("refused").to_string();
    assert_eq!(err, "site luxhost: banner variant `tilted` is unfair (smaller): reject is small, accept normal; refusing must be as easy as accepting");
}

#[test]
fn variants_that_keep_the_choice_even_load() {
    for body in [
        "buttons = [\"reject\", \"accept\", \"preferences\"]",
        "buttons = [\"preferences\", \"accept\", \"reject\"]",
        "accept = { size = \"large\" }\nreject = { size = \"large\" }",
        "reject = { size = \"large\" }",
        "accept = { element = \"link\" }\nreject = { element = \"link\" }",
        "accept = { color = \"#777777\", background = \"#888888\" }\nreject = { color = \"#ffffff\", background = \"#0b57d0\" }",
        "layout = \"modal\"\ntexts.nl = { title = \"Mag het?\", accept_all = \"Ja\", reject_all = \"Nee, liever niet\" }",
    ] {
        assert_eq!(verdict(body), None, "{body}");
    }
}

#[test]
fn the_schema_names_the_bad_field() {
    let field = |body: &str| match site(&variant("x", body)) {
        Err(ConfigError::Invalid { field, .. }) => field,
        other => panic!("{body}: {:?}", other.map(|s| s.variants.len())),
    };
    assert_eq!(field("weight = 0"), "variants[0].weight");
    assert_eq!(field("buttons = [\"accept\", \"reject\", \"reject\", \"preferences\"]"), "variants[0].buttons[2]");
    assert_eq!(field("buttons = [\"reject\", \"preferences\"]"), "variants[0].buttons");
    assert_eq!(field("texts.nl = { save = \"Opslaan\" }"), "variants[0].texts.nl.save");
    assert_eq!(field("texts.xx = { title = \"?\" }"), "variants[0].texts.xx");
    assert_eq!(field("accept = { color = \"red\", background = \"#000000\" }"), "variants[0].accept");
    assert_eq!(field("accept = { color = \"#ffffff\", background = \"#000000\" }"), "variants[0].reject", "colour both or neither");
    assert!(matches!(site(&(variant("a", "") + &variant("a", ""))), Err(ConfigError::Invalid { field, .. }) if field == "variants[1].id"));
}
