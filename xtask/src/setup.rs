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
    rust_components()?;
    wasm_bindgen_cli()?;
    npm_tools()?;
    debian_packages()
}

fn wasm_target() -> Result<()> {
    let installed = sh_out(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// rustfmt and clippy, which the test command runs.
fn rust_components() -> Result<()> {
    let installed = sh_out(Command::new("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    for component in ["rustfmt", "clippy"] {
        if !installed.lines().any(|l| l.starts_with(&format!("{component}-"))) {
            sh(Command::new("rustup").args(["component", "add", component]))?;
        }
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
    let ready = ["node_modules/.bin/wasm-opt", "node_modules/.bin/esbuild", "node_modules/playwright-core", "node_modules/axe-core", "node_modules/@iabtechlabtcf/core", "node_modules/@iabgpp/cmpapi"]
        .iter()
        .all(|p| Path::new(p).exists());
    if !ready {
        sh(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

/// Debian's packages the tests use: Chromium and ChromeDriver, the SQLite and
/// PostgreSQL clients, and nginx (the reverse proxy with TLS in front of the server).
fn debian_packages() -> Result<()> {
    let needed = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/sqlite3", "/usr/bin/psql", "/usr/sbin/nginx", "/usr/bin/openssl"];
    if needed.iter().all(|p| Path::new(p).exists()) {
        return Ok(());
    }
    run_apt(&["chromium", "chromium-driver", "sqlite3", "postgresql-client", "nginx", "openssl"])
}

/// Starts the machine's PostgreSQL cluster, installing Debian's server first
/// when there is none. (Machines of this kind run PostgreSQL 15 already.)
pub fn postgres() -> Result<()> {
    if !Path::new("/etc/postgresql").exists() {
        run_apt(&["postgresql"])?;
    }
    let versions = std::fs::read_dir("/etc/postgresql")?.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect::<Vec<_>>();
    for v in versions {
        let _ = sh(Command::new("pg_ctlcluster").args(["--skip-systemctl-redirect", &v, "main", "start"]));
    }
    for _ in 0..50 {
        if sh_out(Command::new("pg_isready").args(["-h", "127.0.0.1"])).is_some() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    anyhow::bail!("PostgreSQL did not start on 127.0.0.1:5432")
}

fn run_apt(packages: &[&str]) -> Result<()> {
    sh(Command::new("apt-get").arg("update"))?;
    sh(Command::new("apt-get").args(["install", "-y", "--no-install-recommends"]).args(packages))
}

#[cfg(test)]
mod tests {
    /// The CLI that writes the glue must be the crate's version, or the glue and the Wasm disagree at run time.
    #[test]
    fn wasm_bindgen_cli_matches_the_locked_crate() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).expect("Cargo.lock");
        let locked = lock.split("[[package]]").find(|p| p.contains("name = \"wasm-bindgen\"\n")).and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \""))).map(|v| v.trim_end_matches('"'));
        assert_eq!(locked, Some(super::WASM_BINDGEN_VERSION));
    }
}
