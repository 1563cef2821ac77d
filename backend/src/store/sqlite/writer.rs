//! The SQLite writer thread: group commit (every queued request in one
//! transaction), the hash chain extended in the same transaction. Being the
//! only writer, it keeps each site's chain head and the banner versions it has
//! stored in memory, and writes heads and checkpoints once per group.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::Receiver;

use rusqlite::{params, Connection, OptionalExtension};

use crate::chain::{day_of, GENESIS};
use crate::rollup::{Rollups, MAX_VALUES_PER_DAY, OTHER};
use crate::store::{gather, reply_all, Job, Stored, StoredEvent, WriterStats};

#[derive(Default)]
struct Memory {
    heads: HashMap<String, String>,
    banners: HashSet<String>,
}

pub(super) fn run(mut conn: Connection, rx: Receiver<Job>, stats: &WriterStats) {
    let mut memory = Memory::default();
    while let Ok(first) = rx.recv() {
        let jobs = gather(first, || rx.try_recv().ok(), stats);
        let started = std::time::Instant::now();
        let written = write_group(&mut conn, &jobs, &mut memory);
        stats.committed(jobs.len(), started.elapsed());
        if written.is_err() {
            // What was cached may not have been committed.
            memory = Memory::default();
        }
        stats.banners_remembered.store(memory.banners.len() as u64, std::sync::atomic::Ordering::Relaxed);
        reply_all(jobs, written);
    }
}

/// A banner version's row: the first sighting wins, but content missing then is
/// filled in when it becomes known.
pub(super) const BANNER_UPSERT: &str = "INSERT INTO banner_versions (hash, site, lang, revision, content, first_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (hash) DO UPDATE SET content = excluded.content WHERE banner_versions.content IS NULL AND excluded.content IS NOT NULL";

fn write_group(conn: &mut Connection, jobs: &[Job], memory: &mut Memory) -> rusqlite::Result<Vec<Stored>> {
    // IMMEDIATE: the write lock is taken at BEGIN, so a transaction that starts
    // with a read cannot fail with SQLITE_BUSY_SNAPSHOT against a concurrent purge.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(jobs.len());
    // The newest link per site in this group: (seq, hash, day).
    let mut tips: HashMap<String, (i64, String, i64)> = HashMap::new();
    let mut new_banners = Vec::new();
    let mut rollups = Rollups::default();
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO events (event_id, site, action, consent_id, categories, revision, lang, path, device, client_ts, server_ts, banner, prev_hash, row_hash, consented, tc_string, addtl_consent, region, variant)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        )?;
        let mut version = tx.prepare_cached(BANNER_UPSERT)?;
        for job in jobs {
            let mut r = Stored::default();
            for s in &job.events {
                let e = &s.event;
                let categories = e.categories.join(" ");
                let (prev, hash) = if e.action.is_decision() {
                    let prev = match tips.get(&e.site) {
                        Some((_, h, _)) => h.clone(),
                        None => head(&tx, &mut memory.heads, &e.site)?,
                    };
                    let hash = s.row_content(&categories).hash(&prev);
                    (Some(prev), Some(hash))
                } else {
                    (None, None)
                };
                let n = insert_event(&mut insert, s, &categories, prev, hash.as_deref())?;
                if n == 0 {
                    r.duplicates += 1;
                    continue;
                }
                r.stored += 1;
                rollups.add(&s.fact(&categories));
                if let Some(hash) = hash {
                    tips.insert(e.site.clone(), (tx.last_insert_rowid(), hash, day_of(s.server_ts)));
                }
                new_banners.extend(upsert_banner(&mut version, s, memory)?);
            }
            results.push(r);
        }
    }
    advance_chain_heads(&tx, &tips)?;
    write_rollups(&tx, &rollups)?;
    tx.commit()?;
    for (site, (_, hash, _)) in tips {
        memory.heads.insert(site, hash);
    }
    memory.banners.extend(new_banners);
    Ok(results)
}

/// Stores the banner version `s` names, unless it is remembered as stored; returns
/// it when its content is known, to be remembered once committed. Only those are
/// remembered: an unknown hash (a client's, or a newer build's) grows no memory,
/// and its content is filled in once a server that knows it sees it.
fn upsert_banner(version: &mut rusqlite::CachedStatement<'_>, s: &StoredEvent, memory: &Memory) -> rusqlite::Result<Option<String>> {
    let e = &s.event;
    let Some(b) = e.banner.as_ref().filter(|b| !memory.banners.contains(*b)) else { return Ok(None) };
    version.execute(params![b, e.site, e.lang, e.revision, s.banner_content.as_deref(), s.server_ts as i64])?;
    Ok(s.banner_content.is_some().then(|| b.clone()))
}

/// Inserts one event (nothing when its id is stored already); returns the rows inserted.
fn insert_event(insert: &mut rusqlite::CachedStatement<'_>, s: &StoredEvent, categories: &str, prev: Option<String>, hash: Option<&str>) -> rusqlite::Result<usize> {
    let e = &s.event;
    insert.execute(params![
        e.id,
        e.site,
        e.action.as_str(),
        e.consent_id,
        categories,
        e.revision,
        e.lang,
        e.path,
        s.device,
        e.client_ts as i64,
        s.server_ts as i64,
        e.banner,
        prev,
        hash,
        s.consented,
        e.tc_string,
        e.addtl_consent,
        s.region,
        e.variant
    ])
}

/// Moves each site's chain head (and that day's checkpoint) to its newest link: `(seq, hash, day)`.
fn advance_chain_heads(tx: &rusqlite::Transaction<'_>, tips: &HashMap<String, (i64, String, i64)>) -> rusqlite::Result<()> {
    let mut set_head = tx.prepare_cached("INSERT OR REPLACE INTO chain_heads (site, seq, row_hash) VALUES (?1, ?2, ?3)")?;
    let mut checkpoint = tx.prepare_cached("INSERT OR REPLACE INTO chain_checkpoints (site, day, seq, row_hash) VALUES (?1, ?2, ?3, ?4)")?;
    for (site, (seq, hash, day)) in tips {
        set_head.execute(params![site, seq, hash])?;
        checkpoint.execute(params![site, day, seq, hash])?;
    }
    Ok(())
}

/// Adds `r` to the rollup tables.
pub(super) fn write_rollups(tx: &rusqlite::Transaction<'_>, r: &Rollups) -> rusqlite::Result<()> {
    let mut hourly = tx.prepare_cached("INSERT INTO rollup_hourly (site, hour, measure, n) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site, hour, measure) DO UPDATE SET n = n + excluded.n")?;
    for ((site, hour, measure), n) in &r.hourly {
        hourly.execute(params![site, hour, measure, n])?;
    }
    let mut category = tx.prepare_cached("INSERT INTO rollup_daily_category (site, day, category, n) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site, day, category) DO UPDATE SET n = n + excluded.n")?;
    for ((site, day, cat), n) in &r.category {
        category.execute(params![site, day, cat, n])?;
    }
    // A value not yet seen that day goes under OTHER once the day has MAX_VALUES_PER_DAY.
    let mut dim = tx.prepare_cached(
        "INSERT INTO rollup_daily_dim (site, day, dim, value, measure, n)
         SELECT ?1, ?2, ?3,
                CASE WHEN EXISTS (SELECT 1 FROM rollup_daily_dim WHERE site = ?1 AND day = ?2 AND dim = ?3 AND value = ?4)
                       OR (SELECT COUNT(DISTINCT value) FROM rollup_daily_dim WHERE site = ?1 AND day = ?2 AND dim = ?3) < ?7
                     THEN ?4 ELSE ?8 END,
                ?5, ?6
         WHERE true
         ON CONFLICT (site, day, dim, value, measure) DO UPDATE SET n = n + excluded.n",
    )?;
    for ((site, day, d, value, measure), n) in &r.dim {
        dim.execute(params![site, day, d, value, measure, n, MAX_VALUES_PER_DAY, OTHER])?;
    }
    Ok(())
}

/// A site's chain head: from memory, else from the database, else genesis.
fn head(tx: &rusqlite::Transaction<'_>, heads: &mut HashMap<String, String>, site: &str) -> rusqlite::Result<String> {
    if let Some(h) = heads.get(site) {
        return Ok(h.clone());
    }
    let stored: Option<String> = tx.query_row("SELECT row_hash FROM chain_heads WHERE site = ?1", [site], |r| r.get(0)).optional()?;
    let h = stored.unwrap_or_else(|| GENESIS.to_owned());
    heads.insert(site.to_owned(), h.clone());
    Ok(h)
}
