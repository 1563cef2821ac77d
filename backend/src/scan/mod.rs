//! The cookie scanner: what a site really stores and requests, before any
//! choice, after "Reject all", after "Accept all" and after a withdrawal,
//! checked against what its config declares. `consent-server scan` drives a
//! headless Chromium over the DevTools protocol (`cdp`), crawls the site
//! (`crawl`), visits each page three times (`visit`, `seen`), classifies every
//! name (`classify`, `known`), and reports (`report`; as a table: `summary`,
//! as a page: `html`, as JSON: the `Report` itself).

pub mod cdp;
pub mod classify;
pub mod crawl;
pub mod html;
pub mod known;
pub mod report;
pub mod seen;
pub mod summary;
pub mod visit;

use std::path::PathBuf;
use std::time::Duration;

use report::Report;

/// Appended to the scanner's user agent; ingest stores nothing sent with it,
/// so a scan never counts as visitors' decisions.
pub const SCAN_MARK: &str = "ConsentScan/1";

/// What makes a scan fail (exit status 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Only violations (the default).
    Violations,
    /// Violations or undeclared names.
    Undeclared,
}

/// `consent-server scan`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// The site id (its file in `<config>/sites/`).
    #[arg(long)]
    pub site: String,
    /// Pages to start from (default: each of the site's origins that has a fixed port, `/`).
    pub urls: Vec<String>,
    /// Pages visited at most.
    #[arg(long, default_value_t = 50)]
    pub max_pages: usize,
    /// Seconds the whole crawl may take.
    #[arg(long, default_value_t = 600)]
    pub max_time: u64,
    /// Visit pages `robots.txt` disallows.
    #[arg(long)]
    pub ignore_robots: bool,
    /// The Chromium to drive (default: `chromium` on `PATH`).
    #[arg(long, env = "CONSENT_CHROMIUM")]
    pub chromium: Option<PathBuf>,
    /// Write the JSON report here (`-`: standard output, the table then goes to standard error).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the HTML report here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = FailOn::Violations)]
    pub fail_on: FailOn,
    /// Keep the report as the site's last scan in the store (`--db`), for the dashboard.
    #[arg(long)]
    pub store: bool,
}

/// The report as the store keeps it.
pub fn row(report: &Report, scanned_at_ms: i64) -> Result<crate::store::ScanRow, serde_json::Error> {
    let count = |n: usize| n as i64;
    Ok(crate::store::ScanRow {
        site: report.site.clone(),
        scanned_at: scanned_at_ms,
        pages: count(report.scanned()),
        violations: count(report.violations.len()),
        undeclared: count(report.undeclared.len()),
        stale: count(report.stale.len()),
        report: serde_json::to_string(report)?,
    })
}

/// Exit status: 0 clean, 1 violations (or undeclared names with `--fail-on undeclared`).
pub fn exit_status(report: &Report, fail_on: FailOn) -> i32 {
    let failed = !report.is_clean() || (fail_on == FailOn::Undeclared && !report.undeclared.is_empty());
    i32::from(failed)
}

/// Runs the scan: Chromium started, the site crawled within the bounds, a bar for progress.
pub async fn run(site: &consent_wire::config::SiteConfig, args: &ScanArgs) -> anyhow::Result<Report> {
    let path = cdp::find(args.chromium.as_deref())?;
    let browser = cdp::Chromium::launch(&path).await?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} scanning {msg} [{elapsed}]").unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()));
    bar.enable_steady_tick(Duration::from_millis(200));
    let bounds = crawl::Bounds { max_pages: args.max_pages, max_time: Duration::from_secs(args.max_time), respect_robots: !args.ignore_robots };
    let progress = |done: usize, queued: usize, findings: usize| bar.set_message(format!("{done} pages done, {queued} queued, {findings} findings"));
    let report = crawl::crawl(&browser, site, &args.urls, &bounds, &progress).await;
    bar.finish_and_clear();
    Ok(report?)
}
