//! The widget's cookie I/O: reading the consent cookie, writing lines, and
//! deleting the cookies of the services the visitor refused.

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

use consent_wire::choice::covers;

use super::Widget;
use crate::cookie::{self, Consent};
use crate::cookie_cleanup;

impl Widget {
    pub(super) fn cookie_header(&self) -> String {
        self.doc.dyn_ref::<HtmlDocument>().and_then(|d| d.cookie().ok()).unwrap_or_default()
    }

    pub(super) fn set_cookie(&self, line: &str) {
        if let Some(d) = self.doc.dyn_ref::<HtmlDocument>() {
            let _ = d.set_cookie(line);
        }
    }

    /// The decision in the cookie, if it decodes (current or not).
    pub(super) fn stored_consent(&self) -> Option<Consent> {
        let header = self.cookie_header();
        Consent::decode(cookie::find(&header, &self.config.cookie_name)?).ok()
    }

    /// Deletes the cookies of every service `accepted` does not cover, but not
    /// a name a service that is accepted declares too.
    pub(super) fn delete_refused_cookies(&self, accepted: &[String]) {
        let host = self.window.location().hostname().unwrap_or_default();
        let header = self.cookie_header();
        let services = || self.config.categories.iter().flat_map(|c| c.services.iter().map(move |s| (covers(accepted, &c.id, Some(&s.id)), s)));
        let kept: Vec<String> = services().filter(|(ok, _)| *ok).flat_map(|(_, s)| s.cookies.iter().cloned()).collect();
        for (_, svc) in services().filter(|(ok, _)| !*ok) {
            for name in cookie_cleanup::matching(&header, &svc.cookies) {
                if !kept.iter().any(|k| consent_wire::cookie_name::matches(k, name)) {
                    for line in cookie_cleanup::expiry_lines(name, &host) {
                        self.set_cookie(&line);
                    }
                }
            }
        }
    }
}
