//! `cargo xtask <task>`: the project's build automation, one module per task.

mod api_fuzz;
mod bench;
mod build;
mod dist;
mod npm_pack;
mod scan;
mod setup;
mod size;
mod structure;
mod test;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Build, run and test the consent widget and its backend")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what is missing (wasm32 target, wasm-bindgen-cli, npm tools, Chromium).
    Setup,
    /// Build the widget (Wasm, glue, config) into www/consent/.
    Build,
    /// Build everything and serve the demo site and backend on embedded SQLite.
    Demo {
        #[arg(long, env = "PORT", default_value_t = 8080)]
        port: u16,
    },
    /// Load demo traffic (about 300,000 events over 90 days) into the demo's SQLite store.
    DemoData,
    /// Run every test: Rust unit and integration tests (SQLite, PostgreSQL), schemathesis, then the browser tests.
    Test,
    /// Fuzz the live server against its OpenAPI document with schemathesis (every check; part of `test`).
    ApiFuzz,
    /// Print the bytes a page loads before the banner can be used.
    Size,
    /// Build the one binary to deploy (release, the widget inside) into target/dist/.
    Dist,
    /// Pack the npm package for bundled apps (packages/consent) into target/npm/.
    NpmPack,
    /// Check the code's shape: no import cycle between files, no file over 400 lines, no function over 60.
    Structure {
        /// Print each crate's module graph too.
        #[arg(long)]
        graph: bool,
    },
    /// Crawl the demo site with `consent-server scan` (reports in target/scan/); part of `test`.
    Scan {
        /// More arguments for `consent-server scan`, e.g. `--fail-on undeclared`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Benchmark against vanilla-cookieconsent (size, time to banner, decision cost, ingest); writes BENCHMARKS.md.
    Bench,
}

fn main() -> Result<()> {
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match Cli::parse().task {
        Task::Setup => setup::run(),
        Task::Build => {
            setup::run()?;
            build::run()
        }
        Task::Demo { port } => {
            setup::run()?;
            build::run()?;
            sh(Command::new("cargo").args(["run", "-p", "consent-server", "--", "--port"]).arg(port.to_string()))
        }
        Task::DemoData => sh(Command::new("cargo").args(["run", "-p", "consent-server", "--", "demo-data"])),
        Task::Test => test::run(),
        Task::Bench => {
            setup::run()?;
            build::run()?;
            bench::run()
        }
        Task::ApiFuzz => {
            sh(Command::new("cargo").args(["build", "-p", "consent-server"]))?;
            api_fuzz::run()
        }
        Task::Dist => {
            setup::run()?;
            build::run()?;
            dist::run().map(|_| ())
        }
        Task::NpmPack => npm_pack::run(),
        Task::Scan { args } => {
            build::run()?;
            sh(Command::new("cargo").args(["build", "-p", "consent-server"]))?;
            scan::run(&args)
        }
        Task::Structure { graph } => structure::run(graph),
        Task::Size => {
            build::run()?;
            size::print()
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command, failing with its command line when it fails.
pub fn sh(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    eprintln!("$ {shown}");
    let status = cmd.status().with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

/// Runs a command and returns its stdout, or None when it cannot run or fails.
pub fn sh_out(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Copies the directory `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}
