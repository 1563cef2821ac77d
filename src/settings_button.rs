//! The persistent "cookie settings" button: after a decision it stays on the
//! page, so changing one's mind (withdrawing) is as easy as deciding.

use alloc::vec::Vec;

use js_sys::Array;
use web_sys::{CssStyleSheet, Document, Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::element::child;
use crate::listener::Listener;

const CSS: &str = ":host{all:initial!important;display:block!important}\
button{position:fixed;z-index:2147483646;left:16px;bottom:16px;min-height:40px;padding:8px 14px;border-radius:20px;\
border:1px solid #d0d5dc;background:#fff;color:#0b57d0;font:600 14px/1.2 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;\
box-shadow:0 2px 10px rgba(0,0,0,.15);cursor:pointer}\
button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}\
@media (prefers-color-scheme:dark){button{background:#1e2227;color:#8ab4f8;border-color:#3b424b}}\
@media print{button{display:none}}";
pub const HOST_TAG: &str = "consent-settings";

pub struct SettingsButton {
    host: Element,
    pub root: ShadowRoot,
    /// Removed with the button.
    listeners: Vec<Listener>,
}

impl SettingsButton {
    pub fn show(doc: &Document, label: &str) -> Option<SettingsButton> {
        let host = doc.create_element(HOST_TAG).ok()?;
        let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?;
        let sheet = CssStyleSheet::new().ok()?;
        sheet.replace_sync(CSS).ok()?;
        root.set_adopted_style_sheets(&Array::of1(&sheet));
        let b = child(doc, &root, "button", "", Some(label))?;
        b.set_attribute("type", "button").ok()?;
        b.set_attribute("data-act", "settings").ok()?;
        b.set_attribute("aria-haspopup", "dialog").ok()?;
        doc.body()?.append_child(&host).ok()?;
        Some(SettingsButton { host, root, listeners: Vec::new() })
    }

    /// Keeps `listener` until the button is dropped.
    pub fn hold(&mut self, listener: Listener) {
        self.listeners.push(listener);
    }

    pub fn remove(&self) {
        self.host.remove();
    }
}
