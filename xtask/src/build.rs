//! The Wasm pipeline: cargo (size-tuned release profile) → wasm-bindgen
//! (`--target web`) → wasm-opt `-Oz`; the first layer (cargo → wasm-opt); plus
//! the generated config and policy page.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::sh;

pub const PKG_DIR: &str = "www/consent/pkg";
pub const WASM: &str = "www/consent/pkg/consent_widget_bg.wasm";
pub const GLUE: &str = "www/consent/pkg/consent_widget.js";
/// The loader as written (readable) and as served (minified by esbuild).
pub const LOADER_SOURCE: &str = "www/loader/consent.js";
pub const LOADER: &str = "www/consent/consent.js";
pub const CONFIG: &str = "www/consent/config.json";
pub const DETAILS: &str = "www/consent/details.json";
/// The banner's first layer: the Wasm a visitor needs before deciding.
pub const FIRST: &str = "www/consent/first.wasm";
/// The site whose config the demo page loads.
pub const REFERENCE_SITE: &str = "pkg-config/sites/luxhost.toml";

pub fn run() -> Result<()> {
    sh(Command::new("cargo").args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "consent-widget"]))?;
    sh(Command::new("wasm-bindgen")
        .arg("target/wasm32-unknown-unknown/release/consent_widget.wasm")
        .args(["--out-dir", PKG_DIR, "--target", "web", "--no-typescript"])
        .args(["--remove-name-section", "--remove-producers-section", "--omit-default-module-path"]))?;
    // Features come from the module itself: `-all` yields modules Chromium rejects.
    sh(Command::new("node_modules/.bin/wasm-opt").args(["-Oz", "--converge", "--strip-producers", WASM, "-o", WASM]))?;
    first_layer()?;
    loader()?;
    write_generated()
}

/// The loader, minified: it is on the critical path.
fn loader() -> Result<()> {
    sh(Command::new("node_modules/.bin/esbuild").args([LOADER_SOURCE, "--minify", "--target=es2017", "--log-level=warning"]).arg(format!("--outfile={LOADER}")))
}

/// The first layer: no wasm-bindgen (its loader is its glue), its own entry
/// points (`--features entry`), built as a `cdylib` only here.
fn first_layer() -> Result<()> {
    sh(Command::new("cargo")
        .args(["rustc", "--release", "--target", "wasm32-unknown-unknown", "-p", "consent-first-layer"])
        .args(["--crate-type", "cdylib", "--features", "entry"]))?;
    let built = "target/wasm32-unknown-unknown/release/consent_first_layer.wasm";
    // Nothing processes it further, so the target-features section can go too.
    sh(Command::new("node_modules/.bin/wasm-opt").args(["-Oz", "--converge", "--strip-producers", "--strip-debug", "--strip-target-features", built, "-o", FIRST]))
}

/// The parts made from `pkg-config/`: the widget's config, the policy documents and pages.
pub fn write_generated() -> Result<()> {
    let cfg = crate::widget_config::build(Path::new("pkg-config"), Path::new(REFERENCE_SITE), Path::new("www"))?;
    std::fs::write(CONFIG, cfg.first).with_context(|| format!("writing {CONFIG}"))?;
    std::fs::write(DETAILS, cfg.details).with_context(|| format!("writing {DETAILS}"))
}
