//! Reads for proof, export and verification: counts, a consent's history, a
//! page of decisions, the chain.

use std::collections::BTreeMap;

use super::PgStore;
use crate::chain::{verify, ChainRow, RowContent, Verdict, GENESIS};
use crate::store::{DecisionRow, HistoryRow, Result};

impl PgStore {
    pub async fn decisions(&self, site: &str, from: i64, to: i64, after_seq: i64, limit: usize) -> Result<Vec<DecisionRow>> {
        let sql = format!("SELECT {} FROM events WHERE site = $1 AND action != 'banner_shown' AND server_ts >= $2 AND server_ts < $3 AND seq > $4 ORDER BY seq LIMIT $5", DecisionRow::COLUMNS);
        let rows = self.reader().await?.query(&sql, &[&site, &from, &to, &after_seq, &(limit as i64)]).await?;
        rows.iter()
            .map(|r| {
                Ok(DecisionRow {
                    seq: r.try_get(0)?,
                    server_ts: r.try_get(1)?,
                    client_ts: r.try_get(2)?,
                    event_id: r.try_get(3)?,
                    consent_id: r.try_get(4)?,
                    action: r.try_get(5)?,
                    categories: r.try_get(6)?,
                    revision: r.try_get(7)?,
                    banner: r.try_get(8)?,
                    lang: r.try_get(9)?,
                    path: r.try_get(10)?,
                    device: r.try_get(11)?,
                    row_hash: r.try_get(12)?,
                })
            })
            .collect()
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
}
