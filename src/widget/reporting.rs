//! What the widget tells others: the page (DOM events) and the server
//! (events through the outbox), including a decision an earlier page left unreported.

use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::{Action, Event};

use super::Widget;
use crate::consent_id::new_id;
use crate::early_click::EarlyClick;
use crate::events;

impl Widget {
    pub(super) fn announce(&self, name: &str, accepted: &[String]) {
        let rejected = crate::consent_rules::refused(self.config.shapes(), accepted);
        events::dispatch(&self.doc, name, accepted, &rejected);
    }

    /// A click on the first layer's "Accept all" or "Reject all" stored the decision
    /// on an earlier page, which was left before the full widget recorded it: it is
    /// recorded now (shown, then decided, with that page's path), if it is still the
    /// current decision. `replayed`: this page's start has recorded it already.
    pub(super) fn report_unreported(&self, replayed: bool) {
        let Some((act, path)) = self.outbox.take_unreported() else { return };
        if replayed {
            return;
        }
        let action = match EarlyClick::from_act(&act) {
            Some(EarlyClick::Accept) => Action::AcceptAll,
            Some(EarlyClick::Reject) => Action::RejectAll,
            _ => return,
        };
        let Some(consent) = self.consent.borrow().clone() else { return };
        let path = if path.starts_with('/') { path } else { self.window.location().pathname().unwrap_or_default() };
        // Shown on another page, whose variant is not known here: counted for none.
        self.post_from(path.clone(), Action::BannerShown, None, Vec::new(), None);
        self.post_from(path, action, Some(consent.id), consent.categories, None);
    }

    /// `first`: a decision answering the first layer (no decision stood before it):
    /// it, like the impression, names the A/B variant this page drew.
    pub(super) fn post(&self, action: Action, consent_id: Option<String>, categories: Vec<String>, first: bool) {
        let variant = (first || action == Action::BannerShown).then(|| self.config.variant.clone()).flatten();
        self.post_from(self.window.location().pathname().unwrap_or_default(), action, consent_id, categories, variant);
    }

    pub(super) fn post_from(&self, path: String, action: Action, consent_id: Option<String>, categories: Vec<String>, variant: Option<String>) {
        let Some(id) = new_id() else { return };
        // A decision's record carries the TCF strings the CMP stored for it.
        let (tc_string, addtl_consent) = match self.framework.as_ref().filter(|_| action.is_decision()).and_then(|f| f.strings()) {
            Some((tc, ac)) => (Some(tc), Some(ac)),
            None => (None, None),
        };
        let event = Event {
            id,
            site: self.config.site.clone(),
            action,
            consent_id,
            categories,
            revision: self.config.revision.clone(),
            banner: Some(self.config.banner_version.clone()),
            lang: self.config.lang.clone(),
            // What the server stores: shortened, so the event always fits.
            path: consent_wire::path::normalise(&path),
            client_ts: js_sys::Date::now() as u64,
            tc_string,
            addtl_consent,
            variant,
        };
        self.outbox.send(event.to_json());
    }
}
