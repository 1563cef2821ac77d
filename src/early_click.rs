//! The first layer's button a visitor clicked before the full widget arrived,
//! named by its `data-act` (the loader passes it on; `first_layer/src/skeleton.rs`
//! writes the same names).

/// Which of the first layer's buttons was clicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyClick {
    Accept,
    Reject,
    Preferences,
    Policy,
}

impl EarlyClick {
    /// The click a `data-act` names; `None` for anything else.
    pub fn from_act(act: &str) -> Option<EarlyClick> {
        match act {
            "accept" => Some(EarlyClick::Accept),
            "reject" => Some(EarlyClick::Reject),
            "prefs" => Some(EarlyClick::Preferences),
            "policy" => Some(EarlyClick::Policy),
            _ => None,
        }
    }

    /// Accept and reject are decisions the first layer stored already.
    pub fn stored(self) -> bool {
        matches!(self, EarlyClick::Accept | EarlyClick::Reject)
    }
}
