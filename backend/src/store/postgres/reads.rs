//! Reads for proof, export and verification: counts, a consent's history, a
//! page of decisions, the chain.

use std::collections::BTreeMap;

use super::PgStore;
use crate::chain::{verify, Verdict, GENESIS};
use crate::store::rows::{chain_row, CHAIN_COLUMNS};
use crate::store::{DecisionRow, HistoryRow, Result};

impl PgStore {
    pub async fn decisions(&self, site: &str, from: i64, to: i64, after_seq: i64, limit: usize) -> Result<Vec<DecisionRow>> {
        let sql = format!("SELECT {} FROM events WHERE site = $1 AND action != 'banner_shown' AND server_ts >= $2 AND server_ts < $3 AND seq > $4 ORDER BY seq LIMIT $5", DecisionRow::COLUMNS);
        let rows = self.reader().await?.query(&sql, &[&site, &from, &to, &after_seq, &(limit as i64)]).await?;
        Ok(rows.iter().map(DecisionRow::read).collect::<Result<_, _>>()?)
    }

    pub async fn counts_by_action(&self, site: &str) -> Result<BTreeMap<String, u64>> {
        let rows = self.reader().await?.query("SELECT action, COUNT(*) FROM events WHERE site = $1 GROUP BY action", &[&site]).await?;
        Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64)).collect())
    }

    pub async fn consent_history(&self, consent_id: &str) -> Result<Vec<HistoryRow>> {
        let sql = format!("SELECT {} FROM events e LEFT JOIN banner_versions b ON b.hash = e.banner WHERE e.consent_id = $1 ORDER BY e.seq", HistoryRow::COLUMNS);
        let rows = self.reader().await?.query(&sql, &[&consent_id]).await?;
        Ok(rows.iter().map(HistoryRow::read).collect::<Result<_, _>>()?)
    }

    pub async fn verify_chain(&self, site: &str) -> Result<Verdict> {
        let reader = self.reader().await?;
        let head: Option<String> = reader.query_opt("SELECT row_hash FROM chain_heads WHERE site = $1", &[&site]).await?.map(|r| r.get(0));
        let checkpoints: Vec<String> =
            reader.query("SELECT row_hash FROM chain_checkpoints WHERE site = $1 UNION SELECT row_hash FROM chain_anchors WHERE site = $1", &[&site]).await?.iter().map(|r| r.get(0)).collect();
        let sql = format!("SELECT {CHAIN_COLUMNS} FROM events WHERE site = $1 AND action != 'banner_shown' ORDER BY seq");
        let chain = reader.query(&sql, &[&site]).await?.iter().map(chain_row).collect::<Result<Vec<_>, _>>()?;
        // A head still at genesis means no decision was ever appended.
        let head = head.filter(|h| h != GENESIS);
        Ok(verify(chain, &checkpoints, head.as_deref()))
    }
}
