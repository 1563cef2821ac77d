//! The last cookie scan per site.

use super::PgStore;
use crate::store::{Result, ScanRow};

impl PgStore {
    pub async fn save_scan(&self, scan: ScanRow) -> Result<()> {
        self.reader()
            .await?
            .execute(
                "INSERT INTO scan_reports (site, scanned_at, pages, violations, undeclared, stale, report) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (site) DO UPDATE SET scanned_at = EXCLUDED.scanned_at, pages = EXCLUDED.pages, violations = EXCLUDED.violations,
                 undeclared = EXCLUDED.undeclared, stale = EXCLUDED.stale, report = EXCLUDED.report",
                &[&scan.site, &scan.scanned_at, &scan.pages, &scan.violations, &scan.undeclared, &scan.stale, &scan.report],
            )
            .await?;
        Ok(())
    }

    pub async fn last_scan(&self, site: &str) -> Result<Option<ScanRow>> {
        let row = self.reader().await?.query_opt("SELECT site, scanned_at, pages, violations, undeclared, stale, report FROM scan_reports WHERE site = $1", &[&site]).await?;
        Ok(row.map(|r| ScanRow { site: r.get(0), scanned_at: r.get(1), pages: r.get(2), violations: r.get(3), undeclared: r.get(4), stale: r.get(5), report: r.get(6) }))
    }
}
