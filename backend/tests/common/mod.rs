//! A real server on a loopback port with a fresh store for each test: a SQLite
//! temp file, or, when `CONSENT_TEST_PG` holds a PostgreSQL URL, a fresh schema
//! in that database. The same tests run against both.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use consent_server::auth::AdminToken;
use consent_server::sites::Sites;
use consent_server::store::Store;
use consent_server::{app, AppState};

pub const TOKEN: &str = "test-admin-token";

/// The database behind a test server, reachable directly for checks and tampering.
pub enum Db {
    Sqlite { path: PathBuf, _dir: tempfile::TempDir },
    Postgres { url: String },
}

impl Db {
    /// A fresh, empty database.
    pub async fn fresh() -> Db {
        match std::env::var("CONSENT_TEST_PG") {
            Ok(base) if !base.is_empty() => {
                let schema = format!("t_{}", uuid7().replace('-', ""));
                let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.expect("connect to CONSENT_TEST_PG");
                tokio::spawn(conn);
                client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                Db::Postgres { url: format!("{base}{sep}options=-c%20search_path%3D{schema}") }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                Db::Sqlite { path: dir.path().join("consent.sqlite"), _dir: dir }
            }
        }
    }

    /// What `consent-server --db` takes.
    pub fn arg(&self) -> String {
        match self {
            Db::Sqlite { path, .. } => path.display().to_string(),
            Db::Postgres { url } => url.clone(),
        }
    }

    /// Runs SQL and returns every value as text (NULL as None).
    pub async fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match self {
            Db::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).expect("open db");
                let mut stmt = conn.prepare(sql).expect("prepare");
                let n = stmt.column_count();
                let rows = stmt
                    .query_map([], |r| {
                        (0..n)
                            .map(|i| {
                                Ok(match r.get_ref(i)? {
                                    rusqlite::types::ValueRef::Null => None,
                                    rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                                    rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
                                })
                            })
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .expect("query");
                rows.collect::<rusqlite::Result<Vec<_>>>().expect("rows")
            }
            Db::Postgres { url } => {
                let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect");
                tokio::spawn(conn);
                let msgs = client.simple_query(sql).await.expect("query");
                msgs.into_iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(String::from)).collect()),
                        _ => None,
                    })
                    .collect()
            }
        }
    }

    pub async fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite { path, .. } => {
                rusqlite::Connection::open(path).expect("open db").execute_batch(sql).expect("execute");
            }
            Db::Postgres { .. } => {
                self.query(sql).await;
            }
        }
    }

    /// The first column of the first row as a number.
    pub async fn count(&self, sql: &str) -> i64 {
        self.query(sql).await.first().and_then(|r| r.first().cloned().flatten()).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    /// Column names of a table.
    pub async fn columns(&self, table: &str) -> Vec<String> {
        let sql = match self {
            Db::Sqlite { .. } => format!("SELECT name FROM pragma_table_info('{table}')"),
            Db::Postgres { .. } => format!("SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema()"),
        };
        self.query(&sql).await.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect()
    }
}

pub struct Server {
    pub base: String,
    pub db: Db,
}

pub async fn spawn() -> Server {
    spawn_with(|s| s).await
}

/// The repository's `pkg-config`.
pub fn pkg_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config")
}

/// A copy of the repository's `pkg-config` at `to` (a test may edit it); returns `to`.
pub fn copy_pkg_config(to: &Path) -> PathBuf {
    let src = pkg_config();
    for sub in ["sites", "i18n", "i18n-tcf", "policy"] {
        std::fs::create_dir_all(to.join(sub)).expect("mkdir");
        for e in std::fs::read_dir(src.join(sub)).expect("read pkg-config") {
            let p = e.expect("entry").path();
            std::fs::copy(&p, to.join(sub).join(p.file_name().expect("name"))).expect("copy");
        }
    }
    to.to_owned()
}

/// A loopback port nothing listens on (for a server started as its own process).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// A server whose state `adjust` may change (a tighter rate limit, say).
pub async fn spawn_with(adjust: impl FnOnce(AppState) -> AppState) -> Server {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    spawn_configured(&root.join("pkg-config"), adjust).await
}

/// A server reading its site configuration from `pkg_config`.
pub async fn spawn_configured(pkg_config: &Path, adjust: impl FnOnce(AppState) -> AppState) -> Server {
    spawn_limited(pkg_config, test_limits(), adjust).await
}

/// A server with its connection `limits` set.
pub async fn spawn_limited(pkg_config: &Path, limits: consent_server::limits::Limits, adjust: impl FnOnce(AppState) -> AppState) -> Server {
    let db = Db::fresh().await;
    let base = serve_store(pkg_config, &db.arg(), limits, adjust).await;
    Server { base, db }
}

/// Another server instance on the same database, as a second replica behind a
/// load balancer would be; returns its base URL.
pub async fn replica(of: &Server) -> String {
    serve_store(&pkg_config(), &of.db.arg(), test_limits(), |st| st).await
}

/// Opens the store at `db` and serves it on a free loopback port; returns the base URL.
pub async fn serve_store(pkg_config: &Path, db: &str, limits: consent_server::limits::Limits, adjust: impl FnOnce(AppState) -> AppState) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let sites = Sites::load(pkg_config).expect("pkg-config loads");
    let store = Store::open(db).await.expect("store opens");
    let state = adjust(AppState::new(sites, store, AdminToken::new(TOKEN), root.join("www")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(consent_server::serve::serve(listener, app(state), limits, std::future::pending()));
    format!("http://{addr}")
}

/// The server's limits with short deadlines, so tests of them run quickly.
pub fn test_limits() -> consent_server::limits::Limits {
    let two = std::time::Duration::from_secs(2);
    consent_server::limits::Limits { header_timeout: two, body_deadline: two, ..Default::default() }
}

impl Server {
    /// Rows in the events table, read straight from the database.
    pub async fn rows(&self) -> i64 {
        self.db.count("SELECT COUNT(*) FROM events").await
    }

    pub async fn rows_where(&self, action: &str) -> i64 {
        self.db.count(&format!("SELECT COUNT(*) FROM events WHERE action = '{action}'")).await
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
