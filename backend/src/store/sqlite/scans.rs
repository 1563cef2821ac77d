//! The last cookie scan per site.

use rusqlite::{params, OptionalExtension};

use super::{open_conn, SqliteStore};
use crate::store::{Result, ScanRow};

impl SqliteStore {
    pub async fn save_scan(&self, scan: ScanRow) -> Result<()> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = open_conn(&path)?;
            conn.execute(
                "INSERT INTO scan_reports (site, scanned_at, pages, violations, undeclared, stale, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (site) DO UPDATE SET scanned_at = excluded.scanned_at, pages = excluded.pages, violations = excluded.violations,
                 undeclared = excluded.undeclared, stale = excluded.stale, report = excluded.report",
                params![scan.site, scan.scanned_at, scan.pages, scan.violations, scan.undeclared, scan.stale, scan.report],
            )?;
            Ok(())
        })
        .await?
    }

    pub async fn last_scan(&self, site: &str) -> Result<Option<ScanRow>> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT site, scanned_at, pages, violations, undeclared, stale, report FROM scan_reports WHERE site = ?1")?;
            stmt.query_row([&site], |r| Ok(ScanRow { site: r.get(0)?, scanned_at: r.get(1)?, pages: r.get(2)?, violations: r.get(3)?, undeclared: r.get(4)?, stale: r.get(5)?, report: r.get(6)? }))
                .optional()
        })
        .await
    }
}
