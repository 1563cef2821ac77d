//! Dashboard benchmark (not a test): with 1,000,000 demo events over 90 days
//! for one site, how fast each dashboard data endpoint answers a 30-day range,
//! over real HTTP on loopback, on SQLite and on PostgreSQL.
//!
//!     cargo bench -p consent-server --bench dashboard
//!
//! `BENCH_EVENTS` (default 1000000), `BENCH_REQUESTS` per endpoint (default 300),
//! `CONSENT_BENCH_PG` (default postgres://postgres@127.0.0.1:5432/consent_dashboard_bench;
//! the database is recreated). The SQLite file is kept in `target/bench/` and
//! reused while it holds the same number of events.

mod support;

use support::{env_num, recreate_pg};

use std::path::Path;
use std::time::Instant;

use consent_server::auth::AdminToken;
use consent_server::demo_data::{self, Plan};
use consent_server::sites::Sites;
use consent_server::store::Store;
use consent_server::{app, AppState};

const TOKEN: &str = "bench-admin-token";
const ENDPOINTS: [&str; 9] = [
    "api/summary",
    "api/timeseries",
    "api/categories",
    "api/breakdown?dim=lang",
    "api/breakdown?dim=device",
    "api/breakdown?dim=path",
    "api/breakdown?dim=revision",
    "api/breakdown?dim=banner",
    "", // the whole page: every query above, rendered
];

fn main() {
    let events = env_num("BENCH_EVENTS", 1_000_000) as usize;
    let requests = env_num("BENCH_REQUESTS", 300) as usize;
    let pg = std::env::var("CONSENT_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/consent_dashboard_bench".into());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().expect("runtime");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let sites = || Sites::load(&root.join("pkg-config")).expect("pkg-config loads");
    let dir = root.join("target/bench");
    let _ = std::fs::create_dir_all(&dir);
    let sqlite = dir.join(format!("dashboard-{events}.sqlite")).display().to_string();
    let mut results = Vec::new();
    for (name, db) in [("SQLite", sqlite), ("PostgreSQL", pg)] {
        let r = rt.block_on(async {
            if name == "PostgreSQL" && recreate_pg(&db).is_none() {
                return Err("cannot recreate the PostgreSQL database (is the server running?)".to_owned());
            }
            let store = Store::open(&db).await.map_err(|e| e.to_string())?;
            let have = store.counts_by_action("luxhost").await.map_err(|e| e.to_string())?.values().sum::<u64>() as usize;
            if have.abs_diff(events) > events / 20 {
                eprintln!("{name}: loading {events} demo events over 90 days…");
                let started = Instant::now();
                let plan = Plan { site: "luxhost", events, days: 90, now_ms: consent_server::clock::now_ms() as i64, seed: 7 };
                let n = demo_data::load(&store, &sites(), &plan, &|_| {}).await.map_err(|e| e.to_string())?;
                eprintln!("{name}: stored {n} events in {:.1} s ({:.0} events/s through the writer)", started.elapsed().as_secs_f64(), n as f64 / started.elapsed().as_secs_f64());
            }
            measure(store, sites(), requests).await
        });
        match r {
            Ok(rows) => results.push((name, rows)),
            Err(e) => eprintln!("{name}: skipped: {e}"),
        }
    }
    println!("\n| endpoint (30-day range, {events} events over 90 days) | store | p50 ms | p95 ms | max ms |");
    println!("|---|---|---:|---:|---:|");
    for (name, rows) in &results {
        for (endpoint, p50, p95, max) in rows {
            println!("| {endpoint} | {name} | {p50:.2} | {p95:.2} | {max:.2} |");
        }
    }
    println!(
        "\n{requests} sequential requests per endpoint after 20 discarded, over loopback HTTP with the admin bearer token; {} cores.",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
}

type Row = (String, f64, f64, f64);

async fn measure(store: Store, sites: Sites, requests: usize) -> Result<Vec<Row>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let state = AppState::new(sites, store, AdminToken::new(TOKEN), root.join("www"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(consent_server::serve::serve(listener, app(state), consent_server::limits::Limits::default(), std::future::pending()));
    let client = reqwest::Client::new();
    let mut rows = Vec::new();
    for endpoint in ENDPOINTS {
        let sep = if endpoint.contains('?') { '&' } else { '?' };
        let url = format!("http://{addr}/dashboard/{endpoint}{sep}site=luxhost&range=30d");
        let mut times = Vec::with_capacity(requests);
        for i in 0..requests + 20 {
            let t = Instant::now();
            let res = client.get(&url).bearer_auth(TOKEN).send().await.map_err(|e| e.to_string())?;
            let status = res.status();
            let body = res.bytes().await.map_err(|e| e.to_string())?;
            if !status.is_success() || body.is_empty() {
                return Err(format!("{url}: {status}"));
            }
            if i >= 20 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        let pick = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
        let label = if endpoint.is_empty() { "GET /dashboard (HTML page)".to_owned() } else { format!("GET /dashboard/{endpoint}") };
        rows.push((label, pick(0.5), pick(0.95), times.last().copied().unwrap_or(0.0)));
    }
    Ok(rows)
}
