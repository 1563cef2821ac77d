//! `consent-server`: serves the demo site, the widget and the API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use consent_bundle::{SiteBundle, WwwLayout};
use consent_server::auth::AdminToken;
use consent_server::bundles::{Bundles, WidgetCode};
use consent_server::chain::Verdict;
use consent_server::configuration::{self, Source};
use consent_server::limits::Limits;
use consent_server::new_site::{scaffold, NewSite};
use consent_server::proxy::TrustedProxies;
use consent_server::sites::Sites;
use consent_server::store::{redact, Retention, Store};
use consent_server::{app, AppState};
use rand::Rng;

/// A century: longer retentions are refused rather than overflowing.
const MAX_RETAIN_DAYS: u64 = 36_500;

#[derive(Parser)]
#[command(about = "Consent backend: event ingest, stats and the demo site")]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, global = true, env = "HOST", default_value = "127.0.0.1")]
    host: String,
    #[arg(long, global = true, env = "PORT", default_value_t = 8080)]
    port: u16,
    /// SQLite database file, or a `postgres://` URL for a shared PostgreSQL
    /// (created and migrated on start).
    #[arg(long, global = true, env = "CONSENT_DB", default_value = "data/consent.sqlite")]
    db: String,
    /// The site configuration folder.
    #[arg(long, global = true, env = "CONSENT_CONFIG", default_value = "pkg-config")]
    config: PathBuf,
    /// Static files: the demo site and the built widget.
    #[arg(long, global = true, env = "CONSENT_WWW", default_value = "www")]
    www: PathBuf,
    /// Bearer token for the admin API; a random one is made and printed when unset.
    #[arg(long, global = true, env = "CONSENT_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Ingest requests one client may send in a burst.
    #[arg(long, global = true, env = "CONSENT_RATE_BURST", default_value_t = consent_server::state::DEFAULT_BURST)]
    rate_burst: u32,
    /// Ingest requests per second one client may send after the burst.
    #[arg(long, global = true, env = "CONSENT_RATE_PER_SECOND", default_value_t = consent_server::state::DEFAULT_PER_SECOND)]
    rate_per_second: u32,
    /// Days a decision is kept (proof of consent); default 5 years. 1 to 36,500:
    /// 0 would purge every decision.
    #[arg(long, global = true, env = "CONSENT_RETAIN_DECISIONS_DAYS", default_value_t = 1826, value_parser = clap::value_parser!(u64).range(1..=MAX_RETAIN_DAYS))]
    retain_decisions_days: u64,
    /// Days an impression (`banner_shown`) is kept; default 13 months. 1 to 36,500.
    #[arg(long, global = true, env = "CONSENT_RETAIN_IMPRESSIONS_DAYS", default_value_t = 396, value_parser = clap::value_parser!(u64).range(1..=MAX_RETAIN_DAYS))]
    retain_impressions_days: u64,
    /// Connections served at once (more wait in the kernel's backlog); keep it
    /// under the process's open-file limit.
    #[arg(long, global = true, env = "CONSENT_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` / `X-Forwarded-Proto`
    /// are believed (client address for rate limits, https for `Secure` cookies),
    /// and whose country header (`[regions]`: `CF-IPCountry`, …) picks a region:
    /// addresses or networks, comma-separated. Without it those headers are ignored.
    #[arg(long, global = true, env = "CONSENT_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: TrustedProxies,
    /// Where to keep `<config>/tcf/` current from, e.g. the IAB's
    /// `https://vendor-list.consensu.org/v3/` (a folder holding `vendor-list.json`
    /// and `purposes-<lang>.json`). Without it the files in the folder are used as they are.
    #[arg(long, env = "CONSENT_GVL_URL")]
    gvl_url: Option<url::Url>,
    /// Hours between two fetches of the Global Vendor List (at least a minute; longer when its server asks).
    #[arg(long, env = "CONSENT_GVL_REFRESH_HOURS", default_value_t = 24.0)]
    gvl_refresh_hours: f64,
    /// Benchmarks only: validate events but store nothing (the HTTP ceiling).
    #[arg(long, global = true, hide = true)]
    bench_noop_store: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the demo site, the widget and the API (the default).
    Serve,
    /// Check a site's hash chain of decisions; names the first broken link.
    Verify {
        #[arg(long)]
        site: String,
    },
    /// Recompute the dashboard's rollup tables from the raw events.
    RebuildRollups,
    /// Check every site in `--config` (files, fields, policies) as the server
    /// would load them; errors name the file and field.
    CheckConfig,
    /// Add a site to `--config`: `sites/<id>.toml`, started from the reference
    /// site's categories, and a policy to fill in (`policy/<id>.<lang>.md`).
    NewSite {
        /// The site id (a-z, 0-9, '-', '_'), as in `/s/<id>/consent.js`.
        id: String,
        /// The name visitors see.
        #[arg(long)]
        name: String,
        /// An origin whose pages may post events, e.g. `https://www.example.com` (repeat for more).
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// A language, the first is the default (repeat for more; built in: nl, en, fr, de).
        #[arg(long = "language", default_value = "en")]
        languages: Vec<String>,
    },
    /// Crawl a site in headless Chromium and check what it stores and requests
    /// against its config; exit 0 clean, 1 violations, 2 could not scan.
    Scan(consent_server::scan::ScanArgs),
    /// Load realistic demo events (the last `--days` days) for the dashboard.
    DemoData {
        #[arg(long, default_value = "luxhost")]
        site: String,
        #[arg(long, default_value_t = 300_000)]
        events: usize,
        #[arg(long, default_value_t = 90)]
        days: u32,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

/// Where the configuration comes from: `--config`, and the built widget: in
/// `<www>/consent` when it is there (a fresh `cargo xtask build`), else the one
/// a release binary carries; without either (with a warning) no site's files
/// are served.
fn source(args: &Args) -> Source {
    let code = match WidgetCode::load(&args.www.join("consent")) {
        Ok(code) => Some(Arc::new(code)),
        Err(e) => match WidgetCode::embedded() {
            Some(code) => Some(Arc::new(code)),
            None => {
                tracing::warn!("no site bundles are served: {e}");
                None
            }
        },
    };
    Source { pkg_config: args.config.clone(), code }
}

/// The sites to serve and their widget files, and where they come from (for reloads).
fn load_configuration(args: &Args) -> anyhow::Result<(Source, Sites, Bundles)> {
    let source = source(args);
    let started = std::time::Instant::now();
    let (sites, bundles) = source.load().context("loading the configuration")?;
    tracing::info!("{} sites, {} widget files made in {:.1} s", sites.len(), bundles.paths().len(), started.elapsed().as_secs_f64());
    Ok((source, sites, bundles))
}

/// Loads every site as the server would, policies and widget files included.
fn check_config(args: &Args) -> anyhow::Result<()> {
    let source = Source { pkg_config: args.config.clone(), code: None };
    let (sites, _) = source.load()?;
    for site in sites.all() {
        SiteBundle::build(&args.config, site.clone(), &WwwLayout)?;
    }
    println!("{}: {} sites, all valid ({})", args.config.display(), sites.len(), sites.all().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", "));
    Ok(())
}

/// On `SIGHUP`, loads the configuration again; a bad one is refused and the
/// running one keeps serving.
fn reload_on_hangup(state: AppState, source: Source) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
        while hangups.recv().await.is_some() {
            match configuration::reload(&state, &source).await {
                Ok(n) => tracing::info!("configuration reloaded: {n} sites"),
                Err(e) => tracing::error!("configuration not reloaded, the previous one keeps serving: {e}"),
            }
        }
    });
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    let args = Args::parse();
    match &args.command {
        Some(Command::CheckConfig) => return check_config(&args),
        Some(Command::NewSite { id, name, origins, languages }) => {
            let new = NewSite { id: id.clone(), name: name.clone(), origins: origins.clone(), languages: languages.clone() };
            for path in scaffold(&args.config, &new)? {
                println!("wrote {}", path.display());
            }
            println!("the server takes it on its next start or `kill -HUP`");
            return Ok(());
        }
        Some(Command::Scan(scan)) => std::process::exit(scan_command(&args, scan).await),
        _ => {}
    }
    // Serving: the configuration first, so a broken one fails before any database is made.
    let serving = matches!(args.command, None | Some(Command::Serve));
    let configuration = if serving { Some(load_configuration(&args)?) } else { None };
    // Only `serve` and `demo-data` may create a database; an audit of a database
    // that is not there must fail, not answer for an empty new one.
    let creates = matches!(args.command, None | Some(Command::Serve) | Some(Command::DemoData { .. }));
    let store = if creates { Store::open(&args.db).await } else { Store::open_existing(&args.db).await };
    let store = store.with_context(|| format!("opening the store {}", redact(&args.db)))?;
    match &args.command {
        Some(Command::Verify { site }) => return verify(&store, site).await,
        Some(Command::RebuildRollups) => {
            store.rebuild_rollups().await.context("rebuilding rollups")?;
            println!("rollups rebuilt from raw events");
            return Ok(());
        }
        Some(Command::DemoData { site, events, days, seed }) => {
            let sites = Sites::load(&args.config).context("loading site configuration")?;
            return demo_data(&store, &sites, site, *events, *days, *seed).await;
        }
        Some(Command::Serve) | None => {}
        Some(Command::CheckConfig | Command::NewSite { .. } | Command::Scan(_)) => unreachable!("handled before the store opens"),
    }
    let token = args.admin_token.clone().unwrap_or_else(|| {
        let t: String = rand::rng().sample_iter(rand::distr::Alphanumeric).take(32).map(char::from).collect();
        tracing::info!("no CONSENT_ADMIN_TOKEN set; admin token for this run: {t}");
        t
    });
    spawn_purger(store.clone(), Retention::days(args.retain_decisions_days, args.retain_impressions_days));
    let (source, sites, bundles) = match configuration {
        Some(loaded) => loaded,
        None => load_configuration(&args)?,
    };
    let state = AppState::new(sites, store, AdminToken::new(&token), args.www.clone())
        .with_rate_limit(args.rate_burst, args.rate_per_second)
        .with_bundles(bundles)
        .with_trusted_proxies(args.trusted_proxies.clone());
    let state = AppState { noop_store: args.bench_noop_store, ..state };
    if let Some(base) = &args.gvl_url {
        let every = std::time::Duration::from_secs_f64((args.gvl_refresh_hours * 3600.0).max(60.0));
        configuration::refresh_vendor_list(state.clone(), source.clone(), base.clone(), every);
    }
    reload_on_hangup(state.clone(), source);
    let addr: SocketAddr = format!("{}:{}", args.host, args.port).parse().context("--host/--port")?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    tracing::info!("serving http://{addr}/ (sites: {}, store: {}); dashboard at http://{addr}/dashboard", state.sites().len(), redact(&args.db));
    // In-flight requests finish (each waits for its commit) before the process exits.
    let limits = Limits { max_connections: args.max_connections as usize, ..Limits::default() };
    consent_server::serve::serve(listener, app(state), limits, shutdown()).await;
    Ok(())
}

/// The scan, its reports written; the exit status (2: could not scan).
async fn scan_command(args: &Args, scan: &consent_server::scan::ScanArgs) -> i32 {
    match scan_and_write(args, scan).await {
        Ok(status) => status,
        Err(e) => {
            eprintln!("scan failed: {e:#}");
            2
        }
    }
}

async fn scan_and_write(args: &Args, scan: &consent_server::scan::ScanArgs) -> anyhow::Result<i32> {
    use consent_server::scan;
    let sites = Sites::load(&args.config).context("loading site configuration")?;
    let site = sites.get(&scan.site).with_context(|| format!("no site `{}` in {}", scan.site, args.config.display()))?;
    let report = scan::run(site, scan).await?;
    if report.scanned() == 0 {
        eprint!("{}", scan::summary::render(&report));
        anyhow::bail!("no page could be scanned");
    }
    let json = serde_json::to_string_pretty(&report)?;
    let to_stdout = scan.json.as_deref() == Some(std::path::Path::new("-"));
    match &scan.json {
        Some(_) if to_stdout => println!("{json}"),
        Some(path) => std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?,
        None => {}
    }
    if let Some(path) = &scan.html {
        std::fs::write(path, scan::html::render(&report)).with_context(|| format!("writing {}", path.display()))?;
    }
    if scan.store {
        let store = Store::open_existing(&args.db).await.with_context(|| format!("opening the store {}", redact(&args.db)))?;
        store.save_scan(scan::row(&report, consent_server::clock::now_ms() as i64)?).await.context("storing the report")?;
    }
    let table = scan::summary::render(&report);
    if to_stdout {
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    Ok(scan::exit_status(&report, scan.fail_on))
}

/// Purges expired events at start and then hourly.
fn spawn_purger(store: Store, retention: Retention) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match store.purge(retention, consent_server::clock::now_ms()).await {
                Ok(p) if p.decisions + p.impressions > 0 => tracing::info!(decisions = p.decisions, impressions = p.impressions, "purged expired events"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "purge failed"),
            }
        }
    });
}

async fn demo_data(store: &Store, sites: &Sites, site: &str, events: usize, days: u32, seed: u64) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new(events as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} demo events {pos}/{len} [{bar:30}] {per_sec} eta {eta}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
    let started = std::time::Instant::now();
    let plan = consent_server::demo_data::Plan { site, events, days, now_ms: consent_server::clock::now_ms() as i64, seed };
    let stored = consent_server::demo_data::load(store, sites, &plan, &|n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    println!("stored {stored} demo events for site {site} over {days} days in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn verify(store: &Store, site: &str) -> anyhow::Result<()> {
    match store.verify_chain(site).await? {
        Verdict::Intact { count, head } => {
            println!("site {site}: chain intact, {count} decisions, head {head}");
            Ok(())
        }
        Verdict::Broken { seq, event_id, reason } => {
            println!("site {site}: chain BROKEN at seq {seq} (event {event_id}): {reason}");
            std::process::exit(1);
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
