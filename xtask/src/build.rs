//! The Wasm pipeline: cargo (size-tuned release profile) → wasm-bindgen
//! (`--target web`) → wasm-opt `-Oz`; the first layer (cargo → wasm-opt); plus
//! the generated config and policy page.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use consent_bundle::{SiteBundle, WwwLayout};
use consent_wire::config::SiteConfig;

use crate::sh;

pub const PKG_DIR: &str = "www/consent/pkg";
pub const WASM: &str = "www/consent/pkg/consent_widget_bg.wasm";
/// The full widget's start (source) and, bundled with wasm-bindgen's glue, as served.
const WIDGET_JS_SOURCE: &str = "www/loader/widget.js";
pub const WIDGET_JS: &str = "www/consent/pkg/widget.js";
/// The TCF CMP (`cmp/`): its Wasm, its JavaScript half (source) and both bundled, as served.
pub const CMP_WASM: &str = "www/consent/pkg/consent_cmp_bg.wasm";
const CMP_JS_SOURCE: &str = "www/loader/cmp.js";
pub const CMP_JS: &str = "www/consent/pkg/cmp.js";
/// The loader's source, the template made from it (minified, the config and the
/// first layer left as the free names `__CONFIG__` and `__FIRST__`), and the
/// loader as served (baked: config.json and the first layer inside).
const LOADER_SOURCE: &str = "www/loader/consent.js";
pub const LOADER_TEMPLATE: &str = "www/consent/loader.template.js";
pub const LOADER: &str = "www/consent/consent.js";
pub const CONFIG: &str = "www/consent/config.json";
pub const DETAILS: &str = "www/consent/details.json";
/// The banner's first layer: the Wasm a visitor needs before deciding (baked into the loader).
pub const FIRST: &str = "www/consent/first.wasm";
pub const TCF_STUB_SOURCE: &str = "www/loader/tcf-stub.js";
pub const TCF_STUB: &str = "www/consent/tcf-stub.js";
/// The site whose config the demo page loads.
pub const REFERENCE_SITE: &str = "pkg-config/sites/luxhost.toml";

pub fn run() -> Result<()> {
    wasm_bindgen_module("consent-widget", WASM)?;
    sh(Command::new("node_modules/.bin/esbuild").args([WIDGET_JS_SOURCE, "--bundle", "--format=esm", "--minify", "--target=es2017", "--log-level=warning"]).arg(format!("--outfile={WIDGET_JS}")))?;
    // The TCF CMP, loaded beside the full widget by `[tcf]` sites only.
    wasm_bindgen_module("consent-cmp", CMP_WASM)?;
    sh(Command::new("node_modules/.bin/esbuild").args([CMP_JS_SOURCE, "--bundle", "--format=esm", "--minify", "--target=es2017", "--log-level=warning"]).arg(format!("--outfile={CMP_JS}")))?;
    first_layer()?;
    write_generated()?;
    // The TCF and GPP stubs, baked before the loader of `[tcf]` sites by the server.
    sh(Command::new("node_modules/.bin/esbuild").args([TCF_STUB_SOURCE, "--minify", "--target=es2017", "--log-level=warning"]).arg(format!("--outfile={TCF_STUB}")))?;
    loader()
}

/// cargo (size-tuned release profile) → wasm-bindgen (`--target web`, glue in
/// `PKG_DIR`) → wasm-opt `-Oz` of `package`, whose Wasm lands at `wasm`.
fn wasm_bindgen_module(package: &str, wasm: &str) -> Result<()> {
    sh(Command::new("cargo").args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", package]))?;
    let built = format!("target/wasm32-unknown-unknown/release/{}.wasm", package.replace('-', "_"));
    sh(Command::new("wasm-bindgen").arg(built).args(["--out-dir", PKG_DIR, "--target", "web", "--no-typescript"]).args([
        "--remove-name-section",
        "--remove-producers-section",
        "--omit-default-module-path",
    ]))?;
    // Features come from the module itself: `-all` yields modules Chromium rejects.
    sh(Command::new("node_modules/.bin/wasm-opt").args(["-Oz", "--converge", "--strip-producers", wasm, "-o", wasm]))
}

/// The served loader: minified, with config.json and the first layer baked in
/// (`consent_bundle::loader`), as it is the one file on the critical path.
fn loader() -> Result<()> {
    sh(Command::new("node_modules/.bin/esbuild")
        // No `--format=iife`: the source is its own function expression, and a second wrapper costs bytes.
        .args([LOADER_SOURCE, "--minify", "--target=es2017", "--log-level=warning"])
        // Keep U+0080–U+00FF as they are (escaped, each would cost 4 bytes).
        .arg("--charset=utf8")
        .arg(format!("--outfile={LOADER_TEMPLATE}")))?;
    let template = std::fs::read_to_string(LOADER_TEMPLATE).with_context(|| format!("reading {LOADER_TEMPLATE}"))?;
    let config = std::fs::read_to_string(CONFIG).with_context(|| format!("reading {CONFIG}"))?;
    let first = std::fs::read(FIRST).with_context(|| format!("reading {FIRST}"))?;
    let baked = consent_bundle::loader::bake(&template, &config, &first)?;
    std::fs::write(LOADER, baked).with_context(|| format!("writing {LOADER}"))
}

/// The first layer: no wasm-bindgen (its loader is its glue), its own entry
/// points (`--features entry`), built as a `cdylib` only here.
fn first_layer() -> Result<()> {
    sh(Command::new("cargo").args(["rustc", "--release", "--target", "wasm32-unknown-unknown", "-p", "consent-first-layer"]).args(["--crate-type", "cdylib", "--features", "entry"]))?;
    let built = "target/wasm32-unknown-unknown/release/consent_first_layer.wasm";
    // Nothing processes it further, so the target-features section can go too,
    // and the linker's `__data_end`/`__heap_base` exports, which the loader never reads.
    let unused_exports = ["--remove-exports", "--pass-arg=remove-exports@__*"];
    sh(Command::new("node_modules/.bin/wasm-opt").args(unused_exports).args(["-Oz", "--converge", "--strip-producers", "--strip-debug", "--strip-target-features", built, "-o", FIRST]))
}

/// The parts made from `pkg-config/`: the widget's config, the policy documents and pages.
pub fn write_generated() -> Result<()> {
    let site = SiteConfig::load(Path::new(REFERENCE_SITE))?;
    let bundle = SiteBundle::build(Path::new("pkg-config"), site, &WwwLayout)?;
    std::fs::write(CONFIG, &bundle.config.first).with_context(|| format!("writing {CONFIG}"))?;
    std::fs::write(DETAILS, &bundle.config.details).with_context(|| format!("writing {DETAILS}"))?;
    for files in bundle.policy.values() {
        for (url, content) in [(&files.doc_url, &files.doc), (&files.page_url, &files.page)] {
            let path = Path::new("www").join(url.trim_start_matches('/'));
            std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}
