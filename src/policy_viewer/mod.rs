//! The privacy-policy viewer: a modal dialog with contents, numbered sections
//! with copyable links, search and print. The policy document is fetched the
//! first time the viewer opens, so the banner never waits for it.

mod document;
mod events;
mod render;

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use consent_wire::policy_doc::PolicyDoc;
use js_sys::{Array, Object};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Document, Element, HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode, Window};

use crate::config::Config;
use crate::element::child;
pub use events::parse_fragment;
use render::Heading;

const CSS: &str = include_str!("viewer.css");
/// Hides the page, not the viewer, when the visitor prints the policy.
const PRINT_CSS: &str = "@media print{body>:not(consent-policy){display:none!important}}";
pub const HOST_TAG: &str = "consent-policy";
/// `#privacy` opens the viewer; `#privacy/1.7` opens it at section 1.7.
pub const FRAGMENT: &str = "#privacy";

pub struct Viewer {
    window: Window,
    doc: Document,
    host: Element,
    root: ShadowRoot,
    article: Element,
    toc: Element,
    search: HtmlInputElement,
    count: Element,
    doc_url: String,
    copy_label: String,
    no_match: String,
    policy: RefCell<Option<PolicyDoc>>,
    headings: RefCell<Vec<Heading>>,
    toc_links: RefCell<Vec<(String, Element)>>,
    marks: RefCell<Vec<Element>>,
    current: Cell<usize>,
    pending: RefCell<Option<String>>,
    prev_hash: RefCell<String>,
    modal: crate::modal::Modal,
    /// On the document only while the viewer is open.
    print_sheet: Option<CssStyleSheet>,
}

impl Viewer {
    pub fn create(window: &Window, doc: &Document, config: &Config) -> Option<Rc<Viewer>> {
        let t = |k: &str| config.text(k);
        let host = doc.create_element(HOST_TAG).ok()?;
        let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?;
        let sheet = CssStyleSheet::new().ok()?;
        sheet.replace_sync(CSS).ok()?;
        root.set_adopted_style_sheets(&Array::of1(&sheet));
        let ov = child(doc, &root, "div", "ov", None)?;
        let dlg = child(doc, &ov, "div", "dlg", None)?;
        for (k, v) in [("role", "dialog"), ("aria-modal", "true"), ("aria-labelledby", "pv-title"), ("lang", &config.lang)] {
            dlg.set_attribute(k, v).ok()?;
        }
        let top = child(doc, &dlg, "div", "top", None)?;
        let h1 = child(doc, &top, "h1", "", Some(&t("policy_link")))?;
        h1.set_id("pv-title");
        h1.set_attribute("tabindex", "-1").ok()?;
        let (search, count) = toolbar(doc, &top, config)?;
        let main = child(doc, &dlg, "div", "main", None)?;
        let nav = child(doc, &main, "nav", "", None)?;
        nav.set_attribute("aria-labelledby", "pv-toc").ok()?;
        child(doc, &nav, "h2", "", Some(&t("policy_contents")))?.set_id("pv-toc");
        let toc = child(doc, &nav, "ol", "", None)?;
        let article = child(doc, &main, "article", "", None)?;
        article.set_attribute("tabindex", "0").ok()?;
        article.set_attribute("aria-labelledby", "pv-title").ok()?;

        let viewer = Rc::new(Viewer {
            window: window.clone(),
            doc: doc.clone(),
            host,
            root,
            article,
            toc,
            search,
            count,
            doc_url: config.policy_doc.clone(),
            copy_label: t("policy_copy_link"),
            no_match: t("policy_no_match"),
            policy: RefCell::new(None),
            headings: RefCell::new(Vec::new()),
            toc_links: RefCell::new(Vec::new()),
            marks: RefCell::new(Vec::new()),
            current: Cell::new(0),
            pending: RefCell::new(None),
            prev_hash: RefCell::new(String::new()),
            modal: crate::modal::Modal::default(),
            print_sheet: print_sheet(),
        });
        viewer.listen();
        Some(viewer)
    }

    pub fn is_open(&self) -> bool {
        self.host.is_connected()
    }

    /// Opens the viewer (at `section`, if given), fetching the policy the first time.
    pub fn open(self: &Rc<Self>, section: Option<String>, from_fragment: bool) {
        if !self.is_open() {
            let hash = self.window.location().hash().unwrap_or_default();
            *self.prev_hash.borrow_mut() = if from_fragment { String::new() } else { hash };
            self.modal.enter(&self.doc, None);
            if let Some(sheet) = &self.print_sheet {
                set_document_sheet(&self.doc, sheet, true);
            }
            let Some(body) = self.doc.body() else { return };
            let _ = body.append_child(&self.host);
            if let Some(h1) = self.root.get_element_by_id("pv-title").and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = h1.focus();
            }
        }
        if self.policy.borrow().is_some() {
            self.goto(section.as_deref());
            return;
        }
        let first_request = self.pending.borrow().is_none();
        *self.pending.borrow_mut() = Some(section.unwrap_or_default());
        if first_request {
            self.fetch();
        }
    }

    pub fn close(&self) {
        if !self.is_open() {
            return;
        }
        self.host.remove();
        self.modal.leave();
        if let Some(sheet) = &self.print_sheet {
            set_document_sheet(&self.doc, sheet, false);
        }
        let loc = self.window.location();
        let url = loc.pathname().unwrap_or_default() + &loc.search().unwrap_or_default() + &self.prev_hash.borrow();
        if let Ok(history) = self.window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }

    fn fetch(self: &Rc<Self>) {
        let me = self.clone();
        let on_response = Closure::<dyn FnMut(JsValue)>::new(move |res: JsValue| {
            let Some(json) = res.dyn_into::<web_sys::Response>().ok().filter(|r| r.ok()).and_then(|r| r.json().ok()) else {
                me.pending.borrow_mut().take();
                return;
            };
            let me = me.clone();
            let on_json = Closure::<dyn FnMut(JsValue)>::new(move |data: JsValue| me.loaded(data));
            crate::events::ignore_rejection(&json.then(&on_json));
            on_json.forget();
        });
        crate::events::ignore_rejection(&self.window.fetch_with_str(&self.doc_url).then(&on_response));
        on_response.forget();
    }

    fn loaded(&self, data: JsValue) {
        let (policy, note) = document::read(&data);
        if !policy.title.is_empty() {
            if let Some(h1) = self.root.get_element_by_id("pv-title") {
                h1.set_text_content(Some(&policy.title));
            }
        }
        if let Some(note) = note {
            if let Ok(p) = self.doc.create_element("p") {
                p.set_class_name("note");
                p.set_text_content(Some(&note));
                let _ = self.article.prepend_with_node_1(&p);
            }
        }
        *self.toc_links.borrow_mut() = render::toc(&self.doc, &self.toc, &policy);
        *self.policy.borrow_mut() = Some(policy);
        self.render_article();
        let section = self.pending.borrow_mut().take().filter(|s| !s.is_empty());
        // Closed while the document was loading: leave the URL alone.
        if self.is_open() {
            self.goto(section.as_deref());
        }
    }

    fn render_article(&self) {
        let policy = self.policy.borrow();
        let Some(policy) = policy.as_ref() else { return };
        let query = crate::policy_search::fold_query(&self.search.value());
        let mut marks = Vec::new();
        let note = self.article.query_selector("p.note").ok().flatten();
        *self.headings.borrow_mut() = render::article(&self.doc, &self.article, policy, &query, &mut marks, &self.copy_label);
        if let Some(n) = note {
            let _ = self.article.prepend_with_node_1(&n);
        }
        let n = marks.len();
        *self.marks.borrow_mut() = marks;
        self.current.set(0);
        let label = if query.is_empty() {
            String::new()
        } else if n == 0 {
            self.no_match.clone()
        } else {
            let mut s = String::from("1/");
            consent_wire::digits::push_radix(&mut s, n as u64, 10);
            s
        };
        self.count.set_text_content(Some(&label));
        self.show_mark(0);
    }

    /// Scrolls to a section and marks it in the contents.
    fn goto(&self, section: Option<&str>) {
        let headings = self.headings.borrow();
        if let Some(h) = section.and_then(|s| headings.iter().find(|h| h.number == s)) {
            h.element.scroll_into_view();
            let mut hash = String::from(FRAGMENT) + "/";
            hash.push_str(&h.number);
            self.set_hash(&hash);
        } else {
            self.article.set_scroll_top(0);
            if section.is_none() || self.window.location().hash().unwrap_or_default().starts_with(FRAGMENT) {
                self.set_hash(FRAGMENT);
            }
        }
        drop(headings);
        self.spy();
    }

    fn set_hash(&self, hash: &str) {
        let loc = self.window.location();
        let url = loc.pathname().unwrap_or_default() + &loc.search().unwrap_or_default() + hash;
        if let Ok(history) = self.window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }

    /// Marks the section at the top of the article as current in the contents.
    fn spy(&self) {
        let top = self.article.get_bounding_client_rect().top();
        let mut current = None;
        for h in self.headings.borrow().iter() {
            if h.element.get_bounding_client_rect().top() - top <= 48.0 {
                current = Some(h.number.clone());
            }
        }
        for (n, a) in self.toc_links.borrow().iter() {
            if current.as_deref() == Some(n.as_str()) {
                let _ = a.set_attribute("aria-current", "location");
            } else {
                let _ = a.remove_attribute("aria-current");
            }
        }
    }

    fn show_mark(&self, i: usize) {
        let marks = self.marks.borrow();
        if marks.is_empty() {
            return;
        }
        if let Some(old) = marks.get(self.current.get()) {
            old.set_class_name("");
        }
        let i = i % marks.len();
        self.current.set(i);
        if let Some(m) = marks.get(i) {
            m.set_class_name("cur");
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Center);
            m.scroll_into_view_with_scroll_into_view_options(&opts);
            let mut s = String::new();
            consent_wire::digits::push_radix(&mut s, i as u64 + 1, 10);
            s.push('/');
            consent_wire::digits::push_radix(&mut s, marks.len() as u64, 10);
            self.count.set_text_content(Some(&s));
        }
    }

    fn step(&self, forward: bool) {
        let n = self.marks.borrow().len();
        if n > 0 {
            let i = self.current.get();
            self.show_mark(if forward { i + 1 } else { i + n - 1 });
        }
    }
}

fn print_sheet() -> Option<CssStyleSheet> {
    let sheet = CssStyleSheet::new().ok()?;
    sheet.replace_sync(PRINT_CSS).ok()?;
    Some(sheet)
}

/// Adds `sheet` to the document's adopted style sheets, or takes it off again
/// (printing the page after the viewer closed prints the page).
fn set_document_sheet(doc: &Document, sheet: &CssStyleSheet, on: bool) {
    let sheets = Array::from(&doc.adopted_style_sheets());
    let others: Array = sheets.iter().filter(|s| !Object::is(s, sheet)).collect();
    if on {
        others.push(sheet);
    }
    doc.set_adopted_style_sheets(&others);
}

/// The viewer's toolbar: search with its match count and arrows, print, the
/// plain page, close. Returns the search field and the count.
fn toolbar(doc: &Document, top: &Element, config: &Config) -> Option<(HtmlInputElement, Element)> {
    let t = |k: &str| config.text(k);
    let tools = child(doc, top, "div", "tools", None)?;
    tools.set_attribute("role", "search").ok()?;
    let search: HtmlInputElement = child(doc, &tools, "input", "", None)?.dyn_into().ok()?;
    search.set_type("search");
    search.set_attribute("aria-label", &t("policy_search")).ok()?;
    search.set_placeholder(&t("policy_search"));
    let count = child(doc, &tools, "span", "count", None)?;
    count.set_attribute("aria-live", "polite").ok()?;
    for (act, label, text) in [("prev", "policy_previous", "↑"), ("next", "policy_next", "↓")] {
        let b = child(doc, &tools, "button", "", Some(text))?;
        b.set_attribute("data-act", act).ok()?;
        b.set_attribute("aria-label", &t(label)).ok()?;
    }
    child(doc, &tools, "button", "", Some(&t("policy_print")))?.set_attribute("data-act", "print").ok()?;
    let page = child(doc, &tools, "a", "btn", Some(&t("policy_open_page")))?;
    page.set_attribute("href", &config.policy_page).ok()?;
    page.set_attribute("target", "_blank").ok()?;
    page.set_attribute("rel", "noopener").ok()?;
    child(doc, &tools, "button", "", Some(&t("policy_close")))?.set_attribute("data-act", "close").ok()?;
    Some((search, count))
}
