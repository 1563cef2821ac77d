//! PostgreSQL store, for several stateless backend instances sharing one
//! database: one writer task per instance doing group commit, each site's chain
//! head row locked while decisions are appended to it.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Transaction};

use super::{gather, reply_all, HistoryRow, Job, Open, Purged, Result, Retention, StoreError, Stored, StoredEvent, WriterStats};
use crate::chain::{day_of, verify, ChainRow, RowContent, Verdict, GENESIS};
use crate::rollup::Rollups;

const QUEUE_CAPACITY: usize = 4096;
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../../migrations/postgres/0001_events.sql")), (2, include_str!("../../migrations/postgres/0002_rollups.sql"))];

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
        tokio::spawn(writer_loop(Arc::from(url), writer, rx, stats.clone()));
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

    pub async fn counts_by_action(&self, site: &str) -> Result<BTreeMap<String, u64>> {
        let rows = self.reader().await?.query("SELECT action, COUNT(*) FROM events WHERE site = $1 GROUP BY action", &[&site]).await?;
        Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64)).collect())
    }

    pub async fn consent_history(&self, consent_id: &str) -> Result<Vec<HistoryRow>> {
        let rows = self
            .reader()
            .await?
            .query(
                "SELECT e.event_id, e.site, e.action, e.categories, e.revision, e.lang, e.path, e.server_ts, e.client_ts, e.banner, b.content, b.first_seen, e.row_hash
                 FROM events e LEFT JOIN banner_versions b ON b.hash = e.banner
                 WHERE e.consent_id = $1 ORDER BY e.seq",
                &[&consent_id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| HistoryRow {
                event_id: r.get(0),
                site: r.get(1),
                action: r.get(2),
                categories: r.get::<_, String>(3).split(' ').filter(|c| !c.is_empty()).map(String::from).collect(),
                revision: r.get(4),
                lang: r.get(5),
                path: r.get(6),
                server_ts: r.get(7),
                client_ts: r.get(8),
                banner: r.get(9),
                banner_content: r.get(10),
                banner_first_seen: r.get(11),
                row_hash: r.get(12),
            })
            .collect())
    }

    pub async fn verify_chain(&self, site: &str) -> Result<Verdict> {
        let reader = self.reader().await?;
        let head: Option<String> = reader.query_opt("SELECT row_hash FROM chain_heads WHERE site = $1", &[&site]).await?.map(|r| r.get(0));
        let checkpoints: Vec<String> =
            reader.query("SELECT row_hash FROM chain_checkpoints WHERE site = $1 UNION SELECT row_hash FROM chain_anchors WHERE site = $1", &[&site]).await?.iter().map(|r| r.get(0)).collect();
        let rows = reader
            .query(
                "SELECT seq, event_id, site, action, COALESCE(consent_id, ''), categories, revision, COALESCE(banner, ''), lang, path, device, client_ts, server_ts,
                        COALESCE(prev_hash, ''), COALESCE(row_hash, '')
                 FROM events WHERE site = $1 AND action != 'banner_shown' ORDER BY seq",
                &[&site],
            )
            .await?;
        let chain = rows.iter().map(|r| {
            let t = |i| r.get::<_, String>(i);
            let (event_id, site, action, consent, cats, rev, banner, lang, path, device) = (t(1), t(2), t(3), t(4), t(5), t(6), t(7), t(8), t(9), t(10));
            let content = RowContent {
                event_id: &event_id,
                site: &site,
                action: &action,
                consent_id: &consent,
                categories: &cats,
                revision: &rev,
                banner: &banner,
                lang: &lang,
                path: &path,
                device: &device,
                client_ts: r.get(11),
                server_ts: r.get(12),
            };
            let prev_hash = t(13);
            ChainRow { seq: r.get(0), recomputed: content.hash(&prev_hash), event_id: event_id.clone(), prev_hash, row_hash: t(14) }
        });
        let chain: Vec<ChainRow> = chain.collect();
        // A head still at genesis means no decision was ever appended.
        let head = head.filter(|h| h != GENESIS);
        Ok(verify(chain, &checkpoints, head.as_deref()))
    }

    pub async fn purge(&self, retention: Retention, now_ms: u64) -> Result<Purged> {
        let decisions_before = now_ms.saturating_sub(retention.decisions_ms) as i64;
        let impressions_before = now_ms.saturating_sub(retention.impressions_ms) as i64;
        let now = now_ms as i64;
        let mut client = self.reader().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO chain_anchors (site, seq, row_hash, purged_at)
             SELECT DISTINCT ON (site) site, seq, row_hash, $2 FROM events
             WHERE action != 'banner_shown' AND server_ts < $1 ORDER BY site, seq DESC
             ON CONFLICT (site, seq) DO NOTHING",
            &[&decisions_before, &now],
        )
        .await?;
        let decisions = tx.execute("DELETE FROM events WHERE action != 'banner_shown' AND server_ts < $1", &[&decisions_before]).await?;
        let impressions = tx.execute("DELETE FROM events WHERE action = 'banner_shown' AND server_ts < $1", &[&impressions_before]).await?;
        tx.commit().await?;
        Ok(Purged { decisions: decisions as usize, impressions: impressions as usize })
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

async fn writer_loop(url: Arc<str>, client: Client, mut rx: mpsc::Receiver<Job>, stats: Arc<WriterStats>) {
    let mut client = Some(client);
    while let Some(first) = rx.recv().await {
        let jobs = gather(first, || rx.try_recv().ok(), &stats);
        let started = std::time::Instant::now();
        let written = write_retrying(&url, &mut client, &jobs, &stats).await;
        stats.committed(jobs.len(), started.elapsed());
        reply_all(jobs, written);
    }
}

/// How long a group waits for the database to come back before its requests
/// are answered with an error (the widget retries them later).
const RECONNECT_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// Writes a group on a live connection: reconnects when the database went away
/// (a restart), and writes again when another instance stored one of its event
/// ids meanwhile. Retrying is safe: an event id already stored is skipped, and
/// nothing is acknowledged before its commit.
async fn write_retrying(url: &str, slot: &mut Option<Client>, jobs: &[Job], stats: &WriterStats) -> Result<Vec<Stored>> {
    let deadline = tokio::time::Instant::now() + RECONNECT_FOR;
    let mut pause = std::time::Duration::from_millis(50);
    loop {
        let client = match slot.take().filter(|c| !c.is_closed()) {
            Some(c) => slot.insert(c),
            None => match connect(url).await {
                Ok(c) => slot.insert(c),
                Err(e) => {
                    stats.set_down(true);
                    if tokio::time::Instant::now() + pause > deadline {
                        return Err(e);
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_millis(800));
                    continue;
                }
            },
        };
        let result = match client.transaction().await {
            Ok(tx) => write_group(tx, jobs).await,
            Err(e) => Err(StoreError::from(e)),
        };
        let retry = match &result {
            Ok(_) => {
                stats.set_down(false);
                return result;
            }
            Err(StoreError::Conflict) => true,
            Err(StoreError::Pg(e)) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => true,
            Err(StoreError::Pg(e)) if connection_lost(e) || client.is_closed() => {
                *slot = None;
                stats.set_down(true);
                true
            }
            Err(_) => false,
        };
        if !retry || tokio::time::Instant::now() + pause > deadline {
            return result;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_millis(800));
    }
}

/// The server went away or is not accepting connections yet (a restart).
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    e.is_closed() || matches!(e.code(), Some(c) if *c == SqlState::ADMIN_SHUTDOWN || *c == SqlState::CRASH_SHUTDOWN || *c == SqlState::CANNOT_CONNECT_NOW || c.code().starts_with("08"))
}

async fn write_group(tx: Transaction<'_>, jobs: &[Job]) -> Result<Vec<Stored>> {
    // Lock the chain heads of every site this group appends to, in one order, so
    // two instances cannot deadlock.
    let mut sites: Vec<&str> = jobs.iter().flat_map(|j| j.events.iter()).filter(|s| s.event.action.is_decision()).map(|s| s.event.site.as_str()).collect();
    sites.sort_unstable();
    sites.dedup();
    let mut heads: BTreeMap<String, String> = BTreeMap::new();
    for site in sites {
        tx.execute("INSERT INTO chain_heads (site, seq, row_hash) VALUES ($1, 0, $2) ON CONFLICT (site) DO NOTHING", &[&site, &GENESIS]).await?;
        let row = tx.query_one("SELECT row_hash FROM chain_heads WHERE site = $1 FOR UPDATE", &[&site]).await?;
        heads.insert(site.to_owned(), row.get(0));
    }
    // Retries already stored (by any instance) and repeats within this group are skipped
    // before the chain is extended, so every chained row is really inserted. Read after
    // the heads are locked: another instance's decisions for these sites are committed.
    let ids: Vec<&str> = jobs.iter().flat_map(|j| j.events.iter()).map(|s| s.event.id.as_str()).collect();
    let existing: HashSet<String> = tx.query("SELECT event_id FROM events WHERE event_id = ANY($1)", &[&ids]).await?.iter().map(|r| r.get(0)).collect();
    let mut cols = Columns::default();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut results = Vec::with_capacity(jobs.len());
    let mut tips: BTreeMap<String, (usize, i64)> = BTreeMap::new(); // site → (row index, day)
    let mut banners: BTreeMap<&str, &StoredEvent> = BTreeMap::new();
    let mut rollups = Rollups::default();
    for job in jobs {
        let mut r = Stored::default();
        for s in &job.events {
            let e = &s.event;
            if existing.contains(&e.id) || !seen.insert(e.id.as_str()) {
                r.duplicates += 1;
                continue;
            }
            r.stored += 1;
            let categories = e.categories.join(" ");
            let (prev, hash) = match heads.get(&e.site).filter(|_| e.action.is_decision()) {
                Some(prev) => {
                    let hash = RowContent::of(s, &categories).hash(prev);
                    (Some(prev.clone()), Some(hash))
                }
                None => (None, None),
            };
            if let Some(h) = &hash {
                heads.insert(e.site.clone(), h.clone());
                tips.insert(e.site.clone(), (cols.id.len(), day_of(s.server_ts)));
            }
            if let Some(b) = &e.banner {
                banners.entry(b.as_str()).or_insert(s);
            }
            rollups.add(&s.fact(&categories));
            cols.push(s, categories, prev, hash);
        }
        results.push(r);
    }
    let seqs: Vec<i64> = tx
        .query(
            "INSERT INTO events (event_id, site, action, consent_id, categories, revision, lang, path, device, client_ts, server_ts, banner, prev_hash, row_hash, consented)
             SELECT a, b, c, d, e, f, g, h, i, j, k, l, m, n, o FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::int8[], $11::int8[], $12::text[], $13::text[], $14::text[], $15::bool[])
                 WITH ORDINALITY AS u(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, ord)
             ORDER BY ord ON CONFLICT (event_id) DO NOTHING RETURNING seq",
            &[
                &cols.id,
                &cols.site,
                &cols.action,
                &cols.consent,
                &cols.categories,
                &cols.revision,
                &cols.lang,
                &cols.path,
                &cols.device,
                &cols.client_ts,
                &cols.server_ts,
                &cols.banner,
                &cols.prev,
                &cols.hash,
                &cols.consented,
            ],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if seqs.len() != cols.id.len() {
        // Another instance stored one of these ids meanwhile: roll back and write the
        // group again (`write_retrying`), which then counts it as a duplicate.
        return Err(StoreError::Conflict);
    }
    let mut sorted = seqs;
    sorted.sort_unstable();
    for (site, (row, day)) in &tips {
        // RETURNING order is not promised; sequence values follow insertion order.
        let seq = sorted.get(*row).copied().unwrap_or_default();
        let hash = cols.hash[*row].clone().unwrap_or_default();
        tx.execute("UPDATE chain_heads SET seq = $2, row_hash = $3 WHERE site = $1", &[site, &seq, &hash]).await?;
        tx.execute(
            "INSERT INTO chain_checkpoints (site, day, seq, row_hash) VALUES ($1, $2, $3, $4)
             ON CONFLICT (site, day) DO UPDATE SET seq = EXCLUDED.seq, row_hash = EXCLUDED.row_hash",
            &[site, day, &seq, &hash],
        )
        .await?;
    }
    for (hash, s) in banners {
        let e = &s.event;
        tx.execute(
            "INSERT INTO banner_versions (hash, site, lang, revision, content, first_seen) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (hash) DO UPDATE SET content = EXCLUDED.content WHERE banner_versions.content IS NULL AND EXCLUDED.content IS NOT NULL",
            &[&hash, &e.site, &e.lang, &e.revision, &s.banner_content.as_deref(), &(s.server_ts as i64)],
        )
        .await?;
    }
    super::postgres_rollup::write_rollups(&tx, &rollups).await?;
    tx.commit().await?;
    Ok(results)
}

/// A group's rows as one array per column, for a single multi-row insert.
#[derive(Default)]
struct Columns {
    id: Vec<String>,
    site: Vec<String>,
    action: Vec<&'static str>,
    consent: Vec<Option<String>>,
    categories: Vec<String>,
    revision: Vec<String>,
    lang: Vec<String>,
    path: Vec<String>,
    device: Vec<&'static str>,
    client_ts: Vec<i64>,
    server_ts: Vec<i64>,
    banner: Vec<Option<String>>,
    prev: Vec<Option<String>>,
    hash: Vec<Option<String>>,
    consented: Vec<bool>,
}

impl Columns {
    fn push(&mut self, s: &StoredEvent, categories: String, prev: Option<String>, hash: Option<String>) {
        let e = &s.event;
        self.id.push(e.id.clone());
        self.site.push(e.site.clone());
        self.action.push(e.action.as_str());
        self.consent.push(e.consent_id.clone());
        self.categories.push(categories);
        self.revision.push(e.revision.clone());
        self.lang.push(e.lang.clone());
        self.path.push(e.path.clone());
        self.device.push(s.device);
        self.client_ts.push(e.client_ts as i64);
        self.server_ts.push(s.server_ts as i64);
        self.banner.push(e.banner.clone());
        self.prev.push(prev);
        self.hash.push(hash);
        self.consented.push(s.consented);
    }
}
