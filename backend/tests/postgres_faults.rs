//! The scale-out store under its database's faults: two replicas inserting the
//! same events at once, and a PostgreSQL restarted mid-load (a throwaway
//! cluster this test starts itself with `initdb`/`pg_ctl`, never the machine's).

mod common;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{decision, replica, serve_store, spawn_with, test_limits, Db};
use serde_json::Value;

async fn post(c: &reqwest::Client, base: &str, body: &Value) -> Option<u16> {
    let res = c.post(format!("{base}/api/v1/events")).header("content-type", "text/plain").body(body.to_string()).timeout(Duration::from_secs(10)).send().await;
    res.ok().map(|r| r.status().as_u16())
}

fn impression() -> Value {
    let mut e = decision("reject_all");
    e["action"] = "banner_shown".into();
    e["categories"] = serde_json::json!([]);
    e.as_object_mut().map(|o| o.remove("consent_id"));
    e
}

/// Two instances on one database receive the same events at the same moment
/// (a widget retrying against a load balancer), mixed with unrelated ones:
/// every request succeeds and each event is stored once.
#[tokio::test]
async fn replicas_inserting_the_same_events_at_once_all_succeed() {
    let a = spawn_with(|st| st.with_rate_limit(100_000, 100_000)).await;
    let b = replica(&a).await;
    let c = reqwest::Client::new();
    // Round by round, so each request is its own write group and the two
    // instances' transactions overlap.
    for round in 0..40 {
        // Decisions (chained under a per-site lock) in even rounds, impressions
        // only (no lock at all) in odd ones.
        let one = |_| if round % 2 == 0 { decision("accept_all") } else { impression() };
        let shared: Vec<Value> = (0..6).map(one).collect();
        let batch = |mut b: Vec<Value>| {
            b.push(one(0));
            Value::Array(b)
        };
        let (to_a, to_b) = (batch(shared.clone()), batch(shared));
        let (x, y) = tokio::join!(post(&c, &a.base, &to_a), post(&c, &b, &to_b));
        assert!(matches!(x, Some(200 | 201)) && matches!(y, Some(200 | 201)), "round {round}: {x:?} {y:?}");
    }
    assert_eq!(a.rows().await, 40 * 6 + 80, "shared events once, unrelated ones each");
    let dupes = a.db.count("SELECT COUNT(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING COUNT(*) > 1) d").await;
    assert_eq!(dupes, 0);
}

/// A PostgreSQL cluster in a temp dir on its own port, stopped on drop.
struct Cluster {
    dir: PathBuf,
    port: u16,
}

fn pg_bin(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    versions.sort();
    versions.last().map(|v| v.join("bin").join(name)).unwrap_or_else(|| PathBuf::from(name))
}

/// Runs a PostgreSQL tool as the `postgres` user (initdb refuses root).
fn as_postgres(tool: &str, args: &[&str]) -> std::process::Output {
    let bin = pg_bin(tool);
    let mut cmd = if is_root() { Command::new("runuser") } else { Command::new(&bin) };
    if is_root() {
        cmd.args(["-u", "postgres", "--"]).arg(&bin);
    }
    cmd.args(args).output().unwrap_or_else(|e| panic!("running {tool}: {e}"))
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").ok().and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|v| v.split_whitespace().next().map(|u| u == "0"))).unwrap_or(false)
}

impl Cluster {
    fn start() -> Cluster {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port");
        let dir = std::env::temp_dir().join(format!("consent-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        if is_root() {
            let ok = Command::new("chown").args(["postgres:postgres"]).arg(&dir).status().expect("chown").success();
            assert!(ok, "chown the cluster dir to postgres");
        }
        let data = dir.join("data");
        let out = as_postgres("initdb", &["-D", &data.display().to_string(), "-A", "trust", "-U", "postgres", "--no-sync"]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let cluster = Cluster { dir, port };
        cluster.ctl(&["start"]);
        cluster
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn ctl(&self, action: &[&str]) {
        let data = self.dir.join("data").display().to_string();
        let log = self.dir.join("log").display().to_string();
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.display());
        let mut args = vec!["-D", &data, "-l", &log, "-o", &opts, "-w"];
        args.extend_from_slice(action);
        let out = as_postgres("pg_ctl", &args);
        assert!(out.status.success(), "pg_ctl {action:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = as_postgres("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the load saw: acknowledged event ids, and when requests failed and succeeded.
#[derive(Default)]
struct Seen {
    acked: HashSet<String>,
    failures: usize,
    successes_at: Vec<Instant>,
}

#[tokio::test]
#[ignore = "starts its own PostgreSQL cluster (initdb, pg_ctl); run by `cargo xtask test`"]
async fn postgres_restarted_mid_load_loses_and_doubles_nothing() {
    let cluster = Cluster::start();
    let base = serve_store(&common::pkg_config(), &cluster.url(), test_limits(), |st| st.with_rate_limit(100_000, 100_000)).await;
    let c = reqwest::Client::new();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Instant::now() + Duration::from_secs(8);
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (c, base, seen) = (c.clone(), base.clone(), seen.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < stop {
                // Like the widget: an event is retried until it is acknowledged.
                let e = decision("accept_all");
                let id = e["id"].as_str().unwrap_or_default().to_owned();
                loop {
                    let ok = matches!(post(&c, &base, &e).await, Some(200 | 201));
                    {
                        let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
                        if ok {
                            s.acked.insert(id.clone());
                            s.successes_at.push(Instant::now());
                        } else {
                            s.failures += 1;
                        }
                    }
                    if ok {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if Instant::now() > stop + Duration::from_secs(20) {
                        return;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.ctl(&["-m", "fast", "restart"]);
    let back = Instant::now();
    for w in workers {
        w.await.expect("worker");
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|p| p.into_inner()));
    let first_after = seen.successes_at.iter().filter(|t| **t > back).min().copied();
    let resumed = first_after.map(|t| t - back);
    assert!(resumed.is_some_and(|d| d < Duration::from_secs(5)), "ingest resumed after {resumed:?} ({} failures)", seen.failures);
    let health = c.get(format!("{base}/healthz")).send().await.expect("healthz");
    assert_eq!(health.status().as_u16(), 200, "healthy again");

    let db = Db::Postgres { url: cluster.url() };
    let stored: HashSet<String> = db.query("SELECT event_id::text FROM events").await.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect();
    let rows = db.count("SELECT COUNT(*) FROM events").await as usize;
    assert_eq!(rows, stored.len(), "an event stored twice");
    let lost: Vec<&String> = seen.acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} acknowledged events lost, e.g. {:?}", lost.len(), lost.first());
    assert!(seen.acked.len() > 100, "the load was real: {} events", seen.acked.len());
    println!("restart: {} events acknowledged, {} failed attempts retried, resumed after {resumed:?}", seen.acked.len(), seen.failures);
    drop(cluster);
}
