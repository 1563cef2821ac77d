//! The first layer the visitor sees: title, text, policy link and three equal
//! choices, in a shadow root so the site's CSS cannot reach it. "Preferences"
//! unfolds the category choices in place.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Document, Element, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::config::Config;
use crate::element::{child, is_safe_href};

const CSS: &str = include_str!("banner.css");
/// The tag of the host element; a custom-element name cannot clash with the site's.
pub const HOST_TAG: &str = "consent-banner";

pub struct Banner {
    host: Element,
    root: ShadowRoot,
}

/// What a click in the banner asks for (`data-act` on the buttons).
pub enum Act {
    AcceptAll,
    RejectAll,
    Preferences,
    Save,
    Policy,
    Settings,
}

impl Banner {
    /// `ticked`: the categories shown ticked in the preferences (the current
    /// choice when reopened). `gpc`: the browser sent Global Privacy Control.
    /// `record`: the visitor's consent id, shown in the preferences with a link to
    /// what the backend recorded for it.
    pub fn show(doc: &Document, config: &Config, ticked: &[String], gpc: bool, record: Option<&str>) -> Option<Banner> {
        let host = doc.create_element(HOST_TAG).ok()?;
        let init = ShadowRootInit::new(ShadowRootMode::Open);
        let root = host.attach_shadow(&init).ok()?;
        let sheet = CssStyleSheet::new().ok()?;
        sheet.replace_sync(CSS).ok()?;
        root.set_adopted_style_sheets(&Array::of1(&sheet));

        let t = |k: &str| config.text(k);
        let card = child(doc, &root, "div", &config.card_class, None)?;
        card.set_attribute("role", "dialog").ok()?;
        card.set_attribute("aria-modal", "false").ok()?;
        card.set_attribute("aria-labelledby", "cc-title").ok()?;
        card.set_attribute("aria-describedby", "cc-desc").ok()?;
        card.set_attribute("lang", &config.lang).ok()?;
        child(doc, &card, "h2", "", Some(&t("title")))?.set_id("cc-title");
        let desc = child(doc, &card, "p", "", Some(&t("description")))?;
        desc.set_id("cc-desc");
        desc.append_with_str_1(" ").ok()?;
        if is_safe_href(&config.policy_url) {
            let link = child(doc, &desc, "a", "", Some(&t("policy_link")))?;
            link.set_attribute("href", &config.policy_url).ok()?;
            link.set_attribute("data-act", "policy").ok()?;
        }

        if gpc {
            child(doc, &card, "p", "gpc", Some(&t("gpc_note")))?;
        }
        let prefs = child(doc, &card, "ul", "prefs", None)?;
        prefs.set_attribute("hidden", "").ok()?;
        prefs.set_attribute("aria-label", &t("preferences_title")).ok()?;
        for cat in &config.categories {
            let li = child(doc, &prefs, "li", "", None)?;
            let label = child(doc, &li, "label", "", None)?;
            let input = child(doc, &label, "input", "", None)?;
            input.set_attribute("type", "checkbox").ok()?;
            input.set_attribute("data-cat", &cat.id).ok()?;
            if cat.required || ticked.contains(&cat.id) {
                input.set_attribute("checked", "").ok()?;
            }
            if cat.required {
                input.set_attribute("disabled", "").ok()?;
            }
            label.append_with_str_1(&cat.title).ok()?;
            let note = if cat.required { t("always_on") + " · " + &cat.description } else { cat.description.clone() };
            child(doc, &li, "small", "", Some(&note))?;
            if !cat.table.is_empty() {
                cookie_table(doc, &li, &cat.table, &t)?;
            }
        }

        if let Some(id) = record {
            let p = child(doc, &card, "p", "rec", Some(&(t("consent_id") + ": " + id + " · ")))?;
            p.set_attribute("data-prefs", "").ok()?;
            p.set_attribute("hidden", "").ok()?;
            let a = child(doc, &p, "a", "", Some(&t("consent_record")))?;
            let base = config.endpoint.strip_suffix("events").unwrap_or("/api/v1/");
            a.set_attribute("href", &(String::from(base) + "consents/" + id)).ok()?;
            a.set_attribute("target", "_blank").ok()?;
            a.set_attribute("rel", "noopener").ok()?;
        }
        let row = child(doc, &card, "div", "row", None)?;
        for (act, key, class) in [("accept", "accept_all", ""), ("reject", "reject_all", ""), ("prefs", "preferences", "alt"), ("save", "save", "alt")] {
            let b = child(doc, &row, "button", class, Some(&t(key)))?;
            b.set_attribute("type", "button").ok()?;
            b.set_attribute("data-act", act).ok()?;
            if act == "save" {
                b.set_attribute("hidden", "").ok()?;
            }
        }
        // First in the body: keyboard users reach it first; fixed, so nothing shifts.
        doc.body()?.prepend_with_node_1(&host).ok()?;
        Some(Banner { host, root })
    }

    /// The element the click listener goes on.
    pub fn root(&self) -> &ShadowRoot {
        &self.root
    }

    /// Unfolds the category choices and swaps "Preferences" for "Save choices".
    pub fn open_preferences(&self) {
        for sel in ["ul.prefs", "button[data-act=save]", "p[data-prefs]"] {
            if let Ok(Some(el)) = self.root.query_selector(sel) {
                let _ = el.remove_attribute("hidden");
            }
        }
        if let Ok(Some(el)) = self.root.query_selector("button[data-act=prefs]") {
            let _ = el.set_attribute("hidden", "");
        }
        if let Ok(Some(card)) = self.root.query_selector(".cc") {
            let _ = card.set_attribute("aria-modal", "true");
        }
        if let Ok(Some(first)) = self.root.query_selector("input:not([disabled])") {
            if let Some(el) = first.dyn_ref::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    }

    /// Folds the category choices away again (back to the first layer).
    pub fn close_preferences(&self) {
        for sel in ["ul.prefs", "button[data-act=save]", "p[data-prefs]"] {
            if let Ok(Some(el)) = self.root.query_selector(sel) {
                let _ = el.set_attribute("hidden", "");
            }
        }
        if let Ok(Some(el)) = self.root.query_selector("button[data-act=prefs]") {
            let _ = el.remove_attribute("hidden");
        }
        if let Ok(Some(card)) = self.root.query_selector(".cc") {
            let _ = card.set_attribute("aria-modal", "false");
        }
    }

    pub fn host(&self) -> &Element {
        &self.host
    }

    /// The categories ticked in the preferences list (required ones included).
    pub fn chosen(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(list) = self.root.query_selector_all("input[data-cat]") {
            for i in 0..list.length() {
                let Some(input) = list.item(i).and_then(|n| n.dyn_into::<HtmlInputElement>().ok()) else { continue };
                if input.checked() {
                    out.extend(input.get_attribute("data-cat"));
                }
            }
        }
        out
    }

    pub fn remove(&self) {
        self.host.remove();
    }
}

/// An expandable table of a category's cookies.
fn cookie_table(doc: &Document, parent: &Element, rows: &[[String; 4]], t: &dyn Fn(&str) -> String) -> Option<()> {
    let details = child(doc, parent, "details", "", None)?;
    let mut label = t("services") + " (";
    consent_wire::json::push_radix(&mut label, rows.len() as u64, 10);
    label.push(')');
    child(doc, &details, "summary", "", Some(&label))?;
    let table = child(doc, &details, "table", "", None)?;
    let head = child(doc, &table, "thead", "", None).and_then(|h| child(doc, &h, "tr", "", None))?;
    for key in ["cookie_name", "cookie_provider", "cookie_purpose", "cookie_duration"] {
        child(doc, &head, "th", "", Some(&t(key)))?.set_attribute("scope", "col").ok()?;
    }
    let body = child(doc, &table, "tbody", "", None)?;
    for row in rows {
        let tr = child(doc, &body, "tr", "", None)?;
        for cell in row {
            child(doc, &tr, "td", "", Some(cell))?;
        }
    }
    Some(())
}

impl Act {
    /// The action a click asks for: the `data-act` of the nearest button, if any.
    pub fn from_event(event: &web_sys::Event) -> Option<Act> {
        let target: Element = event.target()?.dyn_into().ok()?;
        let act = target.closest("[data-act]").ok()??.get_attribute("data-act")?;
        match act.as_str() {
            "accept" => Some(Act::AcceptAll),
            "reject" => Some(Act::RejectAll),
            "prefs" => Some(Act::Preferences),
            "save" => Some(Act::Save),
            "policy" => Some(Act::Policy),
            "settings" => Some(Act::Settings),
            _ => None,
        }
    }
}
