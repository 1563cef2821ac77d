//! `consent-server new-site`: a new site in `pkg-config/`, valid as written,
//! started from the reference site's categories and services, with a policy to
//! fill in. Nothing is written unless the result loads.

use std::path::{Path, PathBuf};

use consent_bundle::{SiteBundle, WwwLayout};
use consent_wire::config::{is_site_id, ConfigError, SiteConfig};

/// The reference site, the starting point of every new one.
const REFERENCE: &str = include_str!("../../pkg-config/sites/luxhost.toml");

/// What the new site is called, where it runs, which languages it speaks.
pub struct NewSite {
    pub id: String,
    pub name: String,
    pub origins: Vec<String>,
    pub languages: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("`{0}` is not a site id: use 1-64 characters a-z, 0-9, '-' or '_'")]
    BadId(String),
    #[error("{0} exists already: a new site needs a new id")]
    Exists(PathBuf),
    #[error("name at least one language")]
    NoLanguage,
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the new site does not load (nothing was kept): {0}")]
    Invalid(String),
}

/// Writes `sites/<id>.toml` and `policy/<id>.<lang>.md`; returns their paths.
pub fn scaffold(pkg_config: &Path, new: &NewSite) -> Result<Vec<PathBuf>, ScaffoldError> {
    if !is_site_id(&new.id) {
        return Err(ScaffoldError::BadId(new.id.clone()));
    }
    let lang = new.languages.first().ok_or(ScaffoldError::NoLanguage)?;
    let site_file = pkg_config.join("sites").join(format!("{}.toml", new.id));
    let policy_rel = format!("policy/{}.{lang}.md", new.id);
    let policy_file = pkg_config.join(&policy_rel);
    for path in [&site_file, &policy_file] {
        if path.exists() {
            return Err(ScaffoldError::Exists(path.clone()));
        }
    }
    let written = [(&site_file, site_toml(new, lang, &policy_rel)), (&policy_file, policy_markdown(&new.name))];
    for (path, text) in &written {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ScaffoldError::Write { path: dir.to_owned(), source })?;
        }
        std::fs::write(path, text).map_err(|source| ScaffoldError::Write { path: (*path).clone(), source })?;
    }
    if let Err(e) = check(pkg_config, &site_file) {
        for (path, _) in &written {
            let _ = std::fs::remove_file(path);
        }
        return Err(ScaffoldError::Invalid(e));
    }
    Ok(vec![site_file, policy_file])
}

/// Loads the site as the server would, its policy and widget files included.
fn check(pkg_config: &Path, site_file: &Path) -> Result<(), String> {
    let site = SiteConfig::load(site_file).map_err(|e: ConfigError| e.to_string())?;
    SiteBundle::build(pkg_config, site, &WwwLayout).map(|_| ()).map_err(|e| e.to_string())
}

/// The reference site's file with the new site's identity, languages and policy.
fn site_toml(new: &NewSite, lang: &str, policy: &str) -> String {
    let quoted = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    let list = |items: &[String]| format!("[{}]", items.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", "));
    let mut out = format!("# {} — made by `consent-server new-site` from the reference site; edit freely.\n", new.name);
    // Only the top-level keys (before the first table) are the site's own.
    let mut top = true;
    for line in REFERENCE.lines().skip_while(|l| l.starts_with('#')) {
        top &= !line.starts_with('[');
        let key = if top { line.split(" = ").next().unwrap_or("") } else { "" };
        let replaced = match key {
            "id" => format!("id = {}", quoted(&new.id)),
            "name" => format!("name = {}", quoted(&new.name)),
            "origins" => format!("origins = {}", list(&new.origins)),
            "default_language" => format!("default_language = {}", quoted(lang)),
            "languages" => format!("languages = {}", list(&new.languages)),
            "policy" => format!("policy = {}", quoted(policy)),
            "cookie_section" => "cookie_section = \"1.1\"".to_owned(),
            // No translations yet, and no read-only dashboard token until one is made.
            "policy_translations" | "dashboard_tokens_sha256" => continue,
            _ if line.starts_with("# The demo token") || line.starts_with("# Read-only dashboard tokens") => continue,
            _ => line.replace("Luxhost", &new.name),
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}

fn policy_markdown(name: &str) -> String {
    format!(
        "# Privacy and cookie policy — {name}\n\n\
         ## 1. Cookies\n\n\
         ### 1.1 Cookies on this site\n\n\
         Every cookie this site sets is listed below, by category. Cookies that are not\n\
         strictly necessary are set only with your consent, which you can change at any time.\n"
    )
}
