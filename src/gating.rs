//! Content that waits for consent. `<script type="text/plain" data-category="…">`
//! stays inert until its category is accepted (with `data-service="…"`, as well
//! as or instead of the category: until that service is), then runs as a fresh script with
//! the same attributes and the page's nonce. `<iframe data-category="…" data-src="…">`
//! gets a placeholder with a "load this content" button until then. Elements added
//! later (single-page apps) are caught by a MutationObserver. On pages that
//! enforce Trusted Types, scripts go through the widget's own policy.
//!
//! Not everything that looks gated is the site's: a visitor's comment inserted
//! with `innerHTML` can carry `data-category` or `data-consent-load` too. So a
//! script added after the widget started runs only when it carries the page's
//! nonce (the one on the loader's tag) or the site opted in
//! (`trust_late_scripts`); and only placeholders the widget made itself record
//! consent when clicked.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::OnceCell;

use js_sys::{Array, Object, Reflect, WeakSet};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, HtmlScriptElement, MutationObserver, MutationObserverInit};

use consent_wire::choice::covers_entry;

use crate::element::child;

const SCRIPTS: &str = "script[type=\"text/plain\"]:is([data-category],[data-service])";
const FRAMES: &str = "iframe:is([data-category],[data-service])[data-src]";
/// The attribute that marks a placeholder and names the entry (category, or
/// `category/service`) its button accepts.
pub const LOAD_ATTR: &str = "data-consent-load";

/// On pages that enforce Trusted Types, a policy of ours ("consent-widget")
/// through which the site's own inert scripts are re-created; `None` elsewhere.
pub fn trusted_types_policy(window: &web_sys::Window) -> Option<JsValue> {
    let factory = Reflect::get(window, &"trustedTypes".into()).ok().filter(|f| f.is_object())?;
    let create: js_sys::Function = Reflect::get(&factory, &"createPolicy".into()).ok()?.dyn_into().ok()?;
    // The scripts are the page's own markup: passing them through unchanged is the point.
    let same = Closure::<dyn Fn(JsValue) -> JsValue>::new(|s: JsValue| s);
    let rules = js_sys::Object::new();
    let _ = Reflect::set(&rules, &"createScript".into(), same.as_ref());
    let _ = Reflect::set(&rules, &"createScriptURL".into(), same.as_ref());
    same.forget();
    create.call2(&factory, &"consent-widget".into(), &rules).ok()
}

/// Which gated elements the widget may act on, and how it runs scripts.
pub struct Gate {
    /// The inert scripts in the page when the widget started: the site's markup.
    markup: WeakSet,
    /// The placeholders the widget made.
    placeholders: WeakSet,
    /// The page's nonce, as the loader's tag carried it ("" when none).
    nonce: String,
    /// The site runs inert scripts added later without its nonce too.
    trust_late: bool,
    /// Filled on first use, so pages without gated scripts never see the widget
    /// ask for a Trusted Types policy.
    trusted_types: OnceCell<Option<JsValue>>,
}

impl Gate {
    /// Takes note of the inert scripts the page holds now.
    pub fn new(doc: &Document, nonce: String, trust_late: bool) -> Gate {
        let markup = WeakSet::new();
        for el in all(doc, SCRIPTS) {
            markup.add(&el);
        }
        Gate { markup, placeholders: WeakSet::new(), nonce, trust_late, trusted_types: OnceCell::new() }
    }

    /// May this inert script run once its category is accepted?
    fn may_run(&self, script: &HtmlScriptElement) -> bool {
        self.trust_late || self.markup.has(script) || (!self.nonce.is_empty() && script.nonce() == self.nonce)
    }

    /// Is `el` a placeholder the widget made (not one that merely looks like it)?
    pub fn is_placeholder(&self, el: &Element) -> bool {
        self.placeholders.has(el)
    }

    /// Runs the accepted scripts and loads the accepted embeds; puts placeholders
    /// before embeds still waiting. `entry_of`: what an element waits for (a
    /// category, or `category/service`; `None`: nothing it could ever get).
    pub fn activate(&self, doc: &Document, accepted: &[String], entry_of: &dyn Fn(&Element) -> Option<String>, load_label: &str) {
        let allowed = |el: &Element| entry_of(el).filter(|e| covers_entry(accepted, e));
        for el in all(doc, SCRIPTS) {
            if allowed(&el).is_none() {
                continue;
            }
            let Ok(old) = el.dyn_into::<HtmlScriptElement>() else { continue };
            if self.may_run(&old) {
                let policy = self.trusted_types.get_or_init(|| doc.default_view().and_then(|w| trusted_types_policy(&w)));
                run(doc, &old, policy.as_ref());
            }
        }
        for frame in all(doc, FRAMES) {
            let placeholder = frame.previous_element_sibling().filter(|p| self.is_placeholder(p));
            if allowed(&frame).is_some() {
                if let Some(src) = frame.get_attribute("data-src") {
                    let _ = frame.remove_attribute("data-src");
                    let _ = frame.remove_attribute("hidden");
                    let _ = frame.set_attribute("src", &src);
                }
                if let Some(p) = placeholder {
                    p.remove();
                }
            } else if let (None, Some(entry)) = (placeholder, entry_of(&frame)) {
                let _ = frame.set_attribute("hidden", "");
                if let Some(p) = placeholder_for(doc, &frame, &entry, load_label) {
                    self.placeholders.add(&p);
                }
            }
        }
    }
}

/// Re-runs `activate` whenever elements are added to the page.
pub fn observe(doc: &Document, on_added: impl Fn() + 'static) {
    let cb = Closure::<dyn FnMut(Array, MutationObserver)>::new(move |records: Array, _| {
        let added = records.iter().any(|r| r.dyn_into::<web_sys::MutationRecord>().is_ok_and(|r| r.added_nodes().length() > 0));
        if added {
            on_added();
        }
    });
    if let (Ok(obs), Some(root)) = (MutationObserver::new(cb.as_ref().unchecked_ref()), doc.document_element()) {
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        let _ = obs.observe_with_options(&root, &init);
    }
    cb.forget();
}

fn placeholder_for(doc: &Document, frame: &Element, entry: &str, label: &str) -> Option<Object> {
    let p = doc.create_element("div").ok()?;
    p.set_class_name("consent-placeholder");
    let _ = p.set_attribute(LOAD_ATTR, entry);
    if let Some(b) = child(doc, &p, "button", "", Some(label)) {
        let _ = b.set_attribute("type", "button");
    }
    let _ = frame.before_with_node_1(&p);
    Some(p.into())
}

fn all(doc: &Document, selector: &str) -> Vec<Element> {
    let Ok(list) = doc.query_selector_all(selector) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect()
}

fn run(doc: &Document, old: &HtmlScriptElement, policy: Option<&JsValue>) {
    let Ok(new) = doc.create_element("script") else { return };
    let names = old.get_attribute_names();
    for name in names.iter().filter_map(|n| n.as_string()) {
        if name == "type" || name == "data-src" || name == "nonce" || name == "src" {
            continue;
        }
        if let Some(v) = old.get_attribute(&name) {
            let _ = new.set_attribute(&name, &v);
        }
    }
    // The nonce attribute reads empty once the page has loaded; the property keeps it.
    if let Some(n) = new.dyn_ref::<HtmlElement>() {
        n.set_nonce(&old.nonce());
    }
    let (prop, value, make) = match old.get_attribute("data-src") {
        Some(src) => ("src", src, "createScriptURL"),
        None => ("text", old.text().unwrap_or_default(), "createScript"),
    };
    let value = match policy {
        Some(p) => trusted(p, make, &value),
        None => Some(JsValue::from_str(&value)),
    };
    match value {
        Some(v) if Reflect::set(&new, &prop.into(), &v).is_ok() => {
            let _ = old.replace_with_with_node_1(&new);
        }
        _ => {}
    }
}

/// `policy.createScript(value)` / `policy.createScriptURL(value)`.
fn trusted(policy: &JsValue, method: &str, value: &str) -> Option<JsValue> {
    let f: js_sys::Function = Reflect::get(policy, &method.into()).ok()?.dyn_into().ok()?;
    f.call1(policy, &JsValue::from_str(value)).ok()
}
