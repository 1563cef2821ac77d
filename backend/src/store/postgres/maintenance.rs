//! Retention: what is older than the site's retention goes, each chain keeping an anchor.

use super::PgStore;
use crate::store::{Purged, Result, Retention};

impl PgStore {
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
