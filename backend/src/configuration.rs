//! The configuration a server runs on: the sites in `pkg-config/` and every
//! site's widget files made from them. Loaded at start, and again on `SIGHUP`:
//! a configuration that does not load is refused with its error (naming the
//! file and field) and the one before keeps serving.

use std::path::PathBuf;
use std::sync::Arc;

use consent_bundle::BundleError;
use consent_wire::config::ConfigError;

use crate::bundles::{Bundles, WidgetCode};
use crate::sites::Sites;
use crate::state::AppState;

/// Why a configuration was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Sites(#[from] ConfigError),
    #[error("{0}")]
    Bundles(#[from] BundleError),
    #[error("{0}")]
    VendorList(#[from] crate::tcf::gvl::SiteListError),
    #[error("loading stopped: {0}")]
    Interrupted(String),
}

/// Where the configuration comes from.
#[derive(Clone)]
pub struct Source {
    pub pkg_config: PathBuf,
    /// The built widget; without it no site's files are served (the API still is).
    pub code: Option<Arc<WidgetCode>>,
}

impl Source {
    /// The sites and their files, as the folder holds them now.
    pub fn load(&self) -> Result<(Sites, Bundles), LoadError> {
        let sites = Sites::load(&self.pkg_config)?;
        // TCF sites' vendor lists: checked even when no widget files are made.
        let tcf = crate::tcf::gvl::site_files(&self.pkg_config, &sites)?;
        let bundles = match &self.code {
            Some(code) => Bundles::build(&self.pkg_config, &sites, code, &tcf)?,
            None => Bundles::default(),
        };
        Ok((sites, bundles))
    }
}

/// Loads `source` again and serves it; on error the running configuration stays.
pub async fn reload(state: &AppState, source: &Source) -> Result<usize, LoadError> {
    let source = source.clone();
    // Brotli at its highest quality takes a while: not on the request threads.
    let loaded = tokio::task::spawn_blocking(move || source.load()).await;
    let (sites, bundles) = match loaded {
        Ok(result) => result?,
        Err(e) => return Err(LoadError::Interrupted(e.to_string())),
    };
    let n = sites.len();
    state.set_config(sites, bundles);
    Ok(n)
}

/// Keeps `<config>/tcf/` current from `base` (`--gvl-url`): a round every
/// `every` (or later, when the list's server asks with `max-age`), each update
/// reloaded; a list the sites cannot take is put back and the running configuration stays.
pub fn refresh_vendor_list(state: AppState, source: Source, base: url::Url, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut refresher = crate::tcf::refresh::Refresher::new(base, &source.pkg_config);
        loop {
            let langs: Vec<String> = {
                let sites = state.sites();
                let mut l: Vec<String> = sites.all().filter(|s| s.tcf.as_ref().is_some_and(|t| t.enabled)).flat_map(|s| s.languages.iter().cloned()).collect();
                l.sort();
                l.dedup();
                l
            };
            let apply = async || reload(&state, &source).await.map(|_| ()).map_err(|e| e.to_string());
            match refresher.refresh(&langs, apply).await {
                Ok(crate::tcf::refresh::Outcome::Updated(files)) => tracing::info!("Global Vendor List updated ({}); configuration reloaded", files.join(", ")),
                Ok(crate::tcf::refresh::Outcome::Unchanged) => tracing::debug!("Global Vendor List unchanged"),
                Err(e) => tracing::warn!("Global Vendor List not refreshed: {e}"),
            }
            tokio::time::sleep(refresher.next_wait(every)).await;
        }
    });
}
