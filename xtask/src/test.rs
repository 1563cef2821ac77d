//! The whole test suite: Rust tests (unit, store, HTTP integration, repository
//! checks), then the browser tests in headless Chromium against the real server.

use std::process::Command;

use anyhow::Result;

use crate::sh;

pub fn run() -> Result<()> {
    sh(Command::new("cargo").args(["test", "--workspace"]))?;
    sh(Command::new("cargo").args(["build", "-p", "consent-server"]))?;
    sh(Command::new("node").args(["--test", "--test-concurrency=1", "tests/browser/"]))
}
