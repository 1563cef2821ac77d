//! Installs what the build and the tests need, only when it is missing, and
//! only from the package registries (see ../shared/TOOLCHAIN.md for why each choice).

use std::path::Path;
use std::process::Command;

use anyhow::Result;

use crate::{sh, sh_out};

/// Must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

pub fn run() -> Result<()> {
    wasm_target()?;
    wasm_bindgen_cli()?;
    npm_tools()?;
    browser()
}

fn wasm_target() -> Result<()> {
    let installed = sh_out(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn wasm_bindgen_cli() -> Result<()> {
    let have = sh_out(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.trim() == format!("wasm-bindgen {WASM_BINDGEN_VERSION}") {
        return Ok(());
    }
    // `--locked` fails on this registry today; fall back to a fresh resolution.
    let locked = sh(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION, "--locked"]));
    if locked.is_err() {
        sh(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION]))?;
    }
    Ok(())
}

fn npm_tools() -> Result<()> {
    let ready = ["node_modules/.bin/wasm-opt", "node_modules/playwright-core", "node_modules/axe-core"].iter().all(|p| Path::new(p).exists());
    if !ready {
        sh(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

fn browser() -> Result<()> {
    let needed = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/sqlite3"];
    if needed.iter().all(|p| Path::new(p).exists()) {
        return Ok(());
    }
    sh(Command::new("apt-get").arg("update"))?;
    sh(Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver", "sqlite3"]))
}
