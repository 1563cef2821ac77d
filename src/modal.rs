//! Modal behaviour shared by the preferences and the policy viewer: the page
//! behind made `inert`, Tab kept inside, focus given back where it was.

use alloc::vec::Vec;
use core::cell::RefCell;

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, KeyboardEvent, ShadowRoot};

const FOCUSABLE: &str = "button:not([disabled]):not([hidden]),a[href],input:not([disabled]),[tabindex]:not([tabindex=\"-1\"])";

#[derive(Default)]
pub struct Modal {
    inerted: RefCell<Vec<Element>>,
    return_focus: RefCell<Option<HtmlElement>>,
}

impl Modal {
    pub fn is_active(&self) -> bool {
        self.return_focus.borrow().is_some() || !self.inerted.borrow().is_empty()
    }

    /// Remembers the focus and makes every other child of `<body>` inert.
    pub fn enter(&self, doc: &Document, keep: Option<&Element>) {
        if self.is_active() {
            return;
        }
        *self.return_focus.borrow_mut() = deep_active(doc);
        let Some(body) = doc.body() else { return };
        let kids = body.children();
        let mut list = self.inerted.borrow_mut();
        for i in 0..kids.length() {
            let Some(el) = kids.item(i) else { continue };
            if el.has_attribute("inert") || keep.is_some_and(|k| k.is_same_node(Some(el.as_ref()))) {
                continue;
            }
            let _ = el.set_attribute("inert", "");
            list.push(el);
        }
    }

    /// Gives the page back and returns focus to where it was.
    pub fn leave(&self) {
        for el in self.inerted.borrow_mut().drain(..) {
            let _ = el.remove_attribute("inert");
        }
        if let Some(el) = self.return_focus.borrow_mut().take() {
            let _ = el.focus();
        }
    }
}

/// Keeps Tab and Shift+Tab cycling inside `root`.
pub fn trap_tab(root: &ShadowRoot, k: &KeyboardEvent) {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else { return };
    let n = list.length();
    if n == 0 {
        return;
    }
    let first = list.item(0);
    let last = list.item(n - 1);
    let active = root.active_element();
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

/// The focused element, looking inside shadow roots (the banner's buttons).
pub fn deep_active(doc: &Document) -> Option<HtmlElement> {
    let mut el = doc.active_element()?;
    while let Some(inner) = el.shadow_root().and_then(|r| r.active_element()) {
        el = inner;
    }
    el.dyn_into().ok()
}
