//! The per-site hash chain over decisions: each row stores the previous row's
//! hash and its own, `sha256(prev_hash "\n" content)`, where content is the
//! row's stored fields in a fixed order.

use sha2::{Digest, Sha256};

/// The `prev_hash` of a site's first decision.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields a row hash covers, as stored.
pub struct RowContent<'a> {
    pub event_id: &'a str,
    pub site: &'a str,
    pub action: &'a str,
    pub consent_id: &'a str,
    pub categories: &'a str,
    pub revision: &'a str,
    pub banner: &'a str,
    pub lang: &'a str,
    pub path: &'a str,
    pub device: &'a str,
    pub client_ts: i64,
    pub server_ts: i64,
    /// A `[tcf]` site's TC and AC strings ("" elsewhere): hashed after the
    /// rest only when present, so rows without them hash as they always did.
    pub tc_string: &'a str,
    pub addtl_consent: &'a str,
    /// The visitor's country ("" when no trusted proxy said): hashed last, tagged,
    /// only when present, for the same reason.
    pub region: &'a str,
    /// The A/B variant ("" when none): likewise.
    pub variant: &'a str,
}

impl RowContent<'_> {
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        h.update(prev_hash.as_bytes());
        for field in [self.event_id, self.site, self.action, self.consent_id, self.categories, self.revision, self.banner, self.lang, self.path, self.device] {
            h.update(b"\n");
            h.update(field.as_bytes());
        }
        h.update(format!("\n{}\n{}", self.client_ts, self.server_ts).as_bytes());
        if !self.tc_string.is_empty() || !self.addtl_consent.is_empty() {
            for field in [self.tc_string, self.addtl_consent] {
                h.update(b"\n");
                h.update(field.as_bytes());
            }
        }
        if !self.region.is_empty() {
            h.update(b"\nregion=");
            h.update(self.region.as_bytes());
        }
        if !self.variant.is_empty() {
            h.update(b"\nvariant=");
            h.update(self.variant.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// The day number (UTC) of a server timestamp, for checkpoints.
pub fn day_of(server_ts_ms: u64) -> i64 {
    (server_ts_ms / 86_400_000) as i64
}

/// One stored decision as verification reads it.
pub struct ChainRow {
    pub seq: i64,
    pub event_id: String,
    pub prev_hash: String,
    pub row_hash: String,
    /// The hash recomputed from the stored fields.
    pub recomputed: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every link holds; `count` decisions, ending at `head`.
    Intact { count: u64, head: String },
    /// The first broken link and why.
    Broken { seq: i64, event_id: String, reason: &'static str },
}

/// Walks a site's decisions in `seq` order. The first row may start at the
/// genesis hash or at a checkpoint (older rows purged); the last row must be
/// the recorded head (so a deleted tail is caught too).
pub fn verify(rows: impl IntoIterator<Item = ChainRow>, checkpoints: &[String], head: Option<&str>) -> Verdict {
    let mut prev: Option<String> = None;
    let mut count = 0;
    let mut last = (0, String::new(), GENESIS.to_owned());
    for row in rows {
        let linked = match &prev {
            None => row.prev_hash == GENESIS || checkpoints.contains(&row.prev_hash),
            Some(p) => &row.prev_hash == p,
        };
        if !linked {
            return Verdict::Broken { seq: row.seq, event_id: row.event_id, reason: "prev_hash does not match the previous decision (a row was deleted or edited before it)" };
        }
        if row.recomputed != row.row_hash {
            return Verdict::Broken { seq: row.seq, event_id: row.event_id, reason: "the row's content does not match its hash (the row was edited)" };
        }
        prev = Some(row.row_hash.clone());
        last = (row.seq, row.event_id, row.row_hash);
        count += 1;
    }
    match head {
        Some(h) if h != last.2 => Verdict::Broken { seq: last.0, event_id: last.1, reason: "the chain head is missing: decisions after this one were deleted" },
        _ => Verdict::Intact { count, head: last.2 },
    }
}
