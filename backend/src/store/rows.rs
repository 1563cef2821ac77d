//! The rows the store hands out whole: a visitor's history and the decisions
//! an export lists.

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
    pub row_hash: String,
}

impl DecisionRow {
    /// The SELECT list both stores read a `DecisionRow` from, in field order.
    pub(super) const COLUMNS: &'static str =
        "seq, server_ts, client_ts, event_id, COALESCE(consent_id, ''), action, categories, revision, COALESCE(banner, ''), lang, path, device, COALESCE(row_hash, '')";

    /// The names of the CSV's columns.
    pub const HEADER: [&'static str; 12] = ["server_time_ms", "client_time_ms", "event_id", "consent_id", "action", "categories", "revision", "banner", "lang", "path", "device", "row_hash"];

    /// The CSV's cells, in [`DecisionRow::HEADER`]'s order.
    pub fn cells(&self) -> [std::borrow::Cow<'_, str>; 12] {
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
            self.row_hash.as_str().into(),
        ]
    }
}
