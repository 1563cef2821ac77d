//! The published OpenAPI document against the live server: schemathesis (from
//! PyPI, in a virtualenv under `target/`) runs every check on every operation,
//! and any failure fails the test run.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{sh, sh_out};

/// The schemathesis the run is pinned to.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
const TOKEN: &str = "schemathesis-admin-token";

/// The server, killed when dropped (a failed run leaves nothing behind).
pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run() -> Result<()> {
    let st = install()?;
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).context("free port")?.port();
    let dir = std::env::temp_dir().join(format!("consent-schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let _server = start(port, &dir.join("consent.sqlite"))?;
    let base = format!("http://127.0.0.1:{port}");
    let result = sh(Command::new(&st)
        .args(["run", &format!("{base}/api/v1/openapi.json"), "--checks", "all", "--max-examples", "100", "--seed", "1"])
        .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
        .arg("--report-dir")
        .arg(dir.join("report"))
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .current_dir(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// `schemathesis` in `~/.cache/consent-widget/schemathesis-venv` (kept across
/// clones, like the other tools `setup` installs), made when missing.
fn install() -> Result<PathBuf> {
    let venv = match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache/consent-widget/schemathesis-venv"),
        None => std::env::current_dir()?.join("target/schemathesis-venv"),
    };
    let venv = venv.as_path();
    let bin = venv.join("bin/schemathesis");
    let have = sh_out(Command::new(&bin).arg("--version")).unwrap_or_default();
    if have.trim().ends_with(SCHEMATHESIS.trim_start_matches("schemathesis==")) {
        return Ok(bin);
    }
    sh(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    sh(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "--disable-pip-version-check", SCHEMATHESIS]))?;
    Ok(bin)
}

/// The debug server on `port` with a fresh SQLite file and no rate limit to speak of.
pub fn start(port: u16, db: &Path) -> Result<Server> {
    let child = Command::new("target/debug/consent-server")
        .args(["--port", &port.to_string(), "--rate-burst", "1000000", "--rate-per-second", "1000000", "--config", "pkg-config", "--www", "www"])
        .arg("--db")
        .arg(db)
        .env("CONSENT_ADMIN_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("starting target/debug/consent-server (built by the test run)")?;
    let server = Server(child);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("consent-server did not listen on {port}")
}
