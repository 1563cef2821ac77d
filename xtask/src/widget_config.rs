//! `config.json` for the widget: the validated site config reduced to what the
//! banner needs, texts merged (built-in, then the site's overrides), revision
//! computed; plus the policy documents it fetches only when the viewer opens.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use consent_wire::banner_version::banner_version;
use consent_wire::config::SiteConfig;
use serde_json::{json, Value};

use crate::policy_build;

/// Writes the policy files into `www` and returns the widget config JSON.
pub fn build(pkg_config: &Path, site_file: &Path, www: &Path) -> Result<String> {
    let site = SiteConfig::load(site_file)?;
    let texts = site.texts(pkg_config)?;
    let revision = site.current_revision(pkg_config)?;
    let written = policy_build::write(pkg_config, &site, &texts, www)?;
    let policy_docs: BTreeMap<&String, &String> = written.iter().map(|(l, w)| (l, &w.doc)).collect();
    let policy_pages: BTreeMap<&String, &String> = written.iter().map(|(l, w)| (l, &w.page)).collect();
    let categories: Vec<Value> = site
        .categories
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "required": c.required, "title": c.title, "description": c.description,
                "cookies": SiteConfig::cookie_names(c).collect::<Vec<_>>(),
                "services": c.services.iter().flat_map(|svc| svc.cookies.iter().map(move |k| {
                    json!({ "name": k.name, "provider": svc.provider, "purpose": k.purpose, "duration": k.duration })
                })).collect::<Vec<_>>(),
                "gpc": c.gpc, "signals": c.consent_mode,
            })
        })
        .collect();
    let cfg = json!({
        "site": site.id,
        "endpoint": site.endpoint,
        "revision": revision,
        "cookie": {
            "name": site.cookie.name,
            "maxAgeDays": site.cookie.max_age_days,
            "session": site.cookie.session,
            "domain": site.cookie.domain.clone().unwrap_or_default(),
        },
        "defaultLang": site.default_language,
        "langs": site.languages,
        "policyUrl": site.policy_url,
        "consentMode": site.consent_mode.as_ref().map(|m| json!({ "region": m.region })),
        "gpc": site.honor_gpc,
        "layout": site.layout,
        "theme": site.theme,
        "policyDocs": policy_docs,
        "policyPages": policy_pages,
        "bannerVersions": texts.iter().map(|(lang, t)| (lang.clone(), banner_version(&site, t, lang, &revision).hash)).collect::<BTreeMap<_, _>>(),
        "categories": categories,
        "texts": texts,
    });
    Ok(serde_json::to_string(&cfg)?)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// A scratch copy of `pkg-config` and a `www/consent` folder to build into.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config");
        for sub in ["sites", "i18n", "policy"] {
            std::fs::create_dir_all(dir.join("pkg-config").join(sub)).expect("mkdir");
            for e in std::fs::read_dir(src.join(sub)).expect("read pkg-config") {
                let p = e.expect("entry").path();
                std::fs::copy(&p, dir.join("pkg-config").join(sub).join(p.file_name().expect("name"))).expect("copy");
            }
        }
        std::fs::create_dir_all(dir.join("www/consent")).expect("mkdir www");
        dir
    }

    fn revision(dir: &Path) -> String {
        let json = super::build(&dir.join("pkg-config"), &dir.join("pkg-config/sites/luxhost.toml"), &dir.join("www")).expect("build");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
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
    fn the_cookie_table_lands_in_the_configured_section() {
        let dir = scratch("table");
        revision(&dir);
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("www/consent/policy.nl.json")).expect("doc")).expect("json");
        let section = doc["sections"].as_array().expect("sections").iter().find(|s| s["n"] == "1.7").expect("1.7");
        let table = section["b"].as_array().expect("blocks").last().expect("a block");
        assert_eq!(table[0], "table");
        assert_eq!(table[2].as_array().map(|r| r.len()), Some(4));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
