//! The Wasm pipeline: cargo (size-tuned release profile) → wasm-bindgen
//! (`--target web`) → wasm-opt `-Oz`, plus the generated config and policy page.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::sh;

pub const PKG_DIR: &str = "www/consent/pkg";
pub const WASM: &str = "www/consent/pkg/consent_widget_bg.wasm";
pub const GLUE: &str = "www/consent/pkg/consent_widget.js";
pub const LOADER: &str = "www/consent/consent.js";
pub const CONFIG: &str = "www/consent/config.json";
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
    write_generated()
}

/// The parts made from `pkg-config/`: the widget's config, the policy documents and pages.
pub fn write_generated() -> Result<()> {
    let cfg = crate::widget_config::build(Path::new("pkg-config"), Path::new(REFERENCE_SITE), Path::new("www"))?;
    std::fs::write(CONFIG, cfg).with_context(|| format!("writing {CONFIG}"))
}
