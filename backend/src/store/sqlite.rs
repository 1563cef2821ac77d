//! SQLite store: WAL mode, one dedicated writer thread doing group commit (all
//! queued requests in one transaction), readers on their own connection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OpenFlags};
use tokio::sync::oneshot;

use super::{Result, StoreError, Stored, StoredEvent};

/// Requests waiting for the writer; beyond this the server answers 503.
const QUEUE_CAPACITY: usize = 4096;
/// Most requests folded into one transaction.
const MAX_GROUP: usize = 512;

const MIGRATIONS: &[(u32, &str)] = &[(1, include_str!("../../migrations/sqlite/0001_events.sql"))];

struct Job {
    events: Vec<StoredEvent>,
    reply: oneshot::Sender<Result<Stored>>,
}

#[derive(Clone)]
pub struct SqliteStore {
    writer: SyncSender<Job>,
    reader: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = open_conn(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrate(&mut conn)?;
        let reader = open_conn(path)?;
        let (tx, rx) = sync_channel(QUEUE_CAPACITY);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(StoreError::Spawn)?;
        Ok(SqliteStore { writer: tx, reader: Arc::new(Mutex::new(reader)) })
    }

    pub async fn insert(&self, events: Vec<StoredEvent>) -> Result<Stored> {
        let (reply, rx) = oneshot::channel();
        self.writer.try_send(Job { events, reply }).map_err(|e| match e {
            TrySendError::Full(_) => StoreError::QueueFull,
            TrySendError::Disconnected(_) => StoreError::WriterGone,
        })?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    pub async fn counts_by_action(&self, site: &str) -> Result<BTreeMap<String, u64>> {
        let reader = self.reader.clone();
        let site = site.to_owned();
        tokio::task::spawn_blocking(move || {
            let conn = reader.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut stmt = conn.prepare_cached("SELECT action, COUNT(*) FROM events WHERE site = ?1 GROUP BY action")?;
            let rows = stmt.query_map([&site], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<BTreeMap<_, _>>>()?)
        })
        .await?
    }
}

fn open_conn(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|source| StoreError::Open { path: PathBuf::from(path).display().to_string(), source })?;
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

fn writer_loop(mut conn: Connection, rx: Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        match write_group(&mut conn, &jobs) {
            Ok(results) => {
                for (job, stored) in jobs.into_iter().zip(results) {
                    let _ = job.reply.send(Ok(stored));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                let msg = e.to_string();
                for job in jobs {
                    let _ = job.reply.send(Err(StoreError::Commit(msg.clone())));
                }
            }
        }
    }
}

fn write_group(conn: &mut Connection, jobs: &[Job]) -> rusqlite::Result<Vec<Stored>> {
    let tx = conn.transaction()?;
    let mut results = Vec::with_capacity(jobs.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO events (event_id, site, action, consent_id, categories, revision, lang, path, device, client_ts, server_ts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for job in jobs {
            let mut r = Stored::default();
            for s in &job.events {
                let e = &s.event;
                let n = insert.execute(params![
                    e.id,
                    e.site,
                    e.action.as_str(),
                    e.consent_id,
                    e.categories.join(" "),
                    e.revision,
                    e.lang,
                    e.path,
                    s.device,
                    e.client_ts as i64,
                    s.server_ts as i64
                ])?;
                if n == 1 {
                    r.stored += 1;
                } else {
                    r.duplicates += 1;
                }
            }
            results.push(r);
        }
    }
    tx.commit()?;
    Ok(results)
}
