//! SQLite store: WAL mode, one dedicated writer thread doing group commit (all
//! queued requests in one transaction: `writer`), readers from a small pool of
//! their own (`readers`, used by `reads`), and `maintenance` (rollup rebuild,
//! retention purge).

mod maintenance;
mod readers;
mod reads;
mod scans;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::{Job, Open, Result, StoreError, Stored, StoredEvent, WriterStats};
use crate::rollup::{Dimension, Measure};
use std::sync::atomic::Ordering;

/// Requests waiting for the writer; beyond this the server answers 503.
const QUEUE_CAPACITY: usize = 4096;

const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../../../migrations/sqlite/0001_events.sql")),
    (2, include_str!("../../../migrations/sqlite/0002_proof.sql")),
    (3, include_str!("../../../migrations/sqlite/0003_retention.sql")),
    (4, include_str!("../../../migrations/sqlite/0004_rollups.sql")),
    (5, include_str!("../../../migrations/sqlite/0005_scans.sql")),
    (6, include_str!("../../../migrations/sqlite/0006_tcf.sql")),
    (7, include_str!("../../../migrations/sqlite/0007_region.sql")),
    (8, include_str!("../../../migrations/sqlite/0008_variant.sql")),
];

#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    writer: SyncSender<Job>,
    readers: readers::Readers,
    pub(super) stats: Arc<WriterStats>,
}

impl SqliteStore {
    pub fn open(path: &Path, how: Open) -> Result<SqliteStore> {
        if how == Open::Create {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = std::fs::create_dir_all(dir);
            }
        } else if !path.is_file() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let mut conn = open_conn(path)?;
        if how == Open::Existing && conn.pragma_query_value::<u32, _>(None, "user_version", |r| r.get(0))? == 0 {
            return Err(StoreError::NoSchema(path.display().to_string()));
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrate(&mut conn)?;
        let readers = readers::Readers::open(path, open_conn)?;
        let (tx, rx) = sync_channel(QUEUE_CAPACITY);
        let stats = Arc::new(WriterStats::default());
        let writer_stats = stats.clone();
        std::thread::Builder::new().name("sqlite-writer".into()).spawn(move || writer::run(conn, rx, &writer_stats)).map_err(StoreError::Spawn)?;
        Ok(SqliteStore { path: path.to_owned(), writer: tx, readers, stats })
    }

    pub async fn insert(&self, events: Vec<StoredEvent>) -> Result<Stored> {
        let (reply, rx) = oneshot::channel();
        self.writer.try_send(Job { events, reply }).map_err(|e| match e {
            TrySendError::Full(_) => StoreError::QueueFull,
            TrySendError::Disconnected(_) => StoreError::WriterGone,
        })?;
        self.stats.queue_depth.fetch_add(1, Ordering::Relaxed);
        rx.await.map_err(|_| StoreError::WriterGone)?
    }
}

impl SqliteStore {
    /// Runs `f` on a pooled read connection off the async runtime.
    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static) -> Result<T> {
        self.readers.read(f).await
    }
}

fn open_conn(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open { path: PathBuf::from(path).display().to_string(), source })?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // FULL: a commit is on disk before the event is acknowledged.
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for &(version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql).map_err(|source| StoreError::Migration { version, source })?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// Rollup names as stored: written by name, read back by name (an unknown one is an error, not another name).
macro_rules! sql_name {
    ($t:ty) => {
        impl rusqlite::types::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }
        impl rusqlite::types::FromSql for $t {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}
sql_name!(Measure);
sql_name!(Dimension);
