//! `cargo xtask npm-pack`: the npm package for apps built with a bundler
//! (`packages/consent`: types for `window.Consent` and its events, `loadConsent`,
//! `onConsent`, `whenReady`), packed into `target/npm/`.

use std::process::Command;

use anyhow::{Context, Result};

use crate::sh;

pub fn run() -> Result<()> {
    std::fs::create_dir_all("target/npm").context("creating target/npm")?;
    sh(Command::new("npm").args(["pack", "./packages/consent", "--pack-destination", "target/npm"]))
}
