//! The page's own ways in: `#privacy[/section]` in the URL, and clicks on
//! `[data-consent-policy]`, `[data-consent-open]` and placeholder buttons.

use alloc::rc::Rc;
use alloc::string::String;

use consent_wire::Action;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::Widget;
use crate::gating;
use crate::listener::Listener;
use crate::policy_viewer::{self, Viewer};

impl Widget {
    /// Page-wide requests: `#privacy[/section]` in the URL, and clicks on
    /// `[data-consent-policy]`, `[data-consent-open]` and placeholder buttons.
    pub(super) fn listen_to_page(self: &Rc<Self>) {
        let me = self.clone();
        let check_hash = move || {
            let hash = me.window.location().hash().unwrap_or_default();
            if let Some(section) = policy_viewer::parse_fragment(&hash) {
                me.show_policy(section, true);
            }
        };
        check_hash();
        Listener::new(self.window.as_ref(), "hashchange", move |_| check_hash()).forever();
        let me = self.clone();
        Listener::new(self.doc.as_ref(), "click", move |e| {
            let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let near = |sel: &str| target.closest(sel).ok().flatten();
            if let Some(el) = near("[data-consent-policy]") {
                e.prevent_default();
                me.show_policy(el.get_attribute("data-consent-policy").filter(|s| !s.is_empty()), false);
            } else if near("[data-consent-open]").is_some() {
                e.prevent_default();
                me.show_banner(true);
            } else if let Some(cat) = near("[data-consent-load]").filter(|p| me.gate.is_placeholder(p)).and_then(|p| p.get_attribute(gating::LOAD_ATTR)) {
                let mut cats = me.accepted();
                cats.extend(me.config.required_ids());
                cats.push(cat);
                me.decide(Action::Custom, cats);
            }
        })
        .forever();
    }

    pub(crate) fn show_policy(&self, section: Option<String>, from_fragment: bool) {
        let existing = self.viewer.borrow().clone();
        let viewer = match existing {
            Some(v) => v,
            None => {
                let Some(v) = Viewer::create(&self.window, &self.doc, &self.config) else { return };
                *self.viewer.borrow_mut() = Some(v.clone());
                v
            }
        };
        viewer.open(section, from_fragment);
    }
}
