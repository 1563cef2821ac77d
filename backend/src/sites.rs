//! The configured sites (`pkg-config/sites/*.toml`), loaded and validated at start.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use consent_wire::banner_version::{banner_version, Shown};
use consent_wire::config::regions::Mode;
use consent_wire::config::{ConfigError, SiteConfig};

pub struct Sites {
    /// Sorted by id.
    list: Vec<SiteConfig>,
    by_id: HashMap<String, usize>,
    /// Banner versions this config produces (hash → canonical content), per site and language.
    banners: HashMap<String, Arc<str>>,
    /// The current revision and banner hash per (site, language).
    current: HashMap<(String, String), (String, String)>,
}

impl Sites {
    pub fn load(pkg_config: &Path) -> Result<Sites, ConfigError> {
        let list = SiteConfig::load_dir(&pkg_config.join("sites"))?;
        let mut banners = HashMap::new();
        let mut current = HashMap::new();
        for site in &list {
            let revision = site.current_revision(pkg_config)?;
            for (lang, texts) in site.texts(pkg_config)? {
                let v = banner_version(site, &texts, &lang, &revision, Shown::Banner);
                current.insert((site.id.clone(), lang.clone()), (revision.clone(), v.hash.clone()));
                banners.insert(v.hash, Arc::from(v.content));
                // The notice an opt-out region is shown, and each variant, are versions of their own.
                let notice = site.regions.iter().flat_map(|r| r.modes()).filter(|m| *m == Mode::OptOut).map(|m| banner_version(site, &texts, &lang, &revision, Shown::Region(m)));
                let variants = site.variants.iter().map(|v| banner_version(site, &v.texts(&lang, &texts), &lang, &revision, Shown::Variant(v)));
                for v in notice.chain(variants).collect::<Vec<_>>() {
                    banners.insert(v.hash, Arc::from(v.content));
                }
            }
        }
        let mut list = list;
        list.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id = list.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
        Ok(Sites { list, by_id, banners, current })
    }

    /// What banner version `hash` showed, if this config produces it.
    pub fn banner_content(&self, hash: &str) -> Option<Arc<str>> {
        self.banners.get(hash).cloned()
    }

    /// The policy revision and banner version a visitor of `site` sees in `lang` now.
    pub fn current_banner(&self, site: &str, lang: &str) -> Option<(&str, &str)> {
        self.current.get(&(site.to_owned(), lang.to_owned())).map(|(r, b)| (r.as_str(), b.as_str()))
    }

    pub fn get(&self, id: &str) -> Option<&SiteConfig> {
        self.by_id.get(id).and_then(|&i| self.list.get(i))
    }

    /// Is `origin` allowed by any site? (CORS preflights do not say which site.)
    pub fn any_allows(&self, origin: &str) -> bool {
        self.list.iter().any(|s| s.allows_origin(origin))
    }

    /// Every site, sorted by id.
    pub fn all(&self) -> impl Iterator<Item = &SiteConfig> {
        self.list.iter()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
