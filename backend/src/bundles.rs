//! Every configured site's widget, as served: built once when the server starts
//! (and again when the configuration is reloaded), from `pkg-config/` and the
//! widget's code, compressed once in every encoding it is served in.
//!
//! URLs (the one a site embeds first):
//! - `/s/<site>/consent.js`: the site's loader, its `config.json` and the first
//!   layer inside; revalidated (short max-age, ETag);
//! - `/s/<site>/details.<hash>.json`, `/s/<site>/policy.<lang>.<hash>.json`: the
//!   rest of its config and its policy documents; immutable;
//! - `/s/<site>/privacy.<lang>.html`: its plain policy pages; revalidated;
//! - `/c/<hash>/widget.js`, `/c/<hash>/consent_widget_bg.wasm`: the full widget,
//!   shared by every site; `/c/<hash>/cmp.js`, `/c/<hash>/consent_cmp_bg.wasm`:
//!   the TCF CMP, which `[tcf]` sites load beside it; immutable;
//! - `/s/<site>/gvl.<lang>.<hash>.json`: a `[tcf]` site's vendor list; immutable.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use consent_bundle::encoded::Encoded;
use consent_bundle::{short_hash, BundleError, Naming, ServedLayout, SiteBundle};

use crate::loaders::SiteLoaders;
use crate::sites::Sites;
use crate::tcf::gvl::SiteTcf;

/// The widget's code, the same for every site: the loader template, the first
/// layer, the full widget's script and Wasm and the TCF CMP's (compressed once,
/// here: a reload of the configuration does not compress them again).
pub struct WidgetCode {
    template: String,
    first: Vec<u8>,
    /// The `__tcfapi` / `__gpp` stubs (`www/loader/tcf-stub.js`), for `[tcf]` sites.
    tcf_stub: String,
    /// Served under `/c/<hash>/`, by name.
    shared: Vec<(&'static str, Arc<Asset>)>,
    /// A hash of the shared files, naming their folder.
    hash: String,
}

/// A widget file missing from where the code is read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source} (build the widget with `cargo xtask build`)")]
pub struct CodeMissing {
    path: String,
    source: std::io::Error,
}

/// The built widget's files, as a release build carries them (`build.rs`).
pub struct Embedded {
    pub template: &'static str,
    pub first: &'static [u8],
    pub tcf_stub: &'static str,
    /// The files under `/c/<hash>/`, in [`SHARED`]'s order.
    pub shared: [&'static [u8]; 4],
}

/// The files every site shares (`/c/<hash>/<name>`, from `pkg/<name>`): the full
/// widget, and the TCF CMP, which only `[tcf]` sites load.
pub const SHARED: [(&str, &str); 4] =
    [("widget.js", "text/javascript; charset=utf-8"), ("consent_widget_bg.wasm", "application/wasm"), ("cmp.js", "text/javascript; charset=utf-8"), ("consent_cmp_bg.wasm", "application/wasm")];

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

impl WidgetCode {
    /// The widget this binary carries, if it is a release build made after the widget.
    pub fn embedded() -> Option<WidgetCode> {
        EMBEDDED.map(|e| WidgetCode::new(e.template.to_owned(), e.first.to_vec(), e.tcf_stub.to_owned(), e.shared.map(<[u8]>::to_vec)))
    }

    fn new(template: String, first: Vec<u8>, tcf_stub: String, shared: [Vec<u8>; 4]) -> WidgetCode {
        let hash = short_hash(&shared.concat());
        let shared = SHARED.iter().zip(shared).map(|((name, content_type), bytes)| (*name, Arc::new(Asset::new(content_type, Caching::Immutable, bytes)))).collect();
        WidgetCode { template, first, tcf_stub, shared, hash }
    }

    /// Reads the built widget from `dir` (`www/consent` after `cargo xtask build`).
    pub fn load(dir: &Path) -> Result<WidgetCode, CodeMissing> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| CodeMissing { path: path.display().to_string(), source })
        };
        let template = String::from_utf8_lossy(&read("loader.template.js")?).into_owned();
        let tcf_stub = String::from_utf8_lossy(&read("tcf-stub.js")?).into_owned();
        let [a, b, c, d] = SHARED.map(|(name, _)| format!("pkg/{name}"));
        Ok(WidgetCode::new(template, read("first.wasm")?, tcf_stub, [read(&a)?, read(&b)?, read(&c)?, read(&d)?]))
    }
}

/// How long a browser may use a file before it asks again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caching {
    /// The name carries the content's hash: kept a year, never asked again.
    Immutable,
    /// The name stays when the content changes: kept a few minutes, then revalidated.
    Revalidate,
}

/// One served file, in each encoding.
pub struct Asset {
    pub content_type: &'static str,
    pub caching: Caching,
    /// A strong ETag (quoted).
    pub etag: String,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub br: Bytes,
}

impl Asset {
    pub(crate) fn new(content_type: &'static str, caching: Caching, bytes: Vec<u8>) -> Asset {
        let etag = format!("\"{}\"", short_hash(&bytes));
        let Encoded { identity, gzip, br } = Encoded::new(bytes);
        Asset { content_type, caching, etag, identity: identity.into(), gzip: gzip.into(), br: br.into() }
    }
}

/// Where a `[tcf]` site's vendor list in `lang` is served.
fn vendor_list_path(site: &str, lang: &str, json: &[u8]) -> String {
    format!("/s/{site}/gvl.{lang}.{}.json", short_hash(json))
}

/// Every site's files, by URL path.
#[derive(Default)]
pub struct Bundles {
    assets: HashMap<String, Arc<Asset>>,
    /// Each site's other loaders, by site id, when it has any (its banner's is in `assets`).
    loaders: HashMap<String, SiteLoaders<Arc<Asset>>>,
}

impl Bundles {
    /// Every configured site's files, from `pkg_config` and `code`; `[tcf]`
    /// sites (`tcf`, by id) get the stubs before their loader and their vendor lists.
    pub fn build(pkg_config: &Path, sites: &Sites, code: &WidgetCode, tcf: &BTreeMap<String, SiteTcf>) -> Result<Bundles, BundleError> {
        let mut assets = HashMap::new();
        let mut site_loaders = HashMap::new();
        for (name, asset) in &code.shared {
            assets.insert(format!("/c/{}/{name}", code.hash), asset.clone());
        }
        for site in sites.all() {
            let site_tcf = tcf.get(&site.id);
            let vendor_lists: BTreeMap<String, String> = site_tcf.into_iter().flat_map(|t| &t.lists).map(|(lang, json)| (lang.clone(), vendor_list_path(&site.id, lang, json))).collect();
            let naming = ServedLayout { site: &site.id, code: &code.hash, vendor_lists: &vendor_lists };
            let bundle = SiteBundle::build(pkg_config, site.clone(), &naming)?;
            let id = &site.id;
            let loader = consent_bundle::loader::bake(&code.template, &bundle.config.first, &code.first)?;
            let mut add = |path: String, content_type, caching, bytes: Vec<u8>| {
                assets.insert(path, Arc::new(Asset::new(content_type, caching, bytes)));
            };
            let loader = match site_tcf {
                Some(t) => consent_bundle::loader::with_stubs(&loader, &code.tcf_stub, &t.stub_config),
                None => loader,
            };
            add(format!("/s/{id}/consent.js"), "text/javascript; charset=utf-8", Caching::Revalidate, loader.into_bytes());
            let mut others = HashMap::new();
            for (audience, first) in &bundle.config.audiences {
                let loader = consent_bundle::loader::bake(&code.template, first, &code.first)?;
                let loader = match site_tcf {
                    Some(t) => consent_bundle::loader::with_stubs(&loader, &code.tcf_stub, &t.stub_config),
                    None => loader,
                };
                others.insert(audience.clone(), Arc::new(Asset::new("text/javascript; charset=utf-8", Caching::Revalidate, loader.into_bytes())));
            }
            if let Some(l) = SiteLoaders::new(site, others) {
                site_loaders.insert(id.clone(), l);
            }
            for (lang, json) in site_tcf.into_iter().flat_map(|t| &t.lists) {
                add(vendor_list_path(id, lang, json), "application/json", Caching::Immutable, json.clone());
            }
            add(format!("/s/{id}/{}", naming.details(&bundle.config.details)), "application/json", Caching::Immutable, bundle.config.details.into_bytes());
            for files in bundle.policy.into_values() {
                add(files.doc_url, "application/json", Caching::Immutable, files.doc.into_bytes());
                add(files.page_url, "text/html; charset=utf-8", Caching::Revalidate, files.page.into_bytes());
            }
        }
        Ok(Bundles { assets, loaders: site_loaders })
    }

    /// The file served at `path`, if any.
    pub fn get(&self, path: &str) -> Option<&Asset> {
        self.assets.get(path).map(Arc::as_ref)
    }

    /// The other loaders of `site` (GPC, variants, regions), if it has any.
    pub fn loaders(&self, site: &str) -> Option<&SiteLoaders<Arc<Asset>>> {
        self.loaders.get(site)
    }

    /// Every served path (sorted), for the size report and the tests.
    pub fn paths(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self.assets.keys().map(String::as_str).collect();
        paths.sort_unstable();
        paths
    }
}
