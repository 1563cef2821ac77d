//! Everything made from a site's policy: per language, the viewer's JSON and a
//! plain page, both with the cookie table generated from the site's services.

use std::collections::BTreeMap;
use std::path::Path;

use consent_wire::config::{SiteConfig, Texts};

use crate::policy_doc::{self, Block};
use crate::{BundleError, Naming, PolicyFiles};

/// The JSON and the page for every language of the site.
pub fn build(pkg_config: &Path, site: &SiteConfig, texts: &BTreeMap<String, Texts>, naming: &dyn Naming) -> Result<BTreeMap<String, PolicyFiles>, BundleError> {
    let sources = site.policy_sources(pkg_config)?;
    let original = sources.first().map(|s| s.1.clone()).unwrap_or_default();
    let mut files = BTreeMap::new();
    for lang in &site.languages {
        let t = texts.get(lang).ok_or_else(|| BundleError::NoTexts { site: site.id.clone(), lang: lang.clone() })?;
        let (source, note) = match sources.iter().find(|(l, _, _)| l == lang) {
            Some((_, src, true)) => (src.as_str(), Some(t["policy_translation_note"].as_str())),
            Some((_, src, false)) => (src.as_str(), None),
            None => (original.as_str(), Some(t["policy_original_only"].as_str())),
        };
        let mut doc = policy_doc::parse(source);
        if let Some(number) = &site.cookie_section {
            let table = cookie_table(site, lang, t);
            let section = doc.section_mut(number).ok_or_else(|| BundleError::NoCookieSection { site: site.id.clone(), section: number.clone() })?;
            section.blocks.push(table);
        }
        let json = policy_doc::to_json(&doc, lang, note).to_string();
        let page = crate::policy_page::render(&doc, lang, note, &site.name, &naming.page_head());
        let doc_url = naming.policy_doc(lang, &json);
        let page_url = naming.policy_page(lang, *lang == site.default_language, &page);
        files.insert(lang.clone(), PolicyFiles { doc: json, doc_url, page, page_url });
    }
    Ok(files)
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
