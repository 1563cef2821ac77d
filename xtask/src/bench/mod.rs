//! `cargo xtask bench`: our widget side by side with vanilla-cookieconsent
//! (npm, pinned, installed into `target/bench-peer/`, never committed) and two
//! floors: the same banner as static HTML, and as one small deferred script (the
//! limit for anything added with one tag). Bytes on the critical path (ours as
//! the server serves it), time to banner, blocking time and decision cost in
//! headless Chromium, then ingest throughput. Writes `BENCHMARKS.md` and prints it.

mod pages;
mod report;
mod sizes;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::{sh, sh_out};

const PEER: &str = "vanilla-cookieconsent";
const PEER_VERSION: &str = "3.1.0";
const PEER_DIR: &str = "target/bench-peer";

pub fn run() -> Result<()> {
    sh(Command::new("npm").args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix", PEER_DIR, &format!("{PEER}@{PEER_VERSION}")]))?;
    sh(Command::new("cargo").args(["build", "--release", "-p", "consent-server"]))?;
    let peer_dist = Path::new(PEER_DIR).join("node_modules").join(PEER).join("dist");
    let dir = std::env::temp_dir().join(format!("consent-bench-{}", std::process::id()));
    let result = bench_in(&dir, &peer_dist);
    let _ = std::fs::remove_dir_all(&dir);
    let md = result?;
    std::fs::write("BENCHMARKS.md", &md)?;
    println!("{md}");
    eprintln!("wrote BENCHMARKS.md");
    Ok(())
}

/// Serves a copy of `www/` with the bench pages from `dir`, measures, and returns the report.
fn bench_in(dir: &Path, peer_dist: &Path) -> Result<String> {
    let www = dir.join("www");
    crate::copy_dir(Path::new("www"), &www)?;
    pages::write(&www.join("bench"), peer_dist)?;
    let server = Server::start(dir, &www)?;
    let mut md = report::header()?;
    md.push_str(&sizes::report(&server.base)?);
    let runs = std::env::var("BENCH_RUNS").unwrap_or_else(|_| "20".into());
    eprintln!("$ node bench/time_to_banner.mjs {} {runs}", server.base);
    let out = Command::new("node").args(["bench/time_to_banner.mjs", &server.base, &runs]).stderr(Stdio::inherit()).output().context("running node")?;
    drop(server);
    if !out.status.success() {
        bail!("the browser bench failed");
    }
    let timing: Value = serde_json::from_slice(&out.stdout).context("reading the browser bench's JSON")?;
    md.push_str(&report::timings(&timing));
    if std::env::var("BENCH_INGEST").is_ok_and(|v| v == "0") {
        eprintln!("BENCH_INGEST=0: without the ingest figures");
        return Ok(md);
    }
    eprintln!("$ cargo bench -p consent-server --bench ingest");
    let ingest = Command::new("cargo").args(["bench", "-p", "consent-server", "--bench", "ingest"]).stderr(Stdio::inherit()).output().context("running the ingest bench")?;
    md.push_str(&format!("\n## Ingest: `POST /api/v1/events` over loopback\n\n{}\n", String::from_utf8_lossy(&ingest.stdout).trim()));
    Ok(md)
}

/// The release server on a free port, serving `www` and the repository's
/// `pkg-config/` from a fresh SQLite file; stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &Path, www: &Path) -> Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("target/release/consent-server")
            .args(["--port", &port.to_string(), "--rate-burst", "1000000", "--rate-per-second", "1000000"])
            .arg("--db")
            .arg(dir.join("bench.sqlite"))
            .arg("--www")
            .arg(www)
            .env("CONSENT_ADMIN_TOKEN", "bench")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .context("starting consent-server")?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        for _ in 0..200 {
            if sh_out(Command::new("curl").args(["-sf", "-o", "/dev/null", &format!("{}/healthz", server.base)])).is_some() {
                return Ok(server);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        bail!("consent-server did not start on {}", server.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
