//! The last cookie scan per site.

use super::PgStore;
use crate::store::{Result, ScanRow};

impl PgStore {
    pub async fn save_scan(&self, scan: ScanRow) -> Result<()> {
        self.reader()
            .await?
            .execute(
                &format!(
                    "INSERT INTO scan_reports ({}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (site) DO UPDATE SET scanned_at = EXCLUDED.scanned_at, pages = EXCLUDED.pages, violations = EXCLUDED.violations,
                 undeclared = EXCLUDED.undeclared, stale = EXCLUDED.stale, report = EXCLUDED.report",
                    ScanRow::COLUMNS
                ),
                &[&scan.site, &scan.scanned_at, &scan.pages, &scan.violations, &scan.undeclared, &scan.stale, &scan.report],
            )
            .await?;
        Ok(())
    }

    pub async fn last_scan(&self, site: &str) -> Result<Option<ScanRow>> {
        let sql = format!("SELECT {} FROM scan_reports WHERE site = $1", ScanRow::COLUMNS);
        let row = self.reader().await?.query_opt(&sql, &[&site]).await?;
        Ok(row.as_ref().map(ScanRow::read).transpose()?)
    }
}
