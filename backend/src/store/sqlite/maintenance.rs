//! Maintenance outside the writer's group commits: rebuilding the rollups from
//! the raw events, and the retention purge in chunks.

use rusqlite::{params, Connection};

use super::{open_conn, writer, SqliteStore};
use crate::rollup::{Fact, Rollups};
use crate::store::{Purged, Result, Retention};

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
                let mut stmt =
                    tx.prepare("SELECT site, server_ts, action, categories, consented, lang, device, path, revision, COALESCE(banner, ''), COALESCE(region, ''), COALESCE(variant, '') FROM events")?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    let t = |i| row.get::<_, String>(i);
                    let (site, action, cats, lang, device, path, rev, banner, region, variant) = (t(0)?, t(2)?, t(3)?, t(5)?, t(6)?, t(7)?, t(8)?, t(9)?, t(10)?, t(11)?);
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
                        region: &region,
                        variant: &variant,
                    });
                }
            }
            writer::write_rollups(&tx, &r)?;
            tx.commit()?;
            Ok(())
        })
        .await?
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
