//! Turns the structured policy (`policy.<lang>.json`) into DOM: headings with
//! anchors, paragraphs, lists, the cookie table. Text goes in as text only;
//! search hits are wrapped in `<mark>`.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

use crate::element::{child, is_safe_link};
use crate::policy_search as search;

pub struct Heading {
    pub number: String,
    pub element: Element,
}

/// Renders every section into `article`; returns the numbered headings in order.
pub fn article(doc: &Document, article: &Element, data: &JsValue, query: &[char], marks: &mut Vec<Element>, copy_label: &str) -> Vec<Heading> {
    article.set_text_content(None);
    let mut headings = Vec::new();
    for section in items(&get(data, "sections")) {
        let number = get(&section, "n").as_string().unwrap_or_default();
        let title = get(&section, "t").as_string().unwrap_or_default();
        let level = get(&section, "l").as_f64().unwrap_or(2.0);
        if !title.is_empty() {
            let Some(h) = child(doc, article, if level > 2.0 { "h3" } else { "h2" }, "", None) else { continue };
            h.set_id(&(String::from("s-") + &number));
            let label = if number.is_empty() { title.clone() } else { number.clone() + " " + &title };
            if let Some(span) = child(doc, &h, "span", "", None) {
                text(doc, &span, &label, query, marks);
            }
            if !number.is_empty() {
                if let Some(b) = child(doc, &h, "button", "self", Some("#")) {
                    let _ = b.set_attribute("type", "button");
                    let _ = b.set_attribute("data-copy", &number);
                    let _ = b.set_attribute("aria-label", &(String::from(copy_label) + ": " + &label));
                }
                headings.push(Heading { number, element: h });
            }
        }
        for block in items(&get(&section, "b")) {
            render_block(doc, article, &block, query, marks);
        }
    }
    headings
}

/// The table of contents: one link per numbered heading.
pub fn toc(doc: &Document, list: &Element, data: &JsValue) -> Vec<(String, Element)> {
    list.set_text_content(None);
    let mut out = Vec::new();
    for section in items(&get(data, "sections")) {
        let number = get(&section, "n").as_string().unwrap_or_default();
        if number.is_empty() {
            continue;
        }
        let title = get(&section, "t").as_string().unwrap_or_default();
        let sub = get(&section, "l").as_f64().unwrap_or(2.0) > 2.0;
        let Some(li) = child(doc, list, "li", "", None) else { continue };
        let Some(a) = child(doc, &li, "a", if sub { "sub" } else { "" }, Some(&(number.clone() + " " + &title))) else { continue };
        let _ = a.set_attribute("href", &(String::from("#privacy/") + &number));
        let _ = a.set_attribute("data-sec", &number);
        out.push((number, a));
    }
    out
}

fn render_block(doc: &Document, parent: &Element, block: &JsValue, query: &[char], marks: &mut Vec<Element>) {
    let kind = Reflect::get_u32(block, 0).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let body = Reflect::get_u32(block, 1).unwrap_or(JsValue::UNDEFINED);
    match kind.as_str() {
        "p" => {
            if let Some(p) = child(doc, parent, "p", "", None) {
                runs(doc, &p, &body, query, marks);
            }
        }
        "ul" => {
            let Some(ul) = child(doc, parent, "ul", "", None) else { return };
            for item in items(&body) {
                if let Some(li) = child(doc, &ul, "li", "", None) {
                    runs(doc, &li, &item, query, marks);
                }
            }
        }
        "table" => {
            let rows = Reflect::get_u32(block, 2).unwrap_or(JsValue::UNDEFINED);
            let Some(wrap) = child(doc, parent, "div", "tw", None) else { return };
            let Some(table) = child(doc, &wrap, "table", "", None) else { return };
            let Some(tr) = child(doc, &table, "thead", "", None).and_then(|h| child(doc, &h, "tr", "", None)) else { return };
            for h in items(&body) {
                if let Some(th) = child(doc, &tr, "th", "", Some(&h.as_string().unwrap_or_default())) {
                    let _ = th.set_attribute("scope", "col");
                }
            }
            let Some(tbody) = child(doc, &table, "tbody", "", None) else { return };
            for row in items(&rows) {
                let Some(tr) = child(doc, &tbody, "tr", "", None) else { continue };
                for cell in items(&row) {
                    if let Some(td) = child(doc, &tr, "td", "", None) {
                        text(doc, &td, &cell.as_string().unwrap_or_default(), query, marks);
                    }
                }
            }
        }
        _ => {}
    }
}

fn runs(doc: &Document, parent: &Element, list: &JsValue, query: &[char], marks: &mut Vec<Element>) {
    for run in items(list) {
        if let Some(s) = run.as_string() {
            text(doc, parent, &s, query, marks);
            continue;
        }
        let part = |i| Reflect::get_u32(&run, i).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let (kind, body) = (part(0), part(1));
        let el = match kind.as_str() {
            "em" | "strong" => child(doc, parent, &kind, "", None),
            "a" if is_safe_link(&part(2)) => child(doc, parent, "a", "", None).inspect(|a| {
                let _ = a.set_attribute("href", &part(2));
                let _ = a.set_attribute("rel", "noopener noreferrer");
            }),
            _ => Some(parent.clone()),
        };
        if let Some(el) = el {
            text(doc, &el, &body, query, marks);
        }
    }
}

/// Appends `s` as text, wrapping search hits in `<mark>`.
fn text(doc: &Document, parent: &Element, s: &str, query: &[char], marks: &mut Vec<Element>) {
    let mut at = 0;
    for (a, b) in search::find(s, query) {
        let _ = parent.append_with_str_1(s.get(at..a).unwrap_or(""));
        if let Some(m) = child(doc, parent, "mark", "", s.get(a..b)) {
            marks.push(m);
        }
        at = b;
    }
    let _ = parent.append_with_str_1(s.get(at..).unwrap_or(""));
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn items(v: &JsValue) -> impl Iterator<Item = JsValue> {
    v.dyn_ref::<Array>().map(|a| a.to_vec()).unwrap_or_default().into_iter()
}
