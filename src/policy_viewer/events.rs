//! What the visitor does inside the viewer: buttons, contents links, copy-link,
//! search typing, Escape, Tab kept inside the dialog, scrolling.

use alloc::rc::Rc;
use alloc::string::String;

use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

use super::{Viewer, FRAGMENT};
use crate::listener::Listener;

impl Viewer {
    pub(super) fn listen(self: &Rc<Self>) {
        let me = self.clone();
        Listener::new(self.root.as_ref(), "click", move |e| me.on_click(&e)).forever();
        let me = self.clone();
        Listener::new(self.root.as_ref(), "keydown", move |e| {
            if let Some(k) = e.dyn_ref::<KeyboardEvent>() {
                me.on_key(k);
            }
        })
        .forever();
        let me = self.clone();
        Listener::new(self.search.as_ref(), "input", move |_| me.render_article()).forever();
        let me = self.clone();
        Listener::new(self.article.as_ref(), "scroll", move |_| me.spy()).forever();
    }

    fn on_click(&self, e: &web_sys::Event) {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if let Some(sec) = target.closest("[data-sec]").ok().flatten().and_then(|a| a.get_attribute("data-sec")) {
            e.prevent_default();
            self.goto(Some(&sec));
            return;
        }
        if let Some(b) = target.closest("[data-copy]").ok().flatten() {
            let sec = b.get_attribute("data-copy").unwrap_or_default();
            self.goto(Some(&sec));
            let _ = self.window.navigator().clipboard().write_text(&self.window.location().href().unwrap_or_default());
            b.set_text_content(Some("✓"));
            return;
        }
        match target.closest("[data-act]").ok().flatten().and_then(|b| b.get_attribute("data-act")).as_deref() {
            Some("close") => self.close(),
            Some("print") => {
                let _ = self.window.print();
            }
            Some("next") => self.step(true),
            Some("prev") => self.step(false),
            _ => {}
        }
    }

    fn on_key(&self, k: &KeyboardEvent) {
        match k.key().as_str() {
            "Escape" => {
                k.prevent_default();
                self.close();
            }
            "Enter" if k.target().is_some_and(|t| t.dyn_ref::<web_sys::HtmlInputElement>().is_some()) => {
                k.prevent_default();
                self.step(!k.shift_key());
            }
            "Tab" => crate::modal::trap_tab(&self.root, k),
            _ => {}
        }
    }
}

/// `#privacy` → `Some(None)`, `#privacy/1.7` → `Some(Some("1.7"))`, anything else → `None`.
pub fn parse_fragment(hash: &str) -> Option<Option<String>> {
    let rest = hash.strip_prefix(FRAGMENT)?;
    match rest.strip_prefix('/') {
        Some(sec) if !sec.is_empty() && sec.bytes().all(|b| b.is_ascii_digit() || b == b'.') => Some(Some(String::from(sec))),
        Some(_) => Some(None),
        None if rest.is_empty() => Some(None),
        None => None,
    }
}
