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
                &format!(
                    "INSERT INTO scan_reports ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (site) DO UPDATE SET scanned_at = excluded.scanned_at, pages = excluded.pages, violations = excluded.violations,
                 undeclared = excluded.undeclared, stale = excluded.stale, report = excluded.report",
                    ScanRow::COLUMNS
                ),
                params![scan.site, scan.scanned_at, scan.pages, scan.violations, scan.undeclared, scan.stale, scan.report],
            )?;
            Ok(())
        })
        .await?
    }

    pub async fn last_scan(&self, site: &str) -> Result<Option<ScanRow>> {
        let site = site.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!("SELECT {} FROM scan_reports WHERE site = ?1", ScanRow::COLUMNS))?;
            stmt.query_row([&site], |r| ScanRow::read(r)).optional()
        })
        .await
    }
}
