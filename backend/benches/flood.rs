//! Flood benchmark (not a test): the release server with its default limits,
//! 60 s of hostile traffic over loopback, and its resident memory (VmRSS)
//! before, at peak and after. The traffic: a crowd of clients from hundreds
//! of thousands of source addresses (127.x.y.z, more than the rate limiter
//! tracks) sending valid events, malformed JSON, oversized bodies and unknown
//! sites; 64 slow-loris connections whose headers never finish; one address
//! hammering as fast as it can; and one well-behaved client whose success rate
//! shows whether others are starved.
//!
//!     cargo bench -p consent-server --bench flood
//!
//! `BENCH_SECS` (default 60), `BENCH_CONCURRENCY` (crowd connections, default 96).

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use support::{env_num, free_port};
use tokio::net::TcpSocket;

#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    ok: AtomicU64,
    limited: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
}

fn main() {
    let secs = env_num("BENCH_SECS", 60);
    let crowd = env_num("BENCH_CONCURRENCY", 96) as usize;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_consent-server"))
        .arg("--port").arg(port.to_string())
        .arg("--db").arg(dir.path().join("flood.sqlite"))
        .arg("--config").arg(root.join("pkg-config"))
        .arg("--www").arg(root.join("www"))
        .env("CONSENT_ADMIN_TOKEN", "bench").env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("start consent-server");
    let pid = server.id();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    rt.block_on(async {
        for _ in 0..200 {
            if send(addr, IpAddr::V4(Ipv4Addr::LOCALHOST), &request(valid_event().as_bytes())).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    });
    let before = rss_kib(pid);
    let peak = Arc::new(AtomicU64::new(before));
    let (crowd_t, hammer_t, good_t, loris_t) = (Arc::new(Tally::default()), Arc::new(Tally::default()), Arc::new(Tally::default()), Arc::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(secs);
    rt.block_on(async {
        let mut tasks = Vec::new();
        let next_ip = Arc::new(AtomicU64::new(0));
        for _ in 0..crowd {
            let (t, next_ip) = (crowd_t.clone(), next_ip.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let n = next_ip.fetch_add(1, Relaxed);
                    // 127.1.0.0 … 127.7.255.255: ~460,000 addresses, each seen a few times.
                    let ip = Ipv4Addr::from(0x7f01_0000u32 + (n % 460_000) as u32);
                    let req = match n % 10 {
                        0..=4 => request(valid_event().as_bytes()),
                        5 | 6 => request(b"{\"id\": tru"),
                        7 | 8 => request(&vec![b'x'; 64 * 1024]),
                        _ => request(valid_event().replace("luxhost", "nosuchsite").as_bytes()),
                    };
                    tally(&t, send(SocketAddr::from(([127, 0, 0, 1], port)), IpAddr::V4(ip), &req).await);
                }
            }));
        }
        for i in 0..64u32 {
            let t = loris_t.clone();
            tasks.push(tokio::spawn(async move {
                let mut k = 0u32;
                while Instant::now() < deadline {
                    // Headers that never finish: the server must cut the connection.
                    let ip = Ipv4Addr::from(0x7f08_0000u32 + i * 1000 + k % 1000);
                    k += 1;
                    tally(&t, send(addr, IpAddr::V4(ip), b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Ty").await);
                }
            }));
        }
        for _ in 0..16 {
            let t = hammer_t.clone();
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    tally(&t, send(addr, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9)), &request(valid_event().as_bytes())).await);
                }
            }));
        }
        let t = good_t.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                tally(&t, send(addr, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 5)), &request(valid_event().as_bytes())).await);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
        let peak2 = peak.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                peak2.fetch_max(rss_kib(pid), Relaxed);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }));
        for t in tasks {
            let _ = t.await;
        }
    });
    std::thread::sleep(Duration::from_secs(15)); // stalled connections time out; queues drain
    let after = rss_kib(pid);
    let _ = server.kill();
    let _ = server.wait();
    println!("\n| client | requests | 201 stored | 429 limited | 4xx refused | failed/cut off |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, t) in [("crowd (~460k addresses, mixed hostile)", &crowd_t), ("one address hammering", &hammer_t), ("slow loris (64 connections, headers never finish)", &loris_t), ("one well-behaved client (10/s)", &good_t)] {
        println!("| {name} | {} | {} | {} | {} | {} |", t.sent.load(Relaxed), t.ok.load(Relaxed), t.limited.load(Relaxed), t.refused.load(Relaxed), t.failed.load(Relaxed));
    }
    println!("\nserver RSS: before {:.1} MiB, peak {:.1} MiB, 15 s after {:.1} MiB ({secs} s flood, {crowd} crowd connections + 64 slow-loris + 16 hammering + 1 well-behaved; default limits).",
        before as f64 / 1024.0, peak.load(Relaxed) as f64 / 1024.0, after as f64 / 1024.0);
}

fn tally(t: &Tally, r: std::io::Result<u16>) {
    t.sent.fetch_add(1, Relaxed);
    let slot = match r {
        Ok(201) => &t.ok,
        Ok(429) => &t.limited,
        Ok(400..=499) => &t.refused,
        _ => &t.failed,
    };
    slot.fetch_add(1, Relaxed);
}

fn request(body: &[u8]) -> Vec<u8> {
    let mut r = format!("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
    r.extend_from_slice(body);
    r
}

/// One request on a fresh connection from `from`; the response's status code.
async fn send(to: SocketAddr, from: IpAddr, req: &[u8]) -> std::io::Result<u16> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let mut stream = tokio::time::timeout(Duration::from_secs(5), socket.connect(to)).await??;
    stream.write_all(req).await?;
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(15), stream.read_exact(&mut head)).await??;
    std::str::from_utf8(&head[9..12]).ok().and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other("not HTTP"))
}

fn valid_event() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Relaxed);
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let id = |tag: u64| format!("{:08x}-{:04x}-7{:03x}-8{:03x}-{:012x}", ms >> 16, ms & 0xffff, tag, std::process::id() & 0xfff, n);
    format!(
        r#"{{"id":"{}","site":"luxhost","action":"reject_all","consent_id":"{}","categories":["necessary"],"revision":"3f4d0e311a87","banner":"{}","lang":"nl","path":"/","client_ts":{ms}}}"#,
        id(1),
        id(2),
        "ab".repeat(32)
    )
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
