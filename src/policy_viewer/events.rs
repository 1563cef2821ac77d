//! What the visitor does inside the viewer: buttons, contents links, copy-link,
//! search typing, Escape, Tab kept inside the dialog, scrolling.

use alloc::rc::Rc;
use alloc::string::String;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, EventTarget, HtmlElement, KeyboardEvent};

use super::{Viewer, FRAGMENT};

const FOCUSABLE: &str = "button:not([disabled]),a[href],input,[tabindex]:not([tabindex=\"-1\"])";

impl Viewer {
    pub(super) fn listen(self: &Rc<Self>) {
        let me = self.clone();
        on(self.root.as_ref(), "click", move |e| me.on_click(&e));
        let me = self.clone();
        on(self.root.as_ref(), "keydown", move |e| {
            if let Some(k) = e.dyn_ref::<KeyboardEvent>() {
                me.on_key(k);
            }
        });
        let me = self.clone();
        on(self.search.as_ref(), "input", move |_| me.render_article());
        let me = self.clone();
        on(self.article.as_ref(), "scroll", move |_| me.spy());
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
            "Tab" => self.trap_tab(k),
            _ => {}
        }
    }

    /// Keeps keyboard focus inside the dialog while it is open.
    fn trap_tab(&self, k: &KeyboardEvent) {
        let Ok(list) = self.root.query_selector_all(FOCUSABLE) else { return };
        let n = list.length();
        if n == 0 {
            return;
        }
        let first = list.item(0);
        let last = list.item(n - 1);
        let active = self.root.active_element();
        let at_edge = |edge: &Option<web_sys::Node>| match (edge, &active) {
            (Some(e), Some(a)) => e.is_same_node(Some(a.as_ref())),
            (_, None) => true,
            _ => false,
        };
        let wrap_to = if k.shift_key() && at_edge(&first) {
            last
        } else if !k.shift_key() && at_edge(&last) {
            first
        } else {
            return;
        };
        if let Some(el) = wrap_to.and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
            k.prevent_default();
            let _ = el.focus();
        }
    }
}

/// Adds a listener that lives as long as the page.
pub fn on(target: &EventTarget, name: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
    cb.forget();
}

/// The focused element, looking inside shadow roots (the banner's buttons).
pub fn deep_active(doc: &Document) -> Option<HtmlElement> {
    let mut el = doc.active_element()?;
    while let Some(inner) = el.shadow_root().and_then(|r| r.active_element()) {
        el = inner;
    }
    el.dyn_into().ok()
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
