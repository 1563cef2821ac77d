//! The writer task: group commit of queued inserts, chain links, banner
//! versions and rollups in one transaction, reconnecting across restarts.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Transaction};

use super::connect;
use crate::chain::{day_of, GENESIS};
use crate::rollup::Rollups;
use crate::store::{gather, reply_all, Job, Result, StoreError, Stored, StoredEvent, WriterStats};

pub(super) async fn writer_loop(url: Arc<str>, client: Client, mut rx: mpsc::Receiver<Job>, stats: Arc<WriterStats>) {
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
    let heads = lock_chain_heads(&tx, jobs).await?;
    // Retries already stored (by any instance) and repeats within this group are skipped
    // before the chain is extended, so every chained row is really inserted. Read after
    // the heads are locked: another instance's decisions for these sites are committed.
    let ids: Vec<&str> = jobs.iter().flat_map(|j| j.events.iter()).map(|s| s.event.id.as_str()).collect();
    let existing: HashSet<String> = tx.query("SELECT event_id FROM events WHERE event_id = ANY($1)", &[&ids]).await?.iter().map(|r| r.get(0)).collect();
    let group = Group::plan(jobs, &existing, heads);
    let seqs = insert_events(&tx, &group.cols).await?;
    if seqs.len() != group.cols.id.len() {
        // Another instance stored one of these ids meanwhile: roll back and write the
        // group again (`write_retrying`), which then counts it as a duplicate.
        return Err(StoreError::Conflict);
    }
    advance_chain_heads(&tx, &group, seqs).await?;
    for (hash, s) in &group.banners {
        let e = &s.event;
        tx.execute(
            "INSERT INTO banner_versions (hash, site, lang, revision, content, first_seen) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (hash) DO UPDATE SET content = EXCLUDED.content WHERE banner_versions.content IS NULL AND EXCLUDED.content IS NOT NULL",
            &[hash, &e.site, &e.lang, &e.revision, &s.banner_content.as_deref(), &(s.server_ts as i64)],
        )
        .await?;
    }
    super::rollup::write_rollups(&tx, &group.rollups).await?;
    tx.commit().await?;
    Ok(group.results)
}

/// Locks the chain heads of every site this group appends to, in one order, so
/// two instances cannot deadlock; returns each one's hash.
async fn lock_chain_heads(tx: &Transaction<'_>, jobs: &[Job]) -> Result<BTreeMap<String, String>> {
    let mut sites: Vec<&str> = jobs.iter().flat_map(|j| j.events.iter()).filter(|s| s.event.action.is_decision()).map(|s| s.event.site.as_str()).collect();
    sites.sort_unstable();
    sites.dedup();
    let mut heads = BTreeMap::new();
    for site in sites {
        tx.execute("INSERT INTO chain_heads (site, seq, row_hash) VALUES ($1, 0, $2) ON CONFLICT (site) DO NOTHING", &[&site, &GENESIS]).await?;
        let row = tx.query_one("SELECT row_hash FROM chain_heads WHERE site = $1 FOR UPDATE", &[&site]).await?;
        heads.insert(site.to_owned(), row.get(0));
    }
    Ok(heads)
}

/// What a group writes: its new rows (chained), each job's counts, each site's
/// new chain tip, the banner versions it names and its rollups.
struct Group<'a> {
    cols: Columns,
    results: Vec<Stored>,
    /// Site → (row index, day) of its last chained row.
    tips: BTreeMap<String, (usize, i64)>,
    banners: BTreeMap<&'a str, &'a StoredEvent>,
    rollups: Rollups,
}

impl<'a> Group<'a> {
    fn plan(jobs: &'a [Job], existing: &HashSet<String>, mut heads: BTreeMap<String, String>) -> Group<'a> {
        let mut g = Group { cols: Columns::default(), results: Vec::with_capacity(jobs.len()), tips: BTreeMap::new(), banners: BTreeMap::new(), rollups: Rollups::default() };
        let mut seen: HashSet<&str> = HashSet::new();
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
                let prev = heads.get(&e.site).filter(|_| e.action.is_decision()).cloned();
                let hash = prev.as_ref().map(|prev| s.row_content(&categories).hash(prev));
                if let Some(h) = &hash {
                    heads.insert(e.site.clone(), h.clone());
                    g.tips.insert(e.site.clone(), (g.cols.id.len(), day_of(s.server_ts)));
                }
                if let Some(b) = &e.banner {
                    g.banners.entry(b.as_str()).or_insert(s);
                }
                g.rollups.add(&s.fact(&categories));
                g.cols.push(s, categories, prev, hash);
            }
            g.results.push(r);
        }
        g
    }
}

/// Inserts the rows in one statement; returns the sequence numbers of those inserted.
async fn insert_events(tx: &Transaction<'_>, cols: &Columns) -> Result<Vec<i64>> {
    let rows = tx
        .query(
            "INSERT INTO events (event_id, site, action, consent_id, categories, revision, lang, path, device, client_ts, server_ts, banner, prev_hash, row_hash, consented, tc_string, addtl_consent, region, variant)
             SELECT a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::int8[], $11::int8[], $12::text[], $13::text[], $14::text[], $15::bool[], $16::text[], $17::text[], $18::text[], $19::text[])
                 WITH ORDINALITY AS u(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, ord)
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
                &cols.tc_string,
                &cols.addtl_consent,
                &cols.region,
                &cols.variant,
            ],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Moves each site's chain head (and today's checkpoint) to its new tip.
async fn advance_chain_heads(tx: &Transaction<'_>, group: &Group<'_>, mut seqs: Vec<i64>) -> Result<()> {
    // RETURNING order is not promised; sequence values follow insertion order.
    seqs.sort_unstable();
    for (site, (row, day)) in &group.tips {
        let seq = seqs.get(*row).copied().unwrap_or_default();
        let hash = group.cols.hash[*row].clone().unwrap_or_default();
        tx.execute("UPDATE chain_heads SET seq = $2, row_hash = $3 WHERE site = $1", &[site, &seq, &hash]).await?;
        tx.execute(
            "INSERT INTO chain_checkpoints (site, day, seq, row_hash) VALUES ($1, $2, $3, $4)
             ON CONFLICT (site, day) DO UPDATE SET seq = EXCLUDED.seq, row_hash = EXCLUDED.row_hash",
            &[site, day, &seq, &hash],
        )
        .await?;
    }
    Ok(())
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
    tc_string: Vec<Option<String>>,
    addtl_consent: Vec<Option<String>>,
    region: Vec<Option<String>>,
    variant: Vec<Option<String>>,
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
        self.tc_string.push(e.tc_string.clone());
        self.addtl_consent.push(e.addtl_consent.clone());
        self.region.push(s.region.clone());
        self.variant.push(e.variant.clone());
    }
}
