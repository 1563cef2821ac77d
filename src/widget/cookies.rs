//! The widget's cookie I/O: reading the consent cookie, writing lines, and
//! deleting the cookies of categories the visitor refused.

use alloc::string::String;

use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

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

    pub(super) fn delete_refused_cookies(&self, accepted: &[String]) {
        let host = self.window.location().hostname().unwrap_or_default();
        let header = self.cookie_header();
        for cat in self.config.categories.iter().filter(|c| !accepted.contains(&c.id)) {
            for name in cookie_cleanup::matching(&header, &cat.cookies) {
                for line in cookie_cleanup::expiry_lines(name, &host) {
                    self.set_cookie(&line);
                }
            }
        }
    }
}
