//! Ingest benchmark (not a test): sustained events/s and p50/p99 latency of
//! `POST /api/v1/events` over loopback, each event acknowledged after its
//! commit, on SQLite and PostgreSQL, next to the same server with storage
//! switched off (the HTTP stack's ceiling on this machine).
//!
//!     cargo bench -p consent-server --bench ingest
//!
//! `BENCH_SECS` (default 30), `BENCH_CONCURRENCY` (default 64), `BENCH_BATCH`
//! (events per request, default 1; the widget flushes its queue in batches of up
//! to 10), `CONSENT_TEST_PG` (default postgres://postgres@127.0.0.1:5432/consent_bench).

mod support;

use support::{env_num, free_port, recreate_pg};

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let secs: u64 = env_num("BENCH_SECS", 30);
    let concurrency: usize = env_num("BENCH_CONCURRENCY", 64) as usize;
    let batch: usize = env_num("BENCH_BATCH", 1).clamp(1, 10) as usize;
    let pg = std::env::var("CONSENT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/consent_bench".into());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = dir.path().join("bench.sqlite").display().to_string();
    let _ = recreate_pg(&pg);
    let mut rows = Vec::new();
    for (name, db, noop) in [("no-op (HTTP ceiling)", sqlite.clone(), true), ("SQLite", sqlite.clone(), false), ("PostgreSQL", pg.clone(), false)] {
        let port = free_port();
        let mut server = start(&db, port, noop);
        let base = format!("http://127.0.0.1:{port}");
        let ready = rt.block_on(wait_ready(&base));
        if !ready {
            eprintln!("{name}: server did not start (is PostgreSQL running?)");
            let _ = server.kill();
            continue;
        }
        rt.block_on(load(&base, concurrency, batch, Duration::from_secs(2))); // warm-up, discarded
        let r = rt.block_on(load(&base, concurrency, batch, Duration::from_secs(secs)));
        let _ = server.kill();
        let _ = server.wait();
        eprintln!("{name}: {:.0} events/s, p50 {:.2} ms, p99 {:.2} ms, {} errors", r.per_second, r.p50_ms, r.p99_ms, r.errors);
        rows.push((name, r));
    }
    let ceiling = rows.first().map(|(_, r)| r.per_second).unwrap_or(0.0);
    println!("\n| store | events/s | p50 ms | p99 ms | errors | share of the HTTP ceiling |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, r) in &rows {
        let share = if ceiling > 0.0 { r.per_second / ceiling * 100.0 } else { 0.0 };
        println!("| {name} | {:.0} | {:.2} | {:.2} | {} | {share:.0}% |", r.per_second, r.p50_ms, r.p99_ms, r.errors);
    }
    println!(
        "\n{secs} s per store, {concurrency} concurrent clients over loopback, {batch} event(s) per request, acknowledged after commit; {} cores; latency is per request.",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
}

struct Result {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

async fn load(base: &str, concurrency: usize, batch: usize, duration: Duration) -> Result {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, errors, url) = (client.clone(), errors.clone(), format!("{base}/api/v1/events"));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let body = if batch == 1 { event() } else { format!("[{}]", (0..batch).map(|_| event()).collect::<Vec<_>>().join(",")) };
                let t = Instant::now();
                match client.post(&url).header("content-type", "text/plain").body(body).send().await {
                    Ok(r) if r.status().as_u16() == 201 => lat.push(t.elapsed().as_micros() as u32),
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            lat
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64().max(duration.as_secs_f64());
    all.sort_unstable();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(0) as f64 / 1000.0;
    Result { per_second: (all.len() * batch) as f64 / elapsed, p50_ms: pct(0.50), p99_ms: pct(0.99), errors: errors.load(Ordering::Relaxed) }
}

fn event() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let id = |tag: u64| format!("{:08x}-{:04x}-7{:03x}-8{:03x}-{:012x}", ms >> 16, ms & 0xffff, tag, std::process::id() & 0xfff, n);
    let action = ["accept_all", "reject_all", "custom"][(n % 3) as usize];
    let cats = match action {
        "accept_all" => r#"["necessary","analytics","marketing"]"#,
        "custom" => r#"["necessary","analytics"]"#,
        _ => r#"["necessary"]"#,
    };
    format!(
        r#"{{"id":"{}","site":"luxhost","action":"{action}","consent_id":"{}","categories":{cats},"revision":"3f4d0e311a87","banner":"{}","lang":"nl","path":"/hosting/","client_ts":{ms}}}"#,
        id(1),
        id(2),
        "ab".repeat(32)
    )
}

fn start(db: &str, port: u16, noop: bool) -> Child {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_consent-server"));
    cmd.arg("--port").arg(port.to_string()).arg("--db").arg(db).arg("--config").arg(root.join("pkg-config")).arg("--www").arg(root.join("www"));
    cmd.args(["--rate-burst", "1000000000", "--rate-per-second", "1000000000"]).env("CONSENT_ADMIN_TOKEN", "bench").env("RUST_LOG", "error");
    if noop {
        cmd.arg("--bench-noop-store");
    }
    cmd.stdout(Stdio::null()).spawn().expect("start consent-server")
}

async fn wait_ready(base: &str) -> bool {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}
