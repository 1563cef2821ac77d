//! The banner: the first layer the visitor sees (title, text, policy link and
//! three equal choices, in a shadow root so the site's CSS cannot reach it; its
//! tree is `consent_first_layer::skeleton`) and the category choices that
//! "Preferences" unfolds in place. When the first layer's own Wasm has already
//! put the banner on the page, the widget takes that one over instead of
//! drawing a second.

use alloc::string::String;
use alloc::vec::Vec;

use consent_first_layer::skeleton::{self, Dom, Look, Text, CSS, HOST_TAG};
use js_sys::Array;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Document, Element, HtmlInputElement, Node, ShadowRoot, ShadowRootInit, ShadowRootMode};

use consent_wire::choice::covers;

use crate::config::{Category, Config};
use crate::element::child;
use crate::listener::Listener;

/// Styles of the preferences only (the first layer's are `skeleton::CSS`).
const PREFERENCES_CSS: &str = include_str!("preferences.css");

pub struct Banner {
    host: Element,
    root: ShadowRoot,
    /// Removed with the banner (see [`Banner::hold`]).
    listeners: Vec<Listener>,
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
    /// Puts the first layer on the page, or takes over the one the first layer's
    /// own Wasm drew. `gpc`: the browser sent Global Privacy Control. The category
    /// choices are built when first unfolded (`open_preferences`): most visitors
    /// never open them, and building them here would make the full widget's start
    /// one long task on slow devices.
    pub fn show(doc: &Document, config: &Config, gpc: bool) -> Option<Banner> {
        let (host, root, adopted) = match first_layer(doc) {
            Some((host, root)) => {
                // A loader baked without the GPC note (the browser did not send
                // `Sec-GPC`, or a proxy dropped it) drew it empty: the note comes now.
                if let Ok(Some(note)) = root.query_selector("p.gpc") {
                    if note.text_content().unwrap_or_default().is_empty() {
                        note.set_text_content(Some(&config.text("gpc_note")));
                    }
                }
                (host, root, true)
            }
            None => {
                let host = doc.create_element(HOST_TAG).ok()?;
                let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?;
                root.set_adopted_style_sheets(&Array::of1(sheet(&(String::from(CSS) + &config.css))?.as_ref()));
                let look = Look { lang: &config.lang, layout: &config.layout, theme: &config.theme, policy_url: &config.policy_url, gpc, order: &config.order };
                skeleton::build(&mut WebDom { doc, config }, root.as_ref(), &look)?;
                (host, root, false)
            }
        };
        host.set_attribute(TAKEN_OVER, "").ok()?;
        // First in the body: keyboard users reach it first; fixed, so nothing shifts.
        if !adopted {
            doc.body()?.prepend_with_node_1(&host).ok()?;
        }
        Some(Banner { host, root, listeners: Vec::new() })
    }

    /// Builds the category choices (hidden) once. `ticked`: the categories shown
    /// ticked (the current choice when reopened). `record`: the visitor's consent
    /// id, shown with a link to what the backend recorded for it.
    fn build_preferences(&self, doc: &Document, config: &Config, ticked: &[String], record: Option<&str>) -> Option<()> {
        let root = &self.root;
        if root.query_selector("ul.prefs").ok()?.is_some() {
            return Some(());
        }
        let row = root.query_selector(".cc > .row").ok()??;
        let sheets = root.adopted_style_sheets();
        sheets.push(sheet(PREFERENCES_CSS)?.as_ref());
        root.set_adopted_style_sheets(&sheets);
        let t = |k: &str| config.text(k);
        let card = row.parent_node()?;
        let before = |el: Element| card.insert_before(&el, Some(&row)).ok().map(|_| el);
        let prefs = before(element(doc, "ul", "prefs")?)?;
        prefs.set_attribute("hidden", "").ok()?;
        prefs.set_attribute("aria-label", &t("preferences_title")).ok()?;
        for cat in &config.categories {
            category_choice(doc, &prefs, cat, ticked, &t)?;
        }

        if let Some(id) = record {
            let p = before(element(doc, "p", "rec")?)?;
            p.set_text_content(Some(&(t("consent_id") + ": " + id + " · ")));
            p.set_attribute("data-prefs", "").ok()?;
            p.set_attribute("hidden", "").ok()?;
            let a = child(doc, &p, "a", "", Some(&t("consent_record")))?;
            let base = config.endpoint.strip_suffix("events").unwrap_or("/api/v1/");
            a.set_attribute("href", &(String::from(base) + "consents/" + id)).ok()?;
            a.set_attribute("target", "_blank").ok()?;
            a.set_attribute("rel", "noopener").ok()?;
        }
        let save = child(doc, &row, "button", "alt", Some(&t("save")))?;
        for (name, value) in [("type", "button"), ("data-act", "save"), ("hidden", "")] {
            save.set_attribute(name, value).ok()?;
        }
        Some(())
    }

    /// The element the click listener goes on.
    pub fn root(&self) -> &ShadowRoot {
        &self.root
    }

    /// Unfolds the category choices (built on the first call: see `build_preferences`)
    /// and swaps "Preferences" for "Save choices".
    pub fn open_preferences(&self, doc: &Document, config: &Config, ticked: &[String], record: Option<&str>) {
        if self.build_preferences(doc, config, ticked, record).is_none() {
            return;
        }
        self.each_part(|el| {
            let _ = el.remove_attribute("hidden");
        });
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

    /// Each part of the preferences: the category choices, "Save choices", and
    /// whatever carries `data-prefs` (the consent record; a TCF site's layers).
    fn each_part(&self, f: impl Fn(&Element)) {
        let Ok(list) = self.root.query_selector_all("ul.prefs,button[data-act=save],[data-prefs]") else { return };
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                f(&el);
            }
        }
    }

    /// Folds the category choices away again (back to the first layer).
    pub fn close_preferences(&self) {
        self.each_part(|el| {
            let _ = el.set_attribute("hidden", "");
        });
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

    /// What is ticked in the preferences: whole categories (required ones
    /// included) and the services of a category ticked in part.
    pub fn chosen(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(list) = self.root.query_selector_all("input[data-cat],input[data-svc]") {
            for i in 0..list.length() {
                let Some(input) = list.item(i).and_then(|n| n.dyn_into::<HtmlInputElement>().ok()) else { continue };
                if input.checked() && !input.indeterminate() {
                    out.extend(input.get_attribute("data-cat").or_else(|| input.get_attribute("data-svc")));
                }
            }
        }
        out
    }

    /// After a click on a toggle: its category and services in step (`sync_toggles`).
    pub fn toggled(&self, event: &web_sys::Event) {
        if let Some(input) = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
            sync_toggles(&input);
        }
    }

    pub fn remove(&self) {
        self.host.remove();
    }

    /// Keeps `listener` until the banner is dropped.
    pub fn hold(&mut self, listener: Listener) {
        self.listeners.push(listener);
    }
}

/// Set on the host once the full widget has the banner: tests and sites can
/// tell the first layer's banner from the full widget's.
pub const TAKEN_OVER: &str = "data-taken-over";

/// The banner the first layer put on the page, if it is there and not yet
/// taken over: its host and shadow root.
fn first_layer(doc: &Document) -> Option<(Element, ShadowRoot)> {
    let host = doc.query_selector(HOST_TAG).ok()??;
    let root = host.shadow_root()?;
    root.query_selector(".cc > .row").ok()??;
    (!host.has_attribute(TAKEN_OVER)).then_some((host, root))
}

fn sheet(css: &str) -> Option<CssStyleSheet> {
    let sheet = CssStyleSheet::new().ok()?;
    sheet.replace_sync(css).ok()?;
    Some(sheet)
}

fn element(doc: &Document, tag: &str, class: &str) -> Option<Element> {
    let el = doc.create_element(tag).ok()?;
    el.set_class_name(class);
    Some(el)
}

/// The first layer's tree, drawn with web-sys (when the first layer's own Wasm
/// did not draw it: the banner reopened, or shown through the API).
struct WebDom<'a> {
    doc: &'a Document,
    config: &'a Config,
}

impl Dom for WebDom<'_> {
    type Node = Node;
    fn element(&mut self, parent: &Node, tag: &str) -> Option<Node> {
        let el = self.doc.create_element(tag).ok()?;
        parent.append_child(&el).ok()
    }
    fn attr(&mut self, node: &Node, name: &str, value: &str) {
        if let Some(el) = node.dyn_ref::<Element>() {
            let _ = el.set_attribute(name, value);
        }
    }
    fn class(&mut self, node: &Node, class: &str) {
        if let Some(el) = node.dyn_ref::<Element>() {
            let _ = el.class_list().add_1(class);
        }
    }
    fn text(&mut self, node: &Node, text: Text) {
        let s = match text {
            Text::Key(k) => self.config.text(k),
            Text::Lit(s) => String::from(s),
        };
        if let Some(el) = node.dyn_ref::<Element>() {
            let _ = el.append_with_str_1(&s);
        }
    }
}

/// One category's row in the preferences: its toggle, its description, and its
/// services unfolded, each with a toggle of its own and its cookies. `ticked`:
/// the stored entries (a category ticked whole, or services of it: then the
/// category shows "partly accepted", `indeterminate`).
fn category_choice(doc: &Document, prefs: &Element, cat: &Category, ticked: &[String], t: &dyn Fn(&str) -> String) -> Option<()> {
    let li = child(doc, prefs, "li", "", None)?;
    let input = toggle(doc, &li, &cat.title, ("data-cat", &cat.id), cat.required || ticked.contains(&cat.id), cat.required)?;
    let some = cat.services.iter().any(|s| covers(ticked, &cat.id, Some(&s.id)));
    if some && !ticked.contains(&cat.id) {
        input.dyn_ref::<HtmlInputElement>()?.set_indeterminate(true);
    }
    let note = if cat.required { t("always_on") + " · " + &cat.description } else { cat.description.clone() };
    child(doc, &li, "small", "", Some(&note))?;
    if cat.services.is_empty() {
        return Some(());
    }
    let details = child(doc, &li, "details", "", None)?;
    let mut label = t("services") + " (";
    consent_wire::digits::push_radix(&mut label, cat.services.len() as u64, 10);
    label.push(')');
    child(doc, &details, "summary", "", Some(&label))?;
    for svc in &cat.services {
        let entry = consent_wire::choice::service_entry(&cat.id, &svc.id);
        let div = child(doc, &details, "div", "svc", None)?;
        toggle(doc, &div, &(svc.name.clone() + " · " + &svc.provider), ("data-svc", &entry), cat.required || covers(ticked, &cat.id, Some(&svc.id)), cat.required)?;
        if !svc.table.is_empty() {
            cookie_table(doc, &div, &svc.table, t)?;
        }
    }
    Some(())
}

/// `<label><input type=checkbox name=value>text</label>` in `parent`.
fn toggle(doc: &Document, parent: &Element, text: &str, (name, value): (&str, &str), checked: bool, disabled: bool) -> Option<Element> {
    let label = child(doc, parent, "label", "", None)?;
    let input = child(doc, &label, "input", "", None)?;
    input.set_attribute("type", "checkbox").ok()?;
    input.set_attribute(name, value).ok()?;
    if checked {
        input.set_attribute("checked", "").ok()?;
    }
    if disabled {
        input.set_attribute("disabled", "").ok()?;
    }
    label.append_with_str_1(text).ok()?;
    Some(input)
}

/// A service's cookies: name, provider, purpose, duration.
fn cookie_table(doc: &Document, parent: &Element, rows: &[[String; 4]], t: &dyn Fn(&str) -> String) -> Option<()> {
    let table = child(doc, parent, "table", "", None)?;
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

/// Keeps a category's toggle and its services' toggles in step after a click
/// on one of them: a category sets all its services; a service leaves the
/// category ticked (all), clear (none) or "partly accepted" (`indeterminate`).
fn sync_toggles(clicked: &HtmlInputElement) -> Option<()> {
    if !clicked.has_attribute("data-cat") && !clicked.has_attribute("data-svc") {
        return None;
    }
    let li = clicked.closest("li").ok()??;
    let cat: HtmlInputElement = li.query_selector("input[data-cat]").ok()??.dyn_into().ok()?;
    let list = li.query_selector_all("input[data-svc]").ok()?;
    let services: Vec<HtmlInputElement> = (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect();
    if clicked.has_attribute("data-cat") {
        services.iter().for_each(|s| s.set_checked(cat.checked()));
    } else {
        let on = services.iter().filter(|s| s.checked()).count();
        cat.set_checked(on == services.len());
        cat.set_indeterminate(on > 0 && on < services.len());
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
