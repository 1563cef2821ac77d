//! The server's clock: what time it is, in milliseconds since the Unix epoch.
//! Handlers read it from `AppState::clock`, so a test can fix it and move it
//! (periods, session expiry, which day an event counts on) instead of waiting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The system's time, or a fixed time that only moves when told (tests).
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicU64>>);

impl Clock {
    /// The system's time (the default).
    pub fn system() -> Clock {
        Clock(None)
    }

    /// Always `ms`, until [`Clock::advance`].
    pub fn fixed(ms: u64) -> Clock {
        Clock(Some(Arc::new(AtomicU64::new(ms))))
    }

    pub fn now_ms(&self) -> u64 {
        match &self.0 {
            Some(fixed) => fixed.load(Ordering::Relaxed),
            None => now_ms(),
        }
    }

    /// Moves a fixed clock on by `ms` (the system's clock moves by itself).
    pub fn advance(&self, ms: u64) {
        if let Some(fixed) = &self.0 {
            fixed.fetch_add(ms, Ordering::Relaxed);
        }
    }
}

/// The system's time.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
