//! The whole test suite: formatting and lints, Rust tests (unit, store, HTTP integration, repository
//! checks) on SQLite, the backend's integration tests again on a real
//! PostgreSQL (and once more against a throwaway cluster the test restarts),
//! then schemathesis against the live server's OpenAPI document, the cookie
//! scanner on the demo site, then the browser tests in headless Chromium
//! against the release server. Prints the time each phase took.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::{sh, sh_out};

/// The PostgreSQL the store tests use; each test makes its own schema in it.
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/consent_test";

pub fn run() -> Result<()> {
    let mut clock = Clock::default();
    let result = phases(&mut clock);
    clock.report();
    result
}

fn phases(c: &mut Clock) -> Result<()> {
    c.time("setup", crate::setup::run)?;
    c.time("build (widget)", crate::build::run)?;
    c.time("fmt", || sh(Command::new("cargo").args(["fmt", "--all", "--", "--check"])))?;
    c.time("clippy", || {
        sh(Command::new("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
        // The widget's and the CMP's browser code exists only for wasm32: lint it there too.
        sh(Command::new("cargo").args(["clippy", "-p", "consent-widget", "-p", "consent-cmp", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]))?;
        sh(Command::new("cargo").args(["clippy", "-p", "consent-first-layer", "--features", "entry", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]))
    })?;
    c.time("size budget", crate::size::check)?;
    // No import cycle, no file over 400 lines, no function over 60 lines (ARCHITECTURE.md).
    c.time("structure", || crate::structure::run(false))?;
    c.time("rust tests (SQLite)", || sh(Command::new("cargo").args(["test", "--workspace"])))?;
    let pg = std::env::var("CONSENT_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    c.time("rust tests (PostgreSQL)", || postgres_tests(&pg))?;
    // The release binary alone, in an empty folder, serves every site.
    let dist = c.time("dist", || {
        let dist = std::fs::canonicalize(crate::dist::run()?)?;
        sh(Command::new("cargo").args(["test", "--workspace", "--test", "dist", "--", "--ignored"]).env("CONSENT_DIST_BIN", &dist))?;
        Ok(dist)
    })?;
    // The fuzzing and the scan run the debug server `cargo test --workspace`
    // built (target/debug/consent-server), with its overflow checks and debug assertions.
    c.time("schemathesis", crate::api_fuzz::run)?;
    // The demo site scanned for cookies: no violation.
    c.time("scan", || crate::scan::run(&[]))?;
    // The browser tests run the binary a deployment gets (and it starts in a
    // third of the debug build's time: the whole phase takes a quarter less).
    c.time("browser tests", || sh(Command::new("node").args(["--test", "--test-concurrency=1", "tests/browser/"]).env("CONSENT_SERVER_BIN", &dist)))
}

/// The server's integration tests again on PostgreSQL, what only PostgreSQL
/// can do, and a throwaway cluster the test stops and restarts.
fn postgres_tests(pg: &str) -> Result<()> {
    fresh_postgres_database(pg)?;
    // Every cargo command here selects the whole workspace, as `cargo test --workspace`
    // did: another selection unifies other features and rebuilds half the tree.
    sh(Command::new("cargo").args(["test", "--workspace"]).args(server_tests()?).env("CONSENT_TEST_PG", pg))?;
    // Several instances on one chain.
    sh(Command::new("cargo").args(["test", "--workspace", "--test", "proof", "--", "--ignored"]).env("CONSENT_TEST_PG", pg))?;
    // Starts and restarts a throwaway PostgreSQL cluster of its own (initdb, pg_ctl).
    sh(Command::new("cargo").args(["test", "--workspace", "--test", "postgres_faults", "--", "--ignored"]))
}

/// How long each phase of the run took, printed at the end (CI's budget is 30 minutes).
#[derive(Default)]
struct Clock {
    phases: Vec<(&'static str, Duration)>,
}

impl Clock {
    fn time<T>(&mut self, name: &'static str, phase: impl FnOnce() -> Result<T>) -> Result<T> {
        eprintln!("== {name}");
        let started = Instant::now();
        let result = phase();
        self.phases.push((name, started.elapsed()));
        result
    }

    fn report(&self) {
        eprintln!("== time per phase");
        for (name, took) in &self.phases {
            eprintln!("{:>7.1} s  {name}", took.as_secs_f64());
        }
        let total: Duration = self.phases.iter().map(|(_, d)| *d).sum();
        eprintln!("{:>7.1} s  in all", total.as_secs_f64());
    }
}

/// `--test <name>` for each of the server's integration tests (`backend/tests/*.rs`).
fn server_tests() -> Result<Vec<String>> {
    let mut args = Vec::new();
    for entry in std::fs::read_dir("backend/tests").context("reading backend/tests")? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().and_then(|s| s.to_str()).context("a test file name")?;
            args.extend(["--test".to_owned(), name.to_owned()]);
        }
    }
    Ok(args)
}

/// Recreates the test database (dropping what earlier runs left), starting or
/// installing PostgreSQL first when none answers.
fn fresh_postgres_database(url: &str) -> Result<()> {
    let (server, db) = url.rsplit_once('/').context("CONSENT_TEST_PG must end in /DATABASE")?;
    let db = db.split('?').next().unwrap_or(db);
    let admin = format!("{server}/postgres");
    if sh_out(Command::new("pg_isready").args(["-d", &admin])).is_none() {
        crate::setup::postgres()?;
    }
    sh(Command::new("psql").args(["-v", "ON_ERROR_STOP=1", "-q", &admin, "-c", &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")]))?;
    sh(Command::new("psql").args(["-v", "ON_ERROR_STOP=1", "-q", &admin, "-c", &format!("CREATE DATABASE {db}")]))
}
