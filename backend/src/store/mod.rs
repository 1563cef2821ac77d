//! Where events live. One interface, one implementation per database; the
//! embedded SQLite store is the default.

mod postgres;
mod rows;
mod sqlite;

use std::collections::BTreeMap;
use std::path::Path;

use consent_wire::Event;

pub use postgres::PgStore;
pub use rows::{DecisionRow, HistoryRow, ScanRow};
pub use sqlite::SqliteStore;

/// An event as stored: the validated wire event plus what the server adds.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub event: Event,
    pub device: &'static str,
    /// What the banner version `event.banner` showed, when this server's config produces it.
    pub banner_content: Option<std::sync::Arc<str>>,
    /// Server clock, milliseconds since the Unix epoch: the authoritative time.
    pub server_ts: u64,
    /// A decision accepting at least one category that is not required (by the
    /// site's config when it was stored).
    pub consented: bool,
    /// The visitor's country (ISO 3166-1 alpha-2), as a trusted proxy said.
    pub region: Option<String>,
}

impl StoredEvent {
    /// The fields of this event its chain link's hash covers, with its categories as stored.
    pub fn row_content<'a>(&'a self, categories: &'a str) -> crate::chain::RowContent<'a> {
        let e = &self.event;
        crate::chain::RowContent {
            event_id: &e.id,
            site: &e.site,
            action: e.action.as_str(),
            consent_id: e.consent_id.as_deref().unwrap_or(""),
            categories,
            revision: &e.revision,
            banner: e.banner.as_deref().unwrap_or(""),
            lang: &e.lang,
            path: &e.path,
            device: self.device,
            client_ts: e.client_ts as i64,
            tc_string: e.tc_string.as_deref().unwrap_or(""),
            addtl_consent: e.addtl_consent.as_deref().unwrap_or(""),
            region: self.region.as_deref().unwrap_or(""),
            variant: e.variant.as_deref().unwrap_or(""),
            server_ts: self.server_ts as i64,
        }
    }

    /// What rollups count of this event.
    pub fn fact<'a>(&'a self, categories: &'a str) -> crate::rollup::Fact<'a> {
        let e = &self.event;
        crate::rollup::Fact {
            site: &e.site,
            server_ts: self.server_ts as i64,
            action: e.action.as_str(),
            categories,
            consented: self.consented,
            lang: &e.lang,
            device: self.device,
            path: &e.path,
            revision: &e.revision,
            banner: e.banner.as_deref().unwrap_or(""),
            region: self.region.as_deref().unwrap_or(""),
            variant: e.variant.as_deref().unwrap_or(""),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the write queue is full")]
    QueueFull,
    #[error("the writer has stopped")]
    WriterGone,
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("migration {version}: {source}")]
    Migration { version: u32, source: rusqlite::Error },
    #[error("opening {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("no database at {0}: only `serve` and `demo-data` create one")]
    Missing(String),
    #[error("{0} holds no consent schema (was it made by `consent-server serve`?)")]
    NoSchema(String),
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("cannot start the writer thread: {0}")]
    Spawn(std::io::Error),
    #[error("postgres: {0}{cause}", cause = cause(.0))]
    Pg(#[from] tokio_postgres::Error),
    #[error("postgres: no connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("another instance stored one of these event ids meanwhile")]
    Conflict,
    #[error("blocking task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What a PostgreSQL error's own text leaves out ("db error", "error
/// deserializing column 2"): the server's message, or why a value did not read.
fn cause(e: &tokio_postgres::Error) -> String {
    std::error::Error::source(e).map(|c| format!(": {c}")).unwrap_or_default()
}

/// How many events of a batch were new and how many were retries already stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    pub stored: usize,
    pub duplicates: usize,
}

/// One request's events waiting for the writer, and where its answer goes.
pub(super) struct Job {
    pub events: Vec<StoredEvent>,
    pub reply: tokio::sync::oneshot::Sender<Result<Stored>>,
}

/// Most requests folded into one transaction.
const MAX_GROUP: usize = 512;

/// A writer's next group: `first` and whatever else is already queued (`next`
/// answers without waiting), up to `MAX_GROUP` requests.
pub(super) fn gather(first: Job, mut next: impl FnMut() -> Option<Job>, stats: &WriterStats) -> Vec<Job> {
    let mut jobs = vec![first];
    while jobs.len() < MAX_GROUP {
        match next() {
            Some(job) => jobs.push(job),
            None => break,
        }
    }
    stats.queue_depth.fetch_sub(jobs.len() as u64, std::sync::atomic::Ordering::Relaxed);
    jobs
}

/// Answers each request of a group: its own result, or the group's error (the
/// transaction rolled back, so none of them was stored).
pub(super) fn reply_all<E: std::fmt::Display>(jobs: Vec<Job>, written: std::result::Result<Vec<Stored>, E>) {
    match written {
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

/// The store for logs and errors: a database URL without its password.
pub fn redact(db: &str) -> String {
    match (db.find("://"), db.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &db[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &db[..scheme + 3], &db[at + 1..])
        }
        _ => db.to_owned(),
    }
}

/// Whether opening may create the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    /// Create and migrate what is missing (`serve`, `demo-data`).
    Create,
    /// The database and its schema must exist (maintenance commands); it is
    /// still migrated to this version.
    Existing,
}

/// How long events are kept, and how a purge goes about removing the rest.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub decisions_ms: u64,
    pub impressions_ms: u64,
    /// Rows deleted per transaction (SQLite): a large purge gives the writer
    /// its turn between chunks instead of holding the lock past its busy timeout.
    pub chunk_rows: usize,
}

/// Rows a purge deletes per transaction by default.
pub const PURGE_CHUNK_ROWS: usize = 5_000;

impl Retention {
    /// At least a day each (0 would purge everything); saturating, never wrapping.
    pub fn days(decisions: u64, impressions: u64) -> Retention {
        let ms = |days: u64| days.max(1).saturating_mul(86_400_000);
        Retention { decisions_ms: ms(decisions), impressions_ms: ms(impressions), chunk_rows: PURGE_CHUNK_ROWS }
    }
}

/// What a purge removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Purged {
    pub decisions: usize,
    pub impressions: usize,
}

/// What the writer has done, for `/metrics`.
#[derive(Default)]
pub struct WriterStats {
    pub queue_depth: std::sync::atomic::AtomicU64,
    pub commits: std::sync::atomic::AtomicU64,
    pub batched_requests: std::sync::atomic::AtomicU64,
    pub max_batch: std::sync::atomic::AtomicU64,
    pub commit_micros: std::sync::atomic::AtomicU64,
    /// Banner versions the writer keeps in memory (only those whose content it stored).
    pub banners_remembered: std::sync::atomic::AtomicU64,
    /// The writer has lost its database connection and not got it back yet.
    down: std::sync::atomic::AtomicBool,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct WriterSnapshot {
    pub queue_depth: u64,
    pub commits: u64,
    pub batched_requests: u64,
    pub max_batch: u64,
    pub commit_micros: u64,
    pub banners_remembered: u64,
}

impl WriterStats {
    pub fn snapshot(&self) -> WriterSnapshot {
        use std::sync::atomic::Ordering::Relaxed;
        WriterSnapshot {
            queue_depth: self.queue_depth.load(Relaxed),
            commits: self.commits.load(Relaxed),
            batched_requests: self.batched_requests.load(Relaxed),
            max_batch: self.max_batch.load(Relaxed),
            commit_micros: self.commit_micros.load(Relaxed),
            banners_remembered: self.banners_remembered.load(Relaxed),
        }
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::Relaxed);
    }

    /// Can the writer reach its database (as far as it last knew)?
    pub fn is_up(&self) -> bool {
        !self.down.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn committed(&self, requests: usize, elapsed: std::time::Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.commits.fetch_add(1, Relaxed);
        self.batched_requests.fetch_add(requests as u64, Relaxed);
        self.max_batch.fetch_max(requests as u64, Relaxed);
        self.commit_micros.fetch_add(elapsed.as_micros() as u64, Relaxed);
    }
}

#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Methods that call the same one on whichever store this is.
macro_rules! delegate {
    ($($(#[$doc:meta])* pub async fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            $(#[$doc])*
            pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                match self {
                    Store::Sqlite(s) => s.$name($($arg),*).await,
                    Store::Postgres(s) => s.$name($($arg),*).await,
                }
            }
        )*
    };
}

impl Store {
    pub fn open_sqlite(path: &Path) -> Result<Store> {
        Ok(Store::Sqlite(SqliteStore::open(path, Open::Create)?))
    }

    /// A `postgres://` URL opens PostgreSQL; anything else is a SQLite file path.
    /// The database (and a SQLite file's folders) is created and migrated if need be.
    pub async fn open(db: &str) -> Result<Store> {
        Store::open_as(db, Open::Create).await
    }

    /// Opens a database that must already exist and hold the schema: for the
    /// maintenance commands, where an empty new database would answer nonsense
    /// ("chain intact, 0 decisions").
    pub async fn open_existing(db: &str) -> Result<Store> {
        Store::open_as(db, Open::Existing).await
    }

    async fn open_as(db: &str, how: Open) -> Result<Store> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            Ok(Store::Postgres(PgStore::open(db, how).await?))
        } else {
            Ok(Store::Sqlite(SqliteStore::open(Path::new(db), how)?))
        }
    }

    /// The writer's counters, whichever store this is.
    fn stats(&self) -> &WriterStats {
        match self {
            Store::Sqlite(s) => &s.stats,
            Store::Postgres(s) => &s.stats,
        }
    }

    /// The writer's own view of its database: `false` while it is reconnecting.
    pub fn writer_up(&self) -> bool {
        self.stats().is_up()
    }

    pub fn writer_stats(&self) -> WriterSnapshot {
        self.stats().snapshot()
    }

    delegate! {
        /// Commits `events` durably; returns only after the transaction is on disk.
        pub async fn insert(&self, events: Vec<StoredEvent>) -> Result<Stored>;

        /// A page of a site's decisions with `from <= server_ts < to`: at most
        /// `limit`, oldest first, those after `after_seq` (0: from the first).
        pub async fn decisions(&self, site: &str, from: i64, to: i64, after_seq: i64, limit: usize) -> Result<Vec<DecisionRow>>;

        /// Recomputes every rollup from the raw events.
        pub async fn rebuild_rollups(&self) -> Result<()>;

        pub async fn read_rollups(&self) -> Result<crate::rollup::Rollups>;

        pub async fn purge(&self, retention: Retention, now_ms: u64) -> Result<Purged>;

        /// Every event carrying `consent_id`, oldest first.
        pub async fn consent_history(&self, consent_id: &str) -> Result<Vec<HistoryRow>>;

        /// Checks a site's hash chain.
        pub async fn verify_chain(&self, site: &str) -> Result<crate::chain::Verdict>;

        /// Dashboard: a site's hourly counters `(hour, measure, n)` for `from <= hour < to`.
        pub async fn hourly(&self, site: &str, from_hour: i64, to_hour: i64) -> Result<Vec<(i64, crate::rollup::Measure, i64)>>;

        /// Dashboard: decisions accepting each category, summed over `from <= day < to`.
        pub async fn category_totals(&self, site: &str, from_day: i64, to_day: i64) -> Result<Vec<(String, i64)>>;

        /// Dashboard: one dimension's counters `(value, measure, n)` summed over `from <= day < to`.
        pub async fn dimension_totals(&self, site: &str, dim: crate::rollup::Dimension, from_day: i64, to_day: i64, limit: usize) -> Result<Vec<(String, crate::rollup::Measure, i64)>>;

        /// Event counts per action for one site.
        pub async fn counts_by_action(&self, site: &str) -> Result<BTreeMap<String, u64>>;

        /// Keeps `scan` as its site's last cookie scan (replacing the one before).
        pub async fn save_scan(&self, scan: ScanRow) -> Result<()>;

        /// A site's last cookie scan, if it was ever scanned with `--store`.
        pub async fn last_scan(&self, site: &str) -> Result<Option<ScanRow>>;
    }
}
