//! Durability: under a steady stream of events the server is killed with
//! SIGKILL and restarted; every acknowledged event is in the store and the
//! chain verifies.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::decision;

fn start(db: &str, port: u16) -> Child {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Command::new(env!("CARGO_BIN_EXE_consent-server"))
        .arg("--port")
        .arg(port.to_string())
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(root.join("pkg-config"))
        .arg("--www")
        .arg(root.join("www"))
        .args(["--rate-burst", "100000", "--rate-per-second", "100000"])
        .env("CONSENT_ADMIN_TOKEN", "t")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start server")
}

/// Waits until the server answers (up to 30 s: a debug build compresses every
/// site's files before it listens, slower on a busy machine).
async fn wait_ready(base: &str) {
    for _ in 0..1200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server did not start");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_events_survive_sigkill() {
    let store = common::Db::fresh().await;
    let db = store.arg();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    for round in 0..3 {
        let mut server = start(&db, port);
        wait_ready(&base).await;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for _ in 0..8 {
            let (acked, stop, base) = (acked.clone(), stop.clone(), base.clone());
            writers.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let ev = decision(["accept_all", "reject_all", "custom"][rand_index()]);
                    let id = ev["id"].as_str().unwrap_or_default().to_owned();
                    let res = client.post(format!("{base}/api/v1/events")).header("content-type", "application/json").body(ev.to_string()).send().await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => {
                            acked.lock().expect("lock").insert(id);
                        }
                        Ok(_) | Err(_) => {}
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(700 + 200 * round)).await;
        server.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
        let _ = server.wait();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for w in writers {
            let _ = w.await;
        }
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() > 50, "the stream ran: {} acknowledged", acked.len());
    // Restart once more (recovery), then check the file.
    let mut server = start(&db, port);
    wait_ready(&base).await;
    server.kill().expect("kill");
    let _ = server.wait();
    let stored: HashSet<String> = store.query("SELECT event_id FROM events").await.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(lost.is_empty(), "{} acknowledged events lost, e.g. {:?}", lost.len(), lost.first());
    let out = Command::new(env!("CARGO_BIN_EXE_consent-server"))
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config"))
        .args(["verify", "--site", "luxhost"])
        .output()
        .expect("verify");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("chain intact"), "{text}");
}

fn rand_index() -> usize {
    (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0) % 3) as usize
}
