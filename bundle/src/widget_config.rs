//! The widget's config: the validated site config reduced to what the widget
//! needs, texts merged (built-in, then the site's overrides), revision computed;
//! plus the policy documents it fetches only when the viewer opens.
//!
//! It is written as two files. `config.json` holds what the banner's first layer
//! needs for the first decision and is on the critical path; `details.json` (named
//! in its `details` field) holds the rest and loads with the full widget, which
//! reads both merged, `config.json` winning where both have a value.

use std::collections::BTreeMap;
use std::path::Path;

use consent_wire::banner_version::{banner_version, Shown};
use consent_wire::config::{Layout, SiteConfig, Texts, Theme};
use serde_json::{json, Value};

use crate::consent_mode::{consent_default, consent_set};
use crate::{BundleError, Naming, PolicyFiles};

/// The texts the first layer shows (the rest go into `details.json`).
/// (`gpc_note` too, but only in the loaders of visitors who send GPC: `crate::audience`.)
const FIRST_LAYER_TEXTS: [&str; 6] = ["title", "description", "policy_link", "accept_all", "reject_all", "preferences"];

/// The widget config as written: `config.json` and `details.json`.
pub struct WidgetConfig {
    pub first: String,
    pub details: String,
    /// `config.json` as each other audience gets it: with GPC, each A/B variant,
    /// each region that is not opt-in ([`crate::audience`]).
    pub audiences: Vec<(crate::audience::Audience, String)>,
}

/// The widget config of `site`, whose policy files are `policy`.
pub fn build(pkg_config: &Path, site: &SiteConfig, texts: &BTreeMap<String, Texts>, policy: &BTreeMap<String, PolicyFiles>, naming: &dyn Naming) -> Result<WidgetConfig, BundleError> {
    let revision = site.current_revision(pkg_config)?;
    let (first_texts, other_texts): (BTreeMap<_, _>, BTreeMap<_, _>) = texts
        .iter()
        .map(|(lang, t)| {
            let (first, other): (BTreeMap<_, _>, BTreeMap<_, _>) = t.iter().partition(|(k, _)| FIRST_LAYER_TEXTS.contains(&k.as_str()));
            ((lang, first), (lang, other))
        })
        .unzip();
    let mut first = json!({
        "details": "",
        "revision": revision,
        "cookie": with_flags(json!({ "name": site.cookie.name, "maxAgeDays": site.cookie.max_age_days }), [("session", site.cookie.session)]),
        "defaultLang": site.default_language,
        "langs": site.languages,
        "policyUrl": site.policy_url,
        "categories": site.categories.iter().map(|c| with_flags(json!({ "id": c.id }), [("required", c.required), ("gpc", c.gpc)])).collect::<Vec<_>>(),
        "texts": first_texts,
        "consentDefault": consent_default(site, &|c| c.required),
    });
    // Defaults are left out: the loader and the widget read a missing one as the default.
    if !site.honor_gpc {
        first["gpc"] = json!(false);
    }
    if site.layout != Layout::default() {
        first["layout"] = json!(site.layout);
    }
    if site.theme != Theme::default() {
        first["theme"] = json!(site.theme);
    }
    if let Some(domain) = &site.cookie.domain {
        first["cookie"]["domain"] = json!(domain);
    }
    if let Some(set) = consent_set(site) {
        first["consentSet"] = set;
    }
    let mut details = details(site, texts, other_texts, &revision, policy);
    if let Some(notices) = crate::versions::notice_versions(site, texts, &revision) {
        details["noticeVersions"] = notices;
    }
    if let Some(variants) = crate::versions::variant_versions(site, texts, &revision) {
        details["variantVersions"] = variants;
    }
    if let Some(tcf) = site.tcf.as_ref().filter(|t| t.enabled) {
        details["tcf"] = tcf_details(pkg_config, tcf, site, naming)?;
    }
    if let Some(gpp) = site.gpp.as_ref().filter(|g| g.enabled) {
        details["gpp"] = gpp_details(gpp, site);
    }
    let details = serde_json::to_string(&details)?;
    first["details"] = json!(naming.details(&details));
    if let Some(code) = naming.code() {
        first["pkg"] = json!(code);
    }
    let audiences = crate::audience::configs(site, &first)?;
    Ok(WidgetConfig { first: serde_json::to_string(&first)?, details, audiences })
}

/// `details.json`: what the full widget adds to `config.json` (category texts and
/// cookie tables, policy URLs, banner versions, the other texts).
fn details(site: &SiteConfig, texts: &BTreeMap<String, Texts>, other_texts: BTreeMap<&String, BTreeMap<&String, &String>>, revision: &str, policy: &BTreeMap<String, PolicyFiles>) -> Value {
    let policy_docs: BTreeMap<&String, &String> = policy.iter().map(|(l, f)| (l, &f.doc_url)).collect();
    let policy_pages: BTreeMap<&String, &String> = policy.iter().map(|(l, f)| (l, &f.page_url)).collect();
    // Same order as in `config.json`: the full widget merges the two lists item by item.
    let categories: Vec<Value> = site
        .categories
        .iter()
        .map(|c| {
            json!({
                "title": c.title, "description": c.description,
                "services": c.services.iter().map(|svc| json!({
                    "id": svc.id(), "name": svc.name, "provider": svc.provider, "signals": svc.consent_mode,
                    "cookies": svc.cookies.iter().map(|k| json!({ "name": k.name, "purpose": k.purpose, "duration": k.duration })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "signals": c.consent_mode,
            })
        })
        .collect();
    json!({
        "site": site.id,
        "trustLateScripts": site.trust_late_scripts,
        "endpoint": site.endpoint,
        "policyDocs": policy_docs,
        "policyPages": policy_pages,
        "bannerVersions": texts.iter().map(|(lang, t)| (lang.clone(), banner_version(site, t, lang, revision, Shown::Banner).hash)).collect::<BTreeMap<_, _>>(),
        "categories": categories,
        "texts": other_texts,
    })
}

/// What the TCF CMP (`cmp/`, loaded for `[tcf]` sites only) reads from
/// `details.json`: the site's TCF settings, its vendor list and the TCF
/// layers' texts per language.
fn tcf_details(pkg_config: &Path, tcf: &consent_wire::config::tcf::TcfConfig, site: &SiteConfig, naming: &dyn Naming) -> Result<Value, BundleError> {
    let restrictions: Vec<Value> = tcf.restrictions.iter().map(|r| json!({ "purpose": r.purpose, "kind": r.kind.code(), "vendors": r.vendors })).collect();
    let lists: BTreeMap<&String, Option<String>> = site.languages.iter().map(|l| (l, naming.vendor_list(l))).collect();
    let texts = site.languages.iter().map(|l| Ok((l, consent_wire::config::tcf::texts(pkg_config, l)?))).collect::<Result<BTreeMap<_, _>, BundleError>>()?;
    Ok(json!({
        "cmpId": tcf.cmp_id, "cmpVersion": tcf.cmp_version, "country": tcf.publisher_country,
        "publisherPurposes": tcf.publisher_purposes, "publisherLegitimateInterests": tcf.publisher_legitimate_interests,
        "restrictions": restrictions, "categories": tcf.categories, "cookie": tcf.cookie_name, "googleAtp": tcf.google_atp,
        "lists": lists, "texts": texts,
    }))
}

/// What the CMP reads for `__gpp` (`[gpp]` sites): its CMP, the sections
/// that apply, and the `usnat` section's notices (1 given, 2 not), the
/// categories each opt-out stands for and the MSPA fields (0 not
/// applicable, 1 yes, 2 no).
fn gpp_details(gpp: &consent_wire::config::gpp::GppConfig, site: &SiteConfig) -> Value {
    use consent_wire::config::gpp::MspaMode;
    let tcf = site.tcf.as_ref().filter(|t| t.enabled);
    let usnat = gpp.usnat.as_ref().map(|u| {
        let yes_no = |b: bool| if b { 1 } else { 2 };
        let notices =
            [u.sharing_notice, u.sale_opt_out_notice, u.sharing_opt_out_notice, u.targeted_advertising_opt_out_notice, u.sensitive_data_processing_opt_out_notice, u.sensitive_data_limit_use_notice]
                .map(yes_no);
        let modes = match (u.mspa_covered_transaction, u.mspa_mode) {
            (false, _) | (true, MspaMode::None) => [0, 0],
            (true, MspaMode::OptOutOption) => [1, 2],
            (true, MspaMode::ServiceProvider) => [2, 1],
        };
        json!({
            "notices": notices, "sale": u.sale_categories, "sharing": u.sharing_categories, "targeted": u.targeted_advertising_categories,
            "mspa": [yes_no(u.mspa_covered_transaction), modes[0], modes[1]],
        })
    });
    json!({
        "cmpId": gpp.cmp_id(tcf.map(|t| t.cmp_id)), "cmpVersion": tcf.map(|t| t.cmp_version).or(gpp.cmp_version).unwrap_or(0),
        "applicableSections": gpp.applicable_sections, "usnat": usnat,
    })
}

/// `object` with each flag that is set added as `true`: on the critical path a
/// missing flag reads as false (in the loader and in `src/config.rs`), so a false
/// one is not written.
fn with_flags<const N: usize>(mut object: Value, flags: [(&str, bool); N]) -> Value {
    for (name, set) in flags {
        if set {
            object[name] = json!(true);
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// A scratch copy of `pkg-config`.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bundle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config");
        for sub in ["sites", "i18n", "i18n-tcf", "policy"] {
            std::fs::create_dir_all(dir.join("pkg-config").join(sub)).expect("mkdir");
            for e in std::fs::read_dir(src.join(sub)).expect("read pkg-config") {
                let p = e.expect("entry").path();
                std::fs::copy(&p, dir.join("pkg-config").join(sub).join(p.file_name().expect("name"))).expect("copy");
            }
        }
        dir
    }

    fn bundle(dir: &Path, site_file: &Path) -> crate::SiteBundle {
        let site = consent_wire::config::SiteConfig::load(site_file).expect("site");
        crate::SiteBundle::build(&dir.join("pkg-config"), site, &crate::WwwLayout).expect("build")
    }

    fn revision(dir: &Path) -> String {
        let cfg = bundle(dir, &dir.join("pkg-config/sites/luxhost.toml")).config;
        let v: serde_json::Value = serde_json::from_str(&cfg.first).expect("json");
        v["revision"].as_str().expect("revision").to_owned()
    }

    #[test]
    fn revision_follows_the_policy_source_and_the_cookie_table() {
        let dir = scratch("revision");
        let first = revision(&dir);
        assert_eq!(first, revision(&dir), "same input, same revision");
        let policy = dir.join("pkg-config/policy/luxhost.nl.md");
        let text = std::fs::read_to_string(&policy).expect("policy");
        std::fs::write(&policy, text.replace("Wachtwoorden kunnen hierdoor enkel gereset worden.", "Wachtwoorden kunnen enkel gereset worden.")).expect("write");
        let second = revision(&dir);
        assert_ne!(first, second, "editing the policy changes the revision");
        let site = dir.join("pkg-config/sites/luxhost.toml");
        let toml = std::fs::read_to_string(&site).expect("site");
        std::fs::write(&site, toml.replace("\"13 maanden\"", "\"24 maanden\"")).expect("write");
        assert_ne!(second, revision(&dir), "changing a cookie's duration changes the revision");
        let translation = dir.join("pkg-config/policy/luxhost.en.md");
        let before = revision(&dir);
        std::fs::write(&translation, "# Changed\n\n## 1. X\n\n### 1.7 Cookies\n\nY\n").expect("write");
        assert_ne!(before, revision(&dir), "the translation is part of the revision");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_first_layer_gets_only_what_the_first_decision_needs() {
        let dir = scratch("split");
        let cfg = bundle(&dir, &dir.join("pkg-config/sites/luxhost.toml")).config;
        let first: serde_json::Value = serde_json::from_str(&cfg.first).expect("json");
        let details: serde_json::Value = serde_json::from_str(&cfg.details).expect("json");
        assert_eq!(first["details"], "details.json");
        let keys = |v: &serde_json::Value| v.as_object().expect("object").keys().cloned().collect::<std::collections::BTreeSet<_>>();
        assert!(keys(&first).is_disjoint(&keys(&details).into_iter().filter(|k| k != "texts" && k != "categories").collect()));
        for lang in ["nl", "en", "fr", "de"] {
            let (a, b) = (keys(&first["texts"][lang]), keys(&details["texts"][lang]));
            assert_eq!(a.len(), super::FIRST_LAYER_TEXTS.len(), "{lang}: every first-layer text is there");
            assert!(a.is_disjoint(&b), "{lang}: no text is in both files");
            assert!(b.contains("save") && b.contains("policy_close"), "{lang}: the rest is in the details");
        }
        let (a, b) = (first["categories"].as_array().expect("list"), details["categories"].as_array().expect("list"));
        assert_eq!(a.len(), b.len(), "the two category lists merge item by item");
        assert_eq!(a[0]["id"], "necessary");
        assert!(b[1]["title"]["nl"].is_string());
        assert_eq!(
            first["consentDefault"],
            serde_json::json!({
                "ad_storage": "denied", "analytics_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
                "functionality_storage": "granted", "personalization_storage": "denied", "security_storage": "granted", "wait_for_update": 500,
            }),
            "Consent Mode's default: only what the necessary category maps to is granted"
        );
        assert!(first.get("consentSet").is_none(), "no gtag('set') fields unless the site sets them");
        let site = dir.join("pkg-config/sites/luxhost.toml");
        let toml = std::fs::read_to_string(&site).expect("site").replace("region = []", "region = []\nads_data_redaction = true\nurl_passthrough = false");
        std::fs::write(&site, toml).expect("write site");
        let cfg = bundle(&dir, &site).config;
        let first: serde_json::Value = serde_json::from_str(&cfg.first).expect("json");
        assert_eq!(first["consentSet"], serde_json::json!({ "ads_data_redaction": true, "url_passthrough": false }), "the site's gtag('set') fields");
        assert!(first.to_string().len() < 4_000, "the first layer's config stays small: {} B", first.to_string().len());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_cookie_table_lands_in_the_configured_section() {
        let dir = scratch("table");
        let b = bundle(&dir, &dir.join("pkg-config/sites/luxhost.toml"));
        let doc: serde_json::Value = serde_json::from_str(&b.policy["nl"].doc).expect("json");
        let section = doc["sections"].as_array().expect("sections").iter().find(|s| s["n"] == "1.7").expect("1.7");
        let table = section["b"].as_array().expect("blocks").last().expect("a block");
        assert_eq!(table[0], "table");
        assert_eq!(table[2].as_array().map(|r| r.len()), Some(5)); // one row per declared cookie: cc_consent, LUXSESSID, _lx_visit*, _lx_perf, _lx_nl
        let _ = std::fs::remove_dir_all(&dir);
    }
}
