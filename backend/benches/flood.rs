//! Flood benchmark (not a test): the release server with its default limits,
//! 60 s of hostile traffic over loopback, and its resident memory (VmRSS) and
//! open file descriptors before, at peak and after. The traffic:
//! - a crowd of clients from hundreds of thousands of source addresses
//!   (127.x.y.z, more than the rate limiter tracks) sending valid events,
//!   malformed JSON, oversized bodies and unknown sites;
//! - thousands of connections trickling a declared 4 KiB body one byte a second
//!   (the server must cut each at its total body deadline);
//! - clients posting events with made-up banner hashes, a new one each time
//!   (the writer must not remember them);
//! - 64 slow-loris connections whose headers never finish;
//! - one address hammering as fast as it can;
//! - one well-behaved client whose success rate shows whether others are starved.
//!
//!     cargo bench -p consent-server --bench flood
//!
//! `BENCH_SECS` (default 60), `BENCH_CONCURRENCY` (crowd connections, default 96),
//! `BENCH_TRICKLE` (trickling connections, default 3000).

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{env_num, free_port};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    ok: AtomicU64,
    limited: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
}

/// How long trickling connections stayed open before the server cut them.
#[derive(Default)]
struct Cuts {
    count: AtomicU64,
    total_ms: AtomicU64,
    longest_ms: AtomicU64,
}

/// The server's resident memory (KiB) and open file descriptors.
#[derive(Clone, Copy, Default)]
struct Usage {
    rss_kib: u64,
    fds: u64,
}

impl Usage {
    fn of(pid: u32) -> Usage {
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count() as u64).unwrap_or(0);
        Usage { rss_kib: rss_kib(pid), fds }
    }
}

struct Target {
    addr: SocketAddr,
    deadline: Instant,
}

fn main() {
    let secs = env_num("BENCH_SECS", 60);
    let crowd = env_num("BENCH_CONCURRENCY", 96) as usize;
    let trickle = env_num("BENCH_TRICKLE", 3000) as u32;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_consent-server"))
        .arg("--port")
        .arg(port.to_string())
        .arg("--db")
        .arg(dir.path().join("flood.sqlite"))
        .arg("--config")
        .arg(root.join("pkg-config"))
        .arg("--www")
        .arg(root.join("www"))
        .env("CONSENT_ADMIN_TOKEN", "bench")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("start consent-server");
    let pid = server.id();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    rt.block_on(wait_up(addr));
    let before = Usage::of(pid);
    let remembered_before = rt.block_on(remembered(addr));
    let target = Arc::new(Target { addr, deadline: Instant::now() + Duration::from_secs(secs) });
    let tallies: [Arc<Tally>; 6] = Default::default();
    let cuts = Arc::new(Cuts::default());
    let peak = Arc::new((AtomicU64::new(before.rss_kib), AtomicU64::new(before.fds)));
    rt.block_on(async {
        let mut tasks = crowd_tasks(&target, &tallies[0], crowd);
        tasks.extend(trickle_tasks(&target, &tallies[1], &cuts, trickle));
        tasks.extend(banner_tasks(&target, &tallies[2]));
        tasks.extend(loris_tasks(&target, &tallies[3]));
        tasks.extend(hammer_and_good_tasks(&target, &tallies[4], &tallies[5]));
        tasks.push(sampler(&target, pid, &peak));
        for t in tasks {
            let _ = t.await;
        }
    });
    std::thread::sleep(Duration::from_secs(15)); // stalled connections time out; queues drain
    let after = Usage::of(pid);
    let remembered_after = rt.block_on(remembered(addr));
    let _ = server.kill();
    let _ = server.wait();
    let peak = Usage { rss_kib: peak.0.load(Relaxed), fds: peak.1.load(Relaxed) };
    report(&tallies, &cuts, [before, peak, after], (remembered_before, remembered_after));
    println!("({secs} s flood: {crowd} crowd connections, {trickle} trickling, 16 made-up banners, 64 slow-loris, 16 hammering, 1 well-behaved; default limits.)");
}

async fn wait_up(addr: SocketAddr) {
    for _ in 0..200 {
        if send(addr, IpAddr::V4(Ipv4Addr::LOCALHOST), &request(valid_event(None).as_bytes())).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The mixed hostile crowd, each request from the next of ~460,000 addresses.
fn crowd_tasks(target: &Arc<Target>, tally: &Arc<Tally>, n: usize) -> Vec<JoinHandle<()>> {
    let next_ip = Arc::new(AtomicU64::new(0));
    (0..n)
        .map(|_| {
            let (t, target, next_ip) = (tally.clone(), target.clone(), next_ip.clone());
            tokio::spawn(async move {
                while Instant::now() < target.deadline {
                    let n = next_ip.fetch_add(1, Relaxed);
                    // 127.1.0.0 … 127.7.255.255: ~460,000 addresses, each seen a few times.
                    let ip = Ipv4Addr::from(0x7f01_0000u32 + (n % 460_000) as u32);
                    let req = match n % 10 {
                        0..=4 => request(valid_event(None).as_bytes()),
                        5 | 6 => request(b"{\"id\": tru"),
                        7 | 8 => request(&vec![b'x'; 64 * 1024]),
                        _ => request(valid_event(None).replace("luxhost", "nosuchsite").as_bytes()),
                    };
                    t.record(send(target.addr, IpAddr::V4(ip), &req).await);
                }
            })
        })
        .collect()
}

/// Connections that declare a 4 KiB body and send one byte of it a second,
/// reconnecting whenever the server cuts them.
fn trickle_tasks(target: &Arc<Target>, tally: &Arc<Tally>, cuts: &Arc<Cuts>, n: u32) -> Vec<JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let (t, cuts, target) = (tally.clone(), cuts.clone(), target.clone());
            tokio::spawn(async move {
                // 127.9.0.0 onwards: one address each, apart from the crowd's.
                let ip = IpAddr::V4(Ipv4Addr::from(0x7f09_0000u32 + i));
                while Instant::now() < target.deadline {
                    let started = Instant::now();
                    let r = trickle(target.addr, ip, target.deadline).await;
                    if matches!(r, Ok(Some(_)) | Err(_)) {
                        let ms = started.elapsed().as_millis() as u64;
                        cuts.count.fetch_add(1, Relaxed);
                        cuts.total_ms.fetch_add(ms, Relaxed);
                        cuts.longest_ms.fetch_max(ms, Relaxed);
                    }
                    match r {
                        Ok(Some(status)) => t.record(Ok(status)),
                        Ok(None) => {} // still open when the flood ended
                        Err(e) => t.record(Err(e)),
                    }
                }
            })
        })
        .collect()
}

/// One trickling connection: the status the server answered with when it cut
/// it (`Err` if it closed without one), `None` if still open at `deadline`.
async fn trickle(to: SocketAddr, from: IpAddr, deadline: Instant) -> std::io::Result<Option<u16>> {
    let mut stream = connect(to, from).await?;
    stream.write_all(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n").await?;
    let (mut rd, mut wr) = stream.split();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut head = [0u8; 12];
    loop {
        tokio::select! {
            n = rd.read(&mut head) => {
                let n = n?;
                return if n >= 12 { Ok(status_of(&head)) } else { Err(std::io::Error::other("closed without an answer")) };
            }
            _ = tick.tick() => {
                if Instant::now() >= deadline {
                    return Ok(None);
                }
                wr.write_all(b"x").await?;
            }
        }
    }
}

/// Valid events, each naming a banner version no config produced.
fn banner_tasks(target: &Arc<Target>, tally: &Arc<Tally>) -> Vec<JoinHandle<()>> {
    (0..16u32)
        .map(|i| {
            let (t, target) = (tally.clone(), target.clone());
            tokio::spawn(async move {
                let mut k = 0u32;
                while Instant::now() < target.deadline {
                    let ip = Ipv4Addr::from(0x7f0a_0000u32 + i * 4096 + k % 4096);
                    k += 1;
                    let hash: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
                    t.record(send(target.addr, IpAddr::V4(ip), &request(valid_event(Some(&hash)).as_bytes())).await);
                }
            })
        })
        .collect()
}

/// Headers that never finish: the server must cut each connection.
fn loris_tasks(target: &Arc<Target>, tally: &Arc<Tally>) -> Vec<JoinHandle<()>> {
    (0..64u32)
        .map(|i| {
            let (t, target) = (tally.clone(), target.clone());
            tokio::spawn(async move {
                let mut k = 0u32;
                while Instant::now() < target.deadline {
                    let ip = Ipv4Addr::from(0x7f08_0000u32 + i * 1000 + k % 1000);
                    k += 1;
                    t.record(send(target.addr, IpAddr::V4(ip), b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Ty").await);
                }
            })
        })
        .collect()
}

/// Sixteen connections from one address as fast as they can, and one client
/// from another sending ten events a second.
fn hammer_and_good_tasks(target: &Arc<Target>, hammer: &Arc<Tally>, good: &Arc<Tally>) -> Vec<JoinHandle<()>> {
    let mut tasks: Vec<JoinHandle<()>> = (0..16)
        .map(|_| {
            let (t, target) = (hammer.clone(), target.clone());
            tokio::spawn(async move {
                while Instant::now() < target.deadline {
                    t.record(send(target.addr, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9)), &request(valid_event(None).as_bytes())).await);
                }
            })
        })
        .collect();
    let (t, target) = (good.clone(), target.clone());
    tasks.push(tokio::spawn(async move {
        while Instant::now() < target.deadline {
            t.record(send(target.addr, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 5)), &request(valid_event(None).as_bytes())).await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }));
    tasks
}

/// Samples the server's memory and descriptors twice a second, keeping the peaks.
fn sampler(target: &Arc<Target>, pid: u32, peak: &Arc<(AtomicU64, AtomicU64)>) -> JoinHandle<()> {
    let (target, peak) = (target.clone(), peak.clone());
    tokio::spawn(async move {
        while Instant::now() < target.deadline {
            let now = Usage::of(pid);
            peak.0.fetch_max(now.rss_kib, Relaxed);
            peak.1.fetch_max(now.fds, Relaxed);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}

/// The writer's `consent_banner_versions_remembered` gauge.
async fn remembered(addr: SocketAddr) -> Option<u64> {
    let mut stream = connect(addr, IpAddr::V4(Ipv4Addr::LOCALHOST)).await.ok()?;
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await.ok()?;
    text.lines().find_map(|l| l.strip_prefix("consent_banner_versions_remembered ")).and_then(|v| v.trim().parse().ok())
}

fn report(tallies: &[Arc<Tally>; 6], cuts: &Cuts, [before, peak, after]: [Usage; 3], remembered: (Option<u64>, Option<u64>)) {
    println!("\n| client | requests | 201 stored | 429 limited | 4xx refused | failed/cut off |");
    println!("|---|---:|---:|---:|---:|---:|");
    let names = [
        "crowd (~460k addresses, mixed hostile)",
        "trickling bodies (1 byte/s)",
        "made-up banner hashes",
        "slow loris (64 connections, headers never finish)",
        "one address hammering",
        "one well-behaved client (10/s)",
    ];
    for (name, t) in names.iter().zip(tallies) {
        println!("| {name} | {} | {} | {} | {} | {} |", t.sent.load(Relaxed), t.ok.load(Relaxed), t.limited.load(Relaxed), t.refused.load(Relaxed), t.failed.load(Relaxed));
    }
    let n = cuts.count.load(Relaxed).max(1);
    println!(
        "\ntrickling connections cut: {}, after {:.1} s on average, {:.1} s at most.",
        cuts.count.load(Relaxed),
        cuts.total_ms.load(Relaxed) as f64 / n as f64 / 1000.0,
        cuts.longest_ms.load(Relaxed) as f64 / 1000.0
    );
    let show = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    println!("banner versions the writer remembers: before {}, after {}.", show(remembered.0), show(remembered.1));
    println!("\n| server | before | peak | 15 s after |\n|---|---:|---:|---:|");
    let mib = |u: Usage| format!("{:.1} MiB", u.rss_kib as f64 / 1024.0);
    println!("| resident memory | {} | {} | {} |", mib(before), mib(peak), mib(after));
    println!("| open file descriptors | {} | {} | {} |", before.fds, peak.fds, after.fds);
}

impl Tally {
    fn record(&self, r: std::io::Result<u16>) {
        self.sent.fetch_add(1, Relaxed);
        let slot = match r {
            Ok(201) => &self.ok,
            Ok(429) => &self.limited,
            Ok(400..=499) => &self.refused,
            _ => &self.failed,
        };
        slot.fetch_add(1, Relaxed);
    }
}

fn request(body: &[u8]) -> Vec<u8> {
    let mut r = format!("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
    r.extend_from_slice(body);
    r
}

async fn connect(to: SocketAddr, from: IpAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    tokio::time::timeout(Duration::from_secs(5), socket.connect(to)).await?
}

/// One request on a fresh connection from `from`; the response's status code.
async fn send(to: SocketAddr, from: IpAddr, req: &[u8]) -> std::io::Result<u16> {
    let mut stream = connect(to, from).await?;
    stream.write_all(req).await?;
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(15), stream.read_exact(&mut head)).await??;
    status_of(&head).ok_or_else(|| std::io::Error::other("not HTTP"))
}

fn status_of(head: &[u8; 12]) -> Option<u16> {
    std::str::from_utf8(&head[9..12]).ok().and_then(|s| s.parse().ok())
}

/// A valid decision; with `banner`, that banner version instead of a fixed one.
fn valid_event(banner: Option<&str>) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Relaxed);
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let id = |tag: u64| format!("{:08x}-{:04x}-7{:03x}-8{:03x}-{:012x}", ms >> 16, ms & 0xffff, tag, std::process::id() & 0xfff, n);
    let banner = banner.map_or_else(|| "ab".repeat(32), String::from);
    format!(
        r#"{{"id":"{}","site":"luxhost","action":"reject_all","consent_id":"{}","categories":["necessary"],"revision":"3f4d0e311a87","banner":"{banner}","lang":"nl","path":"/","client_ts":{ms}}}"#,
        id(1),
        id(2),
    )
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
