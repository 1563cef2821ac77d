//! A real server on a loopback port with a fresh SQLite file, for each test.

use std::path::{Path, PathBuf};

use consent_server::app::AdminToken;
use consent_server::sites::Sites;
use consent_server::store::Store;
use consent_server::{app, AppState};

pub const TOKEN: &str = "test-admin-token";

pub struct Server {
    pub base: String,
    pub db: PathBuf,
    _dir: tempfile::TempDir,
}

pub async fn spawn() -> Server {
    spawn_with(|s| s).await
}

/// A server whose state `adjust` may change (a tighter rate limit, say).
pub async fn spawn_with(adjust: impl FnOnce(AppState) -> AppState) -> Server {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("consent.sqlite");
    let sites = Sites::load(&root.join("pkg-config")).expect("pkg-config loads");
    let store = Store::open_sqlite(&db).expect("sqlite opens");
    let state = adjust(AppState::new(sites, store, AdminToken::new(TOKEN), root.join("www")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await });
    Server { base: format!("http://{addr}"), db, _dir: dir }
}

impl Server {
    /// Rows in the events table, read straight from the database file.
    pub fn rows(&self) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).expect("count")
    }

    pub fn rows_where(&self, action: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        conn.query_row("SELECT COUNT(*) FROM events WHERE action = ?1", [action], |r| r.get(0)).expect("count")
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as u64
}

/// A fresh UUIDv7 text for tests (time-ordered, random tail).
pub fn uuid7() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let ms = now_ms();
    let hex = |v: u64, w: usize| format!("{v:0w$x}");
    format!("{}-{}-7{}-8{}-{}", hex(ms >> 16, 8), hex(ms & 0xffff, 4), hex(n & 0xfff, 3), hex(std::process::id() as u64 & 0xfff, 3), hex(n, 12))
}

/// A valid decision event as the widget sends it.
pub fn decision(action: &str) -> serde_json::Value {
    let categories: Vec<&str> = match action {
        "accept_all" => vec!["necessary", "analytics", "marketing"],
        "custom" => vec!["necessary", "analytics"],
        _ => vec!["necessary"],
    };
    serde_json::json!({
        "id": uuid7(),
        "site": "luxhost",
        "action": action,
        "consent_id": uuid7(),
        "categories": categories,
        "revision": "3f4d0e311a87",
        "banner": "ab".repeat(32),
        "lang": "nl",
        "path": "/",
        "client_ts": now_ms(),
    })
}
