//! The rows the store hands out whole (a visitor's history, the decisions an
//! export lists, the chain's links), each read from either store by the one
//! mapping here: the SELECT list and `read` go together.

use crate::chain::{ChainRow, RowContent};

/// A result row of either store, read by column index.
pub(super) trait Columns {
    type Error;
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;
}

impl Columns for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        self.get(i)
    }
}

impl Columns for tokio_postgres::Row {
    type Error = tokio_postgres::Error;
    fn text(&self, i: usize) -> Result<String, tokio_postgres::Error> {
        self.try_get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, tokio_postgres::Error> {
        self.try_get(i)
    }
    fn int(&self, i: usize) -> Result<i64, tokio_postgres::Error> {
        self.try_get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, tokio_postgres::Error> {
        self.try_get(i)
    }
}

/// One decision in a visitor's history, with the banner version it was made on.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HistoryRow {
    pub event_id: String,
    pub site: String,
    pub action: String,
    pub categories: Vec<String>,
    pub revision: String,
    pub lang: String,
    pub path: String,
    pub server_ts: i64,
    pub client_ts: i64,
    pub banner: Option<String>,
    /// The canonical banner document (JSON text), when known.
    #[serde(skip)]
    pub banner_content: Option<String>,
    pub banner_first_seen: Option<i64>,
    pub row_hash: Option<String>,
    /// A `[tcf]` site's TC string and Additional Consent string for this decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tc_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addtl_consent: Option<String>,
    /// The visitor's country, when a trusted proxy said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The A/B variant this impression showed or this decision answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl HistoryRow {
    /// Over `events e LEFT JOIN banner_versions b ON b.hash = e.banner`.
    pub(super) const COLUMNS: &'static str =
        "e.event_id, e.site, e.action, e.categories, e.revision, e.lang, e.path, e.server_ts, e.client_ts, e.banner, b.content, b.first_seen, e.row_hash, e.tc_string, e.addtl_consent, e.region, e.variant";

    pub(super) fn read<R: Columns>(r: &R) -> Result<HistoryRow, R::Error> {
        Ok(HistoryRow {
            event_id: r.text(0)?,
            site: r.text(1)?,
            action: r.text(2)?,
            categories: r.text(3)?.split(' ').filter(|c| !c.is_empty()).map(String::from).collect(),
            revision: r.text(4)?,
            lang: r.text(5)?,
            path: r.text(6)?,
            server_ts: r.int(7)?,
            client_ts: r.int(8)?,
            banner: r.opt_text(9)?,
            banner_content: r.opt_text(10)?,
            banner_first_seen: r.opt_int(11)?,
            row_hash: r.opt_text(12)?,
            tc_string: r.opt_text(13)?,
            addtl_consent: r.opt_text(14)?,
            region: r.opt_text(15)?,
            variant: r.opt_text(16)?,
        })
    }
}

/// One decision as the exports list it. `seq` orders a site's decisions and
/// pages through them; the rest are the CSV's columns, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    pub seq: i64,
    pub server_ts: i64,
    pub client_ts: i64,
    pub event_id: String,
    pub consent_id: String,
    pub action: String,
    pub categories: String,
    pub revision: String,
    pub banner: String,
    pub lang: String,
    pub path: String,
    pub device: String,
    /// The visitor's country as a trusted proxy said ("" when none did).
    pub region: String,
    /// The A/B variant the decision answered ("" when none).
    pub variant: String,
    pub row_hash: String,
}

impl DecisionRow {
    /// The SELECT list both stores read a `DecisionRow` from, in field order.
    pub(super) const COLUMNS: &'static str =
        "seq, server_ts, client_ts, event_id, COALESCE(consent_id, ''), action, categories, revision, COALESCE(banner, ''), lang, path, device, COALESCE(region, ''), COALESCE(variant, ''), COALESCE(row_hash, '')";

    pub(super) fn read<R: Columns>(r: &R) -> Result<DecisionRow, R::Error> {
        Ok(DecisionRow {
            seq: r.int(0)?,
            server_ts: r.int(1)?,
            client_ts: r.int(2)?,
            event_id: r.text(3)?,
            consent_id: r.text(4)?,
            action: r.text(5)?,
            categories: r.text(6)?,
            revision: r.text(7)?,
            banner: r.text(8)?,
            lang: r.text(9)?,
            path: r.text(10)?,
            device: r.text(11)?,
            region: r.text(12)?,
            variant: r.text(13)?,
            row_hash: r.text(14)?,
        })
    }

    /// The names of the CSV's columns.
    pub const HEADER: [&'static str; 14] =
        ["server_time_ms", "client_time_ms", "event_id", "consent_id", "action", "categories", "revision", "banner", "lang", "path", "device", "region", "variant", "row_hash"];

    /// The CSV's cells, in [`DecisionRow::HEADER`]'s order.
    pub fn cells(&self) -> [std::borrow::Cow<'_, str>; 14] {
        [
            self.server_ts.to_string().into(),
            self.client_ts.to_string().into(),
            self.event_id.as_str().into(),
            self.consent_id.as_str().into(),
            self.action.as_str().into(),
            self.categories.as_str().into(),
            self.revision.as_str().into(),
            self.banner.as_str().into(),
            self.lang.as_str().into(),
            self.path.as_str().into(),
            self.device.as_str().into(),
            self.region.as_str().into(),
            self.variant.as_str().into(),
            self.row_hash.as_str().into(),
        ]
    }
}

/// The chain check's view of a decision: what it stored, read back and hashed again.
pub(super) const CHAIN_COLUMNS: &str = "seq, COALESCE(event_id, ''), COALESCE(site, ''), COALESCE(action, ''), COALESCE(consent_id, ''), COALESCE(categories, ''), COALESCE(revision, ''),
     COALESCE(banner, ''), COALESCE(lang, ''), COALESCE(path, ''), COALESCE(device, ''), client_ts, server_ts, COALESCE(prev_hash, ''), COALESCE(row_hash, ''),
     COALESCE(tc_string, ''), COALESCE(addtl_consent, ''), COALESCE(region, ''), COALESCE(variant, '')";

pub(super) fn chain_row<R: Columns>(r: &R) -> Result<ChainRow, R::Error> {
    let [event_id, site, action, consent_id, categories, revision, banner, lang, path, device, tc_string, addtl_consent, region, variant] =
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 18].map(|i| r.text(i));
    let (event_id, prev_hash) = (event_id?, r.text(13)?);
    let content = RowContent {
        event_id: &event_id,
        site: &site?,
        action: &action?,
        consent_id: &consent_id?,
        categories: &categories?,
        revision: &revision?,
        banner: &banner?,
        lang: &lang?,
        path: &path?,
        device: &device?,
        client_ts: r.int(11)?,
        server_ts: r.int(12)?,
        tc_string: &tc_string?,
        addtl_consent: &addtl_consent?,
        region: &region?,
        variant: &variant?,
    };
    let recomputed = content.hash(&prev_hash);
    Ok(ChainRow { seq: r.int(0)?, recomputed, event_id, prev_hash, row_hash: r.text(14)? })
}

/// A site's last cookie scan: the counts the dashboard lists, and the report
/// as JSON (`crate::scan::report::Report`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanRow {
    pub site: String,
    /// Milliseconds since the Unix epoch.
    pub scanned_at: i64,
    pub pages: i64,
    pub violations: i64,
    pub undeclared: i64,
    pub stale: i64,
    pub report: String,
}

impl ScanRow {
    pub(super) const COLUMNS: &'static str = "site, scanned_at, pages, violations, undeclared, stale, report";

    pub(super) fn read<R: Columns>(r: &R) -> Result<ScanRow, R::Error> {
        Ok(ScanRow { site: r.text(0)?, scanned_at: r.int(1)?, pages: r.int(2)?, violations: r.int(3)?, undeclared: r.int(4)?, stale: r.int(5)?, report: r.text(6)? })
    }
}
