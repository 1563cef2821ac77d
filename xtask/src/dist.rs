//! `cargo xtask dist`: the one binary to deploy. The widget is built first, so
//! the release server carries it (`backend/build.rs`) and runs anywhere from
//! `consent-server --config DIR --db FILE_OR_URL`: no source tree, no Node, no
//! Wasm toolchain.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::sh;

pub const DIST_BIN: &str = "target/dist/consent-server";

/// Builds the release server (the widget must be built) into `target/dist/`.
pub fn run() -> Result<PathBuf> {
    // The `dist` profile (Cargo.toml) writes it to target/dist/.
    sh(Command::new("cargo").args(["build", "--profile", "dist", "--locked", "-p", "consent-server"]))?;
    let size = std::fs::metadata(DIST_BIN).map(|m| m.len()).unwrap_or(0);
    eprintln!("{DIST_BIN}: {:.1} MB, the widget inside", size as f64 / 1e6);
    Ok(PathBuf::from(DIST_BIN))
}
