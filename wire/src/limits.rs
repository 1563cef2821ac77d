//! What one `POST /api/v1/events` may carry: the server refuses more, and the
//! widget's outbox never sends more (it cuts its batches to fit).

/// Largest accepted body, in bytes.
pub const MAX_BODY: usize = 8 * 1024;
/// Most events in one request.
pub const MAX_BATCH: usize = 10;
