//! Operating the backend: rate limiting per client, health, metrics, OpenAPI.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::{decision, spawn, spawn_with};
use serde_json::Value;

fn client_from(ip: &str) -> reqwest::Client {
    let addr: IpAddr = ip.parse().expect("ip");
    reqwest::Client::builder().local_address(addr).build().expect("client")
}

async fn post_from(client: &reqwest::Client, base: &str) -> reqwest::Response {
    client.post(format!("{base}/api/v1/events")).header("content-type", "text/plain").body(decision("reject_all").to_string()).send().await.expect("post")
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok()).unwrap_or(0)
}

/// One client floods (from 127.0.0.2); another (127.0.0.3) keeps landing its events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_client_is_limited_without_starving_others() {
    let s = spawn_with(|st| st.with_rate_limit(20, 10)).await;
    let flooder = client_from("127.0.0.2");
    let visitor = client_from("127.0.0.3");
    let rss_before = rss_kib();
    let (mut ok, mut limited, mut visitor_ok) = (0, 0, 0);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        let mut batch = Vec::new();
        for _ in 0..20 {
            let (c, base) = (flooder.clone(), s.base.clone());
            batch.push(tokio::spawn(async move { post_from(&c, &base).await }));
        }
        for task in batch {
            let res = task.await.expect("task");
            match res.status().as_u16() {
                201 => ok += 1,
                429 => {
                    assert!(res.headers().get("retry-after").is_some(), "429 carries Retry-After");
                    limited += 1;
                }
                other => panic!("unexpected status {other}"),
            }
        }
        if post_from(&visitor, &s.base).await.status().as_u16() == 201 {
            visitor_ok += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(limited > ok, "the flood is mostly refused: {ok} stored, {limited} limited");
    assert!(ok <= 20 + 3 * 10 + 5, "at most burst + rate × time got through: {ok}");
    assert!(visitor_ok >= 20, "the other client was not starved: {visitor_ok}");
    assert_eq!(s.rows().await, (ok + visitor_ok) as i64, "every 201 is in the store");
    let grown = rss_kib().saturating_sub(rss_before);
    assert!(grown < 64 * 1024, "memory stays bounded under the flood: grew {grown} KiB");
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let s = spawn().await;
    let c = reqwest::Client::new();
    assert_eq!(c.get(format!("{}/healthz", s.base)).send().await.expect("get").status().as_u16(), 200);
    assert_eq!(post_from(&c, &s.base).await.status().as_u16(), 201);
    let bad = c.post(format!("{}/api/v1/events", s.base)).header("content-type", "application/json").body("{").send().await.expect("post");
    assert_eq!(bad.status().as_u16(), 400);
    let text = c.get(format!("{}/metrics", s.base)).send().await.expect("get").text().await.expect("text");
    assert!(text.contains("consent_events_accepted_total 1"), "{text}");
    assert!(text.contains("consent_events_refused_total{reason=\"malformed\"} 1"), "{text}");
    assert!(text.contains("consent_write_queue_depth 0"), "{text}");
    assert!(text.contains("consent_commits_total 1"), "{text}");
    let api: Value = c.get(format!("{}/api/v1/openapi.json", s.base)).send().await.expect("get").json().await.expect("json");
    assert_eq!(api["openapi"], "3.1.0");
    for path in ["/api/v1/events", "/api/v1/consents/{consent_id}", "/api/v1/stats", "/healthz", "/metrics"] {
        assert!(api["paths"].get(path).is_some(), "{path} documented");
    }
}

/// A client that never finishes its headers (slow loris) is cut off, while
/// others are served meanwhile.
#[tokio::test]
async fn a_slow_loris_client_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = spawn().await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    slow.write_all(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n").await.expect("write");
    let c = reqwest::Client::new();
    assert_eq!(post_from(&c, &s.base).await.status().as_u16(), 201, "others are served meanwhile");
    let started = Instant::now();
    let mut buf = [0u8; 256];
    // The server closes the connection (read returns 0 or an error) after its header timeout (2 s in tests).
    let read = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match slow.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => continue,
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the connection was not closed");
    assert!(started.elapsed() < Duration::from_secs(10), "closed after {:?}", started.elapsed());
    assert_eq!(s.rows().await, 1);
}
