//! Everything made from a site's policy: per language, the viewer's JSON
//! (`www/consent/policy.<lang>.json`) and a plain page (`www/privacy[.<lang>].html`),
//! both with the cookie table generated from the site's services.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use consent_wire::config::{SiteConfig, Texts};

use crate::policy_doc::{self, Block};

/// URLs of what `write` made for one language.
pub struct Written {
    pub doc: String,
    pub page: String,
}

/// Writes the JSON and the page for every language of the site.
pub fn write(pkg_config: &Path, site: &SiteConfig, texts: &BTreeMap<String, Texts>, www: &Path) -> Result<BTreeMap<String, Written>> {
    let sources = site.policy_sources(pkg_config)?;
    let original = sources.first().map(|s| s.1.clone()).unwrap_or_default();
    let mut urls = BTreeMap::new();
    for lang in &site.languages {
        let t = texts.get(lang).context("texts for every language")?;
        let (source, note) = match sources.iter().find(|(l, _, _)| l == lang) {
            Some((_, src, true)) => (src.as_str(), Some(t["policy_translation_note"].as_str())),
            Some((_, src, false)) => (src.as_str(), None),
            None => (original.as_str(), Some(t["policy_original_only"].as_str())),
        };
        let mut doc = policy_doc::parse(source);
        if let Some(number) = &site.cookie_section {
            let table = cookie_table(site, lang, t);
            let section = doc.section_mut(number).with_context(|| format!("policy has no section {number} for the cookie table"))?;
            section.blocks.push(table);
        }
        let file = format!("policy.{lang}.json");
        std::fs::write(www.join("consent").join(&file), doc.to_json(lang, note).to_string())?;
        let page = if *lang == site.default_language { "privacy.html".to_owned() } else { format!("privacy.{lang}.html") };
        std::fs::write(www.join(&page), crate::policy_page::render(&doc, lang, note, &site.name))?;
        urls.insert(lang.clone(), Written { doc: format!("/consent/{file}"), page: format!("/{page}") });
    }
    Ok(urls)
}

/// One row per declared cookie: name, provider, purpose, duration, category.
fn cookie_table(site: &SiteConfig, lang: &str, t: &Texts) -> Block {
    let pick = |m: &BTreeMap<String, String>| m.get(lang).or_else(|| m.get(&site.default_language)).cloned().unwrap_or_default();
    let head = ["cookie_name", "cookie_provider", "cookie_purpose", "cookie_duration", "cookie_category"].map(|k| t[k].clone()).to_vec();
    let mut rows = Vec::new();
    for cat in &site.categories {
        for svc in &cat.services {
            for c in &svc.cookies {
                rows.push(vec![c.name.clone(), svc.provider.clone(), pick(&c.purpose), pick(&c.duration), pick(&cat.title)]);
            }
        }
    }
    Block::Table { head, rows }
}
