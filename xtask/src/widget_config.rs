//! `config.json` for the widget: the validated site config reduced to what the
//! banner needs, texts merged (built-in, then the site's overrides), revision computed.

use std::path::Path;

use anyhow::{Context, Result};
use consent_wire::config::{load_texts, SiteConfig};
use serde_json::{json, Map, Value};

pub fn build(pkg_config: &Path, site_file: &Path) -> Result<String> {
    let site = SiteConfig::load(site_file)?;
    let policy_path = pkg_config.join(&site.policy);
    let policy = std::fs::read_to_string(&policy_path).with_context(|| format!("reading {}", policy_path.display()))?;
    let mut texts = Map::new();
    for lang in &site.languages {
        let mut t = load_texts(&pkg_config.join("i18n").join(format!("{lang}.toml")))?;
        if let Some(overrides) = site.texts.get(lang) {
            t.extend(overrides.clone());
        }
        texts.insert(lang.clone(), json!(t));
    }
    let categories: Vec<Value> = site
        .categories
        .iter()
        .map(|c| json!({ "id": c.id, "required": c.required, "title": c.title, "description": c.description }))
        .collect();
    let cfg = json!({
        "site": site.id,
        "endpoint": site.endpoint,
        "revision": site.revision(&policy),
        "cookie": {
            "name": site.cookie.name,
            "maxAgeDays": site.cookie.max_age_days,
            "session": site.cookie.session,
            "domain": site.cookie.domain.clone().unwrap_or_default(),
        },
        "defaultLang": site.default_language,
        "langs": site.languages,
        "policyUrl": site.policy_url,
        "categories": categories,
        "texts": texts,
    });
    Ok(serde_json::to_string(&cfg)?)
}
