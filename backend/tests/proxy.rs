//! Behind a real reverse proxy with TLS (Debian's nginx, a self-signed
//! certificate): the rate limiter keys on the forwarded client address, and the
//! dashboard's cookie is `Secure`, only when the proxy is trusted
//! (`--trusted-proxies`); a client's own `X-Forwarded-For` changes nothing.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{decision, free_port, spawn_with};
use consent_server::proxy::TrustedProxies;

/// nginx with TLS on a free port, forwarding to `backend`; stopped on drop.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx(backend: &str) -> Nginx {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().display().to_string();
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-keyout", &format!("{d}/key.pem"), "-out", &format!("{d}/cert.pem")])
        .stderr(Stdio::null())
        .status()
        .expect("openssl (cargo xtask setup installs it)");
    assert!(made.success(), "a self-signed certificate");
    let port = free_port();
    let upstream = backend.trim_start_matches("http://");
    let conf = format!(
        "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
           server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem;\n\
             location / {{ proxy_pass http://{upstream}; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme; }} }} }}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).expect("nginx.conf");
    let child = Command::new("/usr/sbin/nginx").args(["-p", &d, "-c", &format!("{d}/nginx.conf")]).stderr(Stdio::null()).spawn().expect("nginx (cargo xtask setup installs Debian's nginx)");
    let end = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "nginx did not start: {}", std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(50));
    }
    Nginx { child, port, _dir: dir }
}

/// One request through the proxy over https from source address `from`
/// (`curl`); the status and the response headers.
fn via(proxy: &Nginx, from: &str, path: &str, content_type: &str, body: &str, extra: &[&str]) -> (u16, String) {
    let url = format!("https://localhost:{}{path}", proxy.port);
    let out = Command::new("curl")
        .args(["-sk", "--resolve", &format!("localhost:{}:127.0.0.1", proxy.port), "--interface", from, "-D", "-", "-o", "/dev/null"])
        .args(["-H", &format!("content-type: {content_type}"), "--data-binary", body])
        .args(extra)
        .arg(&url)
        .output()
        .expect("curl");
    let head = String::from_utf8_lossy(&out.stdout).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head)
}

/// Four decisions from `a` (each claiming another address), then one from `b`:
/// the statuses of `a`'s fourth and `b`'s first.
fn flood_then_other(proxy: &Nginx, a: &str, b: &str) -> (u16, u16) {
    let mut last = 0;
    for i in 0..4 {
        let spoof = format!("x-forwarded-for: 198.51.100.{i}");
        last = via(proxy, a, "/api/v1/events", "text/plain", &decision("reject_all").to_string(), &["-H", &spoof]).0;
    }
    (last, via(proxy, b, "/api/v1/events", "text/plain", &decision("reject_all").to_string(), &[]).0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_forwarded_client_counts_only_behind_a_trusted_proxy() {
    let trusted: TrustedProxies = "127.0.0.1".parse().expect("list");
    let behind = spawn_with(|st| st.with_rate_limit(3, 1).with_trusted_proxies(trusted)).await;
    let proxy = nginx(&behind.base);
    let (a_fourth, b_first) = tokio::task::block_in_place(|| flood_then_other(&proxy, "127.0.0.5", "127.0.0.6"));
    assert_eq!(a_fourth, 429, "one client, whatever address it claims, has one budget");
    assert_eq!(b_first, 201, "another client behind the same proxy has its own");
    let (status, head) = tokio::task::block_in_place(|| via(&proxy, "127.0.0.7", "/dashboard/login", "application/x-www-form-urlencoded", &format!("token={}", common::TOKEN), &[]));
    assert_eq!(status, 303, "{head}");
    let cookie = head.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).unwrap_or("");
    assert!(cookie.contains("; Secure"), "https at the proxy: a Secure cookie: {cookie}");

    // The same proxy, not trusted: every client is the proxy, and nothing it forwards counts.
    let untrusted = spawn_with(|st| st.with_rate_limit(3, 1)).await;
    let proxy = nginx(&untrusted.base);
    let (a_fourth, b_first) = tokio::task::block_in_place(|| flood_then_other(&proxy, "127.0.0.5", "127.0.0.6"));
    assert_eq!((a_fourth, b_first), (429, 429), "one budget for everyone behind an untrusted proxy");
    let (_, head) = tokio::task::block_in_place(|| via(&proxy, "127.0.0.7", "/dashboard/login", "application/x-www-form-urlencoded", &format!("token={}", common::TOKEN), &[]));
    let cookie = head.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).unwrap_or("");
    assert!(!cookie.is_empty() && !cookie.contains("Secure"), "an unbelieved X-Forwarded-Proto: {cookie}");
}
