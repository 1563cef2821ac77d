//! The configured sites (`pkg-config/sites/*.toml`), loaded and validated at start.

use std::collections::HashMap;
use std::path::Path;

use consent_wire::config::{ConfigError, SiteConfig};

pub struct Sites {
    by_id: HashMap<String, SiteConfig>,
}

impl Sites {
    pub fn load(pkg_config: &Path) -> Result<Sites, ConfigError> {
        let list = SiteConfig::load_dir(&pkg_config.join("sites"))?;
        Ok(Sites::from_configs(list))
    }

    pub fn from_configs(list: Vec<SiteConfig>) -> Sites {
        Sites { by_id: list.into_iter().map(|s| (s.id.clone(), s)).collect() }
    }

    pub fn get(&self, id: &str) -> Option<&SiteConfig> {
        self.by_id.get(id)
    }

    /// Is `origin` allowed by any site? (CORS preflights do not say which site.)
    pub fn any_allows(&self, origin: &str) -> bool {
        self.by_id.values().any(|s| s.allows_origin(origin))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
