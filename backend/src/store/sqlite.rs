//! SQLite store: WAL mode, one dedicated writer thread doing group commit (all
//! queued requests in one transaction), readers from a small pool of their own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use tokio::sync::oneshot;

use super::rows::{chain_row, CHAIN_COLUMNS};
use super::{DecisionRow, HistoryRow};
use super::{Job, Open, Purged, Result, Retention, StoreError, Stored, StoredEvent, WriterStats};
use crate::chain::{verify, Verdict};
use crate::rollup::{Dimension, Fact, Measure, Rollups};
use std::sync::atomic::Ordering;

/// The CSV export's columns.
/// Requests waiting for the writer; beyond this the server answers 503.
const QUEUE_CAPACITY: usize = 4096;

const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_events.sql")),
    (2, include_str!("../../migrations/sqlite/0002_proof.sql")),
    (3, include_str!("../../migrations/sqlite/0003_retention.sql")),
    (4, include_str!("../../migrations/sqlite/0004_rollups.sql")),
];

#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    writer: SyncSender<Job>,
    readers: super::sqlite_readers::Readers,
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
        let readers = super::sqlite_readers::Readers::open(path, open_conn)?;
        let (tx, rx) = sync_channel(QUEUE_CAPACITY);
        let stats = Arc::new(WriterStats::default());
        let writer_stats = stats.clone();
        std::thread::Builder::new().name("sqlite-writer".into()).spawn(move || super::sqlite_writer::run(conn, rx, &writer_stats)).map_err(StoreError::Spawn)?;
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

    pub async fn counts_by_action(&self, site: &str) -> Result<BTreeMap<String, u64>> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT action, COUNT(*) FROM events WHERE site = ?1 GROUP BY action")?;
            let rows = stmt.query_map([&site], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
            rows.collect()
        })
        .await
    }
}

impl SqliteStore {
    pub async fn hourly(&self, site: &str, from_hour: i64, to_hour: i64) -> Result<Vec<(i64, Measure, i64)>> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT hour, measure, n FROM rollup_hourly WHERE site = ?1 AND hour >= ?2 AND hour < ?3")?;
            let rows = stmt.query_map(params![site, from_hour, to_hour], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })
        .await
    }

    pub async fn category_totals(&self, site: &str, from_day: i64, to_day: i64) -> Result<Vec<(String, i64)>> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT category, SUM(n) FROM rollup_daily_category WHERE site = ?1 AND day >= ?2 AND day < ?3 GROUP BY category")?;
            let rows = stmt.query_map(params![site, from_day, to_day], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
        .await
    }

    /// Per value and measure, for the `limit` values with most impressions, then decisions.
    pub async fn dimension_totals(&self, site: &str, dim: Dimension, from_day: i64, to_day: i64, limit: usize) -> Result<Vec<(String, Measure, i64)>> {
        let (site, dim) = (site.to_owned(), dim.as_str());
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "WITH top AS (
                   SELECT value FROM rollup_daily_dim WHERE site = ?1 AND dim = ?2 AND day >= ?3 AND day < ?4
                   GROUP BY value
                   ORDER BY SUM(CASE WHEN measure = 'impression' THEN n ELSE 0 END) DESC, SUM(CASE WHEN measure = 'decision' THEN n ELSE 0 END) DESC, value
                   LIMIT ?5)
                 SELECT d.value, d.measure, SUM(d.n) FROM rollup_daily_dim d JOIN top ON top.value = d.value
                 WHERE d.site = ?1 AND d.dim = ?2 AND d.day >= ?3 AND d.day < ?4 GROUP BY d.value, d.measure",
            )?;
            let rows = stmt.query_map(params![site, dim, from_day, to_day, limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })
        .await
    }

    /// Runs `f` on a pooled read connection off the async runtime.
    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static) -> Result<T> {
        self.readers.read(f).await
    }

    pub async fn consent_history(&self, consent_id: &str) -> Result<Vec<HistoryRow>> {
        let id = consent_id.to_owned();
        self.read(move |conn| {
            let sql = format!("SELECT {} FROM events e LEFT JOIN banner_versions b ON b.hash = e.banner WHERE e.consent_id = ?1 ORDER BY e.seq", HistoryRow::COLUMNS);
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([&id], |r| HistoryRow::read(r))?;
            rows.collect()
        })
        .await
    }

    pub async fn verify_chain(&self, site: &str) -> Result<Verdict> {
        let site = site.to_owned();
        self.read(move |conn| {
            let head: Option<String> = conn.query_row("SELECT row_hash FROM chain_heads WHERE site = ?1", [&site], |r| r.get(0)).optional()?;
            let mut cp = conn.prepare("SELECT row_hash FROM chain_checkpoints WHERE site = ?1 UNION SELECT row_hash FROM chain_anchors WHERE site = ?1")?;
            let checkpoints = cp.query_map([&site], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
            let mut stmt = conn.prepare(&format!("SELECT {CHAIN_COLUMNS} FROM events WHERE site = ?1 AND action != 'banner_shown' ORDER BY seq"))?;
            let rows = stmt.query_map([&site], |r| chain_row(r))?;
            let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(verify(rows, &checkpoints, head.as_deref()))
        })
        .await
    }
}

impl SqliteStore {
    /// Recomputes every rollup from the raw events, in one transaction.
    pub async fn rebuild_rollups(&self) -> Result<()> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = open_conn(&path)?;
            let tx = conn.transaction()?;
            tx.execute_batch("DELETE FROM rollup_hourly; DELETE FROM rollup_daily_category; DELETE FROM rollup_daily_dim;")?;
            let mut r = Rollups::default();
            {
                let mut stmt = tx.prepare("SELECT site, server_ts, action, categories, consented, lang, device, path, revision, COALESCE(banner, '') FROM events")?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    let t = |i| row.get::<_, String>(i);
                    let (site, action, cats, lang, device, path, rev, banner) = (t(0)?, t(2)?, t(3)?, t(5)?, t(6)?, t(7)?, t(8)?, t(9)?);
                    r.add(&Fact {
                        site: &site,
                        server_ts: row.get(1)?,
                        action: &action,
                        categories: &cats,
                        consented: row.get(4)?,
                        lang: &lang,
                        device: &device,
                        path: &path,
                        revision: &rev,
                        banner: &banner,
                    });
                }
            }
            super::sqlite_writer::write_rollups(&tx, &r)?;
            tx.commit()?;
            Ok(())
        })
        .await?
    }

    pub async fn decisions(&self, site: &str, from: i64, to: i64, after_seq: i64, limit: usize) -> Result<Vec<DecisionRow>> {
        let site = site.to_owned();
        self.read(move |conn| {
            let sql = format!("SELECT {} FROM events WHERE site = ?1 AND action != 'banner_shown' AND server_ts >= ?2 AND server_ts < ?3 AND seq > ?4 ORDER BY seq LIMIT ?5", DecisionRow::COLUMNS);
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![site, from, to, after_seq, limit as i64], |r| DecisionRow::read(r))?;
            rows.collect()
        })
        .await
    }

    /// Every rollup row, to compare incremental counts with a rebuild.
    pub async fn read_rollups(&self) -> Result<Rollups> {
        self.read(|conn| {
            let mut r = Rollups::default();
            let mut q = conn.prepare("SELECT site, hour, measure, n FROM rollup_hourly")?;
            for row in q.query_map([], |x| Ok(((x.get(0)?, x.get(1)?, x.get(2)?), x.get(3)?)))? {
                let (key, n) = row?;
                r.hourly.insert(key, n);
            }
            let mut q = conn.prepare("SELECT site, day, category, n FROM rollup_daily_category")?;
            for row in q.query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)))? {
                let (site, day, c, n) = row?;
                r.category.insert((site, day, c), n);
            }
            let mut q = conn.prepare("SELECT site, day, dim, value, measure, n FROM rollup_daily_dim")?;
            for row in q.query_map([], |x| Ok(((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?), x.get(5)?)))? {
                let (key, n) = row?;
                r.dim.insert(key, n);
            }
            Ok(r)
        })
        .await
    }

    /// Deletes decisions and impressions older than their retention, keeping an
    /// anchor hash per site so what remains of each chain still verifies.
    /// Deletes what retention no longer covers, oldest first, `chunk_rows` per
    /// transaction. Each chunk of decisions records, in the same transaction,
    /// the last row it removed per site as that site's chain anchor, so the
    /// chain verifies after every chunk (and after a purge cut short).
    pub async fn purge(&self, retention: Retention, now_ms: u64) -> Result<Purged> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = open_conn(&path)?;
            let chunk = retention.chunk_rows.max(1) as i64;
            let decisions_before = now_ms.saturating_sub(retention.decisions_ms) as i64;
            let impressions_before = now_ms.saturating_sub(retention.impressions_ms) as i64;
            let mut purged = Purged { decisions: 0, impressions: 0 };
            loop {
                let n = purge_decisions(&mut conn, decisions_before, now_ms as i64, chunk)?;
                purged.decisions += n;
                if (n as i64) < chunk {
                    break;
                }
                std::thread::yield_now();
            }
            loop {
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let n =
                    tx.execute("DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE action = 'banner_shown' AND server_ts < ?1 ORDER BY seq LIMIT ?2)", params![impressions_before, chunk])?;
                tx.commit()?;
                purged.impressions += n;
                if (n as i64) < chunk {
                    break;
                }
                std::thread::yield_now();
            }
            Ok(purged)
        })
        .await?
    }
}

/// One chunk of old decisions: anchors each site at the last row removed, then removes them.
fn purge_decisions(conn: &mut Connection, before: i64, now_ms: i64, chunk: i64) -> rusqlite::Result<usize> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let last: Option<i64> =
        tx.query_row("SELECT MAX(seq) FROM (SELECT seq FROM events WHERE action != 'banner_shown' AND server_ts < ?1 ORDER BY seq LIMIT ?2)", params![before, chunk], |r| r.get(0))?;
    let Some(last) = last else { return Ok(0) };
    tx.execute(
        "INSERT OR REPLACE INTO chain_anchors (site, seq, row_hash, purged_at)
         SELECT site, seq, row_hash, ?3 FROM events e
         WHERE action != 'banner_shown' AND server_ts < ?1 AND seq <= ?2
           AND seq = (SELECT MAX(seq) FROM events x WHERE x.site = e.site AND x.action != 'banner_shown' AND x.server_ts < ?1 AND x.seq <= ?2)",
        params![before, last, now_ms],
    )?;
    let n = tx.execute("DELETE FROM events WHERE action != 'banner_shown' AND server_ts < ?1 AND seq <= ?2", params![before, last])?;
    tx.commit()?;
    Ok(n)
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
