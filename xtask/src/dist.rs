//! `cargo xtask dist`: the one binary to deploy. The widget is built first, so
//! the release server carries it (`backend/build.rs`) and runs anywhere from
//! `consent-server --config DIR --db FILE_OR_URL`: no source tree, no Node, no
//! Wasm toolchain.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::sh;

pub const DIST_BIN: &str = "target/dist/consent-server";

/// Builds the release server (the widget must be built) into `target/dist/`.
pub fn run() -> Result<PathBuf> {
    sh(Command::new("cargo").args(["build", "--release", "--locked", "-p", "consent-server"]))?;
    std::fs::create_dir_all("target/dist").context("creating target/dist")?;
    std::fs::copy("target/release/consent-server", DIST_BIN).context("copying the release binary")?;
    let size = std::fs::metadata(DIST_BIN).map(|m| m.len()).unwrap_or(0);
    eprintln!("{DIST_BIN}: {:.1} MB, the widget inside", size as f64 / 1e6);
    Ok(PathBuf::from(DIST_BIN))
}
