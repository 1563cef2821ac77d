//! PostgreSQL store, for several stateless backend instances sharing one
//! database: one writer task per instance doing group commit (`writer`), each
//! site's chain head row locked while decisions are appended to it; reads from a
//! pool (`reads`, `rollup`); retention (`maintenance`).

mod maintenance;
mod reads;
mod rollup;
mod scans;
mod writer;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{Client, NoTls};

use super::{Job, Open, Result, StoreError, Stored, StoredEvent, WriterStats};

const QUEUE_CAPACITY: usize = 4096;
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../../migrations/postgres/0001_events.sql")),
    (2, include_str!("../../../migrations/postgres/0002_rollups.sql")),
    (3, include_str!("../../../migrations/postgres/0003_scans.sql")),
    (4, include_str!("../../../migrations/postgres/0004_tcf.sql")),
    (5, include_str!("../../../migrations/postgres/0005_region.sql")),
    (6, include_str!("../../../migrations/postgres/0006_variant.sql")),
];

/// Read connections per instance (dashboard, proof lookups, health, exports).
const READERS: usize = 4;

#[derive(Clone)]
pub struct PgStore {
    writer: mpsc::Sender<Job>,
    /// Reconnects by itself: a connection that died with a restart is replaced.
    readers: Pool,
    pub(super) stats: Arc<WriterStats>,
}

pub(super) async fn connect(url: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "postgres connection closed");
        }
    });
    Ok(client)
}

impl PgStore {
    pub async fn open(url: &str, how: Open) -> Result<PgStore> {
        let mut writer = connect(url).await?;
        if how == Open::Existing {
            let row = writer.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[]).await?;
            if !row.get::<_, bool>(0) {
                return Err(StoreError::NoSchema(super::redact(url)));
            }
        }
        migrate(&mut writer).await?;
        let config: tokio_postgres::Config = url.parse()?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let readers = Pool::builder(manager).max_size(READERS).build().map_err(|e| StoreError::Commit(format!("reader pool: {e}")))?;
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let stats = Arc::new(WriterStats::default());
        tokio::spawn(writer::writer_loop(Arc::from(url), writer, rx, stats.clone()));
        Ok(PgStore { writer: tx, readers, stats })
    }

    /// A read connection from the pool (a new one if the database restarted).
    pub(super) async fn reader(&self) -> Result<Object> {
        Ok(self.readers.get().await?)
    }

    pub async fn insert(&self, events: Vec<StoredEvent>) -> Result<Stored> {
        let (reply, rx) = oneshot::channel();
        self.writer.try_send(Job { events, reply }).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => StoreError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => StoreError::WriterGone,
        })?;
        self.stats.queue_depth.fetch_add(1, Ordering::Relaxed);
        rx.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn migrate(client: &mut Client) -> Result<()> {
    client.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)").await?;
    for &(version, sql) in MIGRATIONS {
        let tx = client.transaction().await?;
        // Serialises instances starting together.
        tx.batch_execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").await?;
        let done = tx.query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[&version]).await?.is_some();
        if !done {
            tx.batch_execute(sql).await.map_err(|e| StoreError::Commit(format!("migration {version}: {e}")))?;
            tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&version]).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
