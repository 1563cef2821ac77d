//! `cargo xtask scan`: the demo site (the reference site `luxhost` on the
//! debug server, a fresh SQLite store) crawled by `consent-server scan`, its
//! reports written to `target/scan/`. Part of `test`: the widget checks
//! itself, and any violation fails the run.

use std::net::TcpListener;
use std::process::Command;

use anyhow::{Context, Result};

use crate::sh;

/// Scans the demo; `extra` goes to `consent-server scan` as given (e.g. `--fail-on undeclared`).
pub fn run(extra: &[String]) -> Result<()> {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).context("free port")?.port();
    let dir = std::env::temp_dir().join(format!("consent-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::create_dir_all("target/scan")?;
    let result = crate::api_fuzz::start(port, &dir.join("consent.sqlite")).and_then(|_server| {
        sh(Command::new("target/debug/consent-server")
            .args(["--config", "pkg-config", "scan", "--site", "luxhost", &format!("http://127.0.0.1:{port}/")])
            .args(["--json", "target/scan/luxhost.json", "--html", "target/scan/luxhost.html"])
            .args(extra))
    });
    let _ = std::fs::remove_dir_all(&dir);
    result
}
