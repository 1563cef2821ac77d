//! Reads on the readers' pool: counts, the dashboard's rollups, a consent's
//! history, a page of decisions, the chain.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::chain::{verify, Verdict};
use crate::rollup::{Dimension, Measure, Rollups};
use crate::store::rows::{chain_row, CHAIN_COLUMNS};
use crate::store::{DecisionRow, HistoryRow, Result};

impl SqliteStore {
    pub async fn counts_by_action(&self, site: &str) -> Result<BTreeMap<String, u64>> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT action, COUNT(*) FROM events WHERE site = ?1 GROUP BY action")?;
            let rows = stmt.query_map([&site], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
            rows.collect()
        })
        .await
    }

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
}
