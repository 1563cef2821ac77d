//! Building the TCF layers of the preferences. Every string — the layers'
//! texts and the vendor list's names, descriptions, illustrations and URLs —
//! goes into the page as text, never as HTML; a URL becomes a link only when
//! it passes the widget's one safe-link rule.

use alloc::string::String;

use consent_wire::link::is_safe_link;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Node};

/// `o[key]` (`undefined` when absent or `o` is no object).
pub fn get(o: &JsValue, key: &str) -> JsValue {
    if !o.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `n` in decimal, without `core::fmt`.
pub fn digits(n: u64) -> String {
    let mut s = String::new();
    consent_wire::digits::push_radix(&mut s, n, 10);
    s
}

/// What the layers are built from: the page, the site's vendor list in the
/// visitor's language (parsed) and the layers' texts in the same language.
pub struct Source<'a> {
    pub doc: &'a Document,
    pub list: &'a JsValue,
    pub texts: &'a JsValue,
}

impl Source<'_> {
    /// A text of the layers (`pkg-config/i18n-tcf`).
    pub fn t(&self, key: &str) -> String {
        get(self.texts, key).as_string().unwrap_or_default()
    }

    /// An entry of the list: `map` is "purposes", "specialFeatures", "stacks", "vendors"…
    pub fn item(&self, map: &str, id: u16) -> JsValue {
        get(&get(self.list, map), &digits(u64::from(id)))
    }

    /// A string field of an entry ("" when absent).
    pub fn field(item: &JsValue, key: &str) -> String {
        get(item, key).as_string().unwrap_or_default()
    }

    /// `<tag class=class>` with optional text, appended to `parent`.
    pub fn el(&self, parent: &Node, tag: &str, class: &str, text: Option<&str>) -> Option<Element> {
        let el = self.doc.create_element(tag).ok()?;
        if !class.is_empty() {
            el.set_class_name(class);
        }
        if text.is_some() {
            el.set_text_content(text);
        }
        parent.append_child(&el).ok()?;
        Some(el)
    }

    /// `<label><input type=checkbox data-attr=id> label</label>`, ticked when `on`.
    pub fn checkbox(&self, parent: &Node, attr: &str, id: u16, on: bool, label: &str) -> Option<Element> {
        let l = self.el(parent, "label", "", None)?;
        let input = self.el(&l, "input", "", None)?;
        input.set_attribute("type", "checkbox").ok()?;
        input.set_attribute(attr, &digits(u64::from(id))).ok()?;
        if on {
            input.set_attribute("checked", "").ok()?;
        }
        l.append_with_str_1(label).ok()?;
        Some(l)
    }

    /// The "object to legitimate interest" switch of `of` (a purpose or a
    /// partner): ticked = objected; its accessible name names what it is for.
    pub fn object_switch(&self, parent: &Node, attr: &str, id: u16, on: bool, of: &str) -> Option<()> {
        let text = self.t("object");
        let label = self.checkbox(parent, attr, id, on, &text)?;
        label.set_class_name("object");
        label.first_element_child()?.set_attribute("aria-label", &(text + ": " + of)).ok()
    }

    /// A link to `href` opening apart from the page, its accessible name
    /// naming whose it is (`of`); nothing when it is not a safe link.
    pub fn link(&self, parent: &Node, href: &str, text: &str, of: &str) -> Option<()> {
        if href.is_empty() || !is_safe_link(href) {
            return Some(());
        }
        let a = self.el(parent, "a", "", Some(text))?;
        let label = String::from(text) + ": " + of;
        for (name, value) in [("href", href), ("target", "_blank"), ("rel", "noopener noreferrer"), ("aria-label", &label)] {
            a.set_attribute(name, value).ok()?;
        }
        Some(())
    }

    /// The description and the illustrations ("Examples", folded) of a
    /// purpose, feature or stack.
    pub fn explain(&self, parent: &Node, item: &JsValue) -> Option<()> {
        let description = Source::field(item, "description");
        if !description.is_empty() {
            self.el(parent, "small", "", Some(&description))?;
        }
        let Ok(examples) = get(item, "illustrations").dyn_into::<js_sys::Array>() else { return Some(()) };
        if examples.length() == 0 {
            return Some(());
        }
        let details = self.el(parent, "details", "", None)?;
        self.el(&details, "summary", "", Some(&self.t("examples")))?;
        let ul = self.el(&details, "ul", "", None)?;
        for e in examples.iter() {
            self.el(&ul, "li", "", Some(&e.as_string().unwrap_or_default()))?;
        }
        Some(())
    }
}
