//! What one client may cost the server: a trickled body is cut at a total
//! deadline on every route, oversized headers get `431`, a declared oversized
//! body gets `413` before any `100 Continue`, and a crowd of idle connections
//! leaves the server's file descriptors bounded while others are still served.

mod common;

use std::time::{Duration, Instant};

use common::{decision, pkg_config, spawn, spawn_limited, test_limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One test at a time: the descriptor count is this whole process's, so another
/// test's connections would be counted as the server's.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sends `head`, then one body byte every 300 ms until the server answers or
/// closes; returns what it answered and when.
async fn trickle(addr: &str, head: &str) -> (String, Duration) {
    let mut conn = TcpStream::connect(addr).await.expect("connect");
    conn.write_all(head.as_bytes()).await.expect("write head");
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while started.elapsed() < Duration::from_secs(20) {
        tokio::select! {
            read = conn.read(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            },
            () = tokio::time::sleep(Duration::from_millis(300)) => {
                if conn.write_all(b"x").await.is_err() {
                    break;
                }
            }
        }
    }
    (String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
}

fn addr(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_trickled_body_is_cut_at_its_deadline_on_every_route() {
    let _serial = SERIAL.lock().await;
    let s = spawn().await;
    let deadline = test_limits().body_deadline;
    for (path, ct) in [("/api/v1/events", "text/plain"), ("/dashboard/login", "application/x-www-form-urlencoded")] {
        let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ct}\r\nContent-Length: 4000\r\n\r\n");
        let (answer, took) = trickle(&addr(&s.base), &head).await;
        assert!(took < deadline + Duration::from_secs(3), "{path}: still open after {took:?} (a byte every 300 ms)");
        assert!(took >= deadline - Duration::from_millis(500), "{path}: cut after {took:?}, before its deadline");
        assert!(!answer.starts_with("HTTP/1.1 2"), "{path}: a trickled body is not accepted: {answer}");
    }
    let (answer, _) = trickle(&addr(&s.base), "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 4000\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "ingest says why: {answer}");
    assert_eq!(s.rows().await, 0);
}

#[tokio::test]
async fn oversized_headers_get_431() {
    let _serial = SERIAL.lock().await;
    let s = spawn().await;
    let big = "a".repeat(64 * 1024);
    let head = format!("POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain; x={big}\r\nContent-Length: 2\r\n\r\n{{}}");
    let mut conn = TcpStream::connect(addr(&s.base)).await.expect("connect");
    let _ = conn.write_all(head.as_bytes()).await;
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    // A normal request still goes through.
    let ok = reqwest::Client::new().post(format!("{}/api/v1/events", s.base)).header("content-type", "text/plain").body(decision("reject_all").to_string()).send().await.expect("post");
    assert_eq!(ok.status().as_u16(), 201);
}

#[tokio::test]
async fn a_declared_oversized_body_gets_413_before_continue() {
    let _serial = SERIAL.lock().await;
    let s = spawn().await;
    for path in ["/api/v1/events", "/dashboard/login"] {
        let length = if path == "/api/v1/events" { 9 * 1024 } else { 10_000_000 };
        let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\nContent-Length: {length}\r\n\r\n");
        let mut conn = TcpStream::connect(addr(&s.base)).await.expect("connect");
        conn.write_all(head.as_bytes()).await.expect("write");
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf)).await.expect("answered at once").expect("read");
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
    }
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn a_crowd_of_idle_connections_leaves_descriptors_bounded() {
    let _serial = SERIAL.lock().await;
    const CAP: usize = 64;
    const CROWD: usize = 256;
    let limits = consent_server::limits::Limits { max_connections: CAP, ..test_limits() };
    let s = spawn_limited(&pkg_config(), limits, |st| st).await;
    let before = open_fds();
    // Each connection sends half its headers and waits: the server holds at most CAP.
    let mut crowd = Vec::with_capacity(CROWD);
    for _ in 0..CROWD {
        let mut c = TcpStream::connect(addr(&s.base)).await.expect("connect");
        let _ = c.write_all(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\n").await;
        crowd.push(c);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The crowd's own client ends are CROWD descriptors of this process too.
    let server_side = open_fds().saturating_sub(before + CROWD);
    assert!(server_side <= CAP + 8, "the server holds {server_side} descriptors for a crowd of {CROWD} (cap {CAP})");
    // A visitor arriving now is served once the crowd's header timeout frees slots.
    let started = Instant::now();
    let ok = reqwest::Client::new().post(format!("{}/api/v1/events", s.base)).header("content-type", "text/plain").body(decision("reject_all").to_string()).send().await.expect("post");
    assert_eq!(ok.status().as_u16(), 201);
    assert!(started.elapsed() < Duration::from_secs(30), "served after {:?}", started.elapsed());
    drop(crowd);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let after = open_fds();
    assert!(after <= before + 8, "descriptors left after the crowd: {after} (before {before})");
}
