//! Turns the policy document (`consent_wire::policy_doc`) into DOM: headings
//! with anchors, paragraphs, lists, the cookie table. Text goes in as text only;
//! search hits are wrapped in `<mark>`.

use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::policy_doc::{Block, PolicyDoc, Run};
use web_sys::{Document, Element};

use crate::element::{child, is_safe_link};
use crate::policy_search as search;

pub struct Heading {
    pub number: String,
    pub element: Element,
}

/// Renders every section into `article`; returns the numbered headings in order.
pub fn article(doc: &Document, article: &Element, policy: &PolicyDoc, query: &[char], marks: &mut Vec<Element>, copy_label: &str) -> Vec<Heading> {
    article.set_text_content(None);
    let mut headings = Vec::new();
    for section in &policy.sections {
        let (number, title) = (&section.number, &section.title);
        if !title.is_empty() {
            let Some(h) = child(doc, article, if section.level > 2 { "h3" } else { "h2" }, "", None) else { continue };
            h.set_id(&(String::from("s-") + number));
            let label = if number.is_empty() { title.clone() } else { number.clone() + " " + title };
            if let Some(span) = child(doc, &h, "span", "", None) {
                text(doc, &span, &label, query, marks);
            }
            if !number.is_empty() {
                if let Some(b) = child(doc, &h, "button", "self", Some("#")) {
                    let _ = b.set_attribute("type", "button");
                    let _ = b.set_attribute("data-copy", number);
                    let _ = b.set_attribute("aria-label", &(String::from(copy_label) + ": " + &label));
                }
                headings.push(Heading { number: number.clone(), element: h });
            }
        }
        for block in &section.blocks {
            render_block(doc, article, block, query, marks);
        }
    }
    headings
}

/// The table of contents: one link per numbered heading.
pub fn toc(doc: &Document, list: &Element, policy: &PolicyDoc) -> Vec<(String, Element)> {
    list.set_text_content(None);
    let mut out = Vec::new();
    for section in &policy.sections {
        let number = section.number.clone();
        if number.is_empty() {
            continue;
        }
        let Some(li) = child(doc, list, "li", "", None) else { continue };
        let Some(a) = child(doc, &li, "a", if section.level > 2 { "sub" } else { "" }, Some(&(number.clone() + " " + &section.title))) else { continue };
        let _ = a.set_attribute("href", &(String::from("#privacy/") + &number));
        let _ = a.set_attribute("data-sec", &number);
        out.push((number, a));
    }
    out
}

fn render_block(doc: &Document, parent: &Element, block: &Block, query: &[char], marks: &mut Vec<Element>) {
    match block {
        Block::Para(list) => {
            if let Some(p) = child(doc, parent, "p", "", None) {
                runs(doc, &p, list, query, marks);
            }
        }
        Block::List(items) => {
            let Some(ul) = child(doc, parent, "ul", "", None) else { return };
            for item in items {
                if let Some(li) = child(doc, &ul, "li", "", None) {
                    runs(doc, &li, item, query, marks);
                }
            }
        }
        Block::Table { head, rows } => {
            let Some(wrap) = child(doc, parent, "div", "tw", None) else { return };
            let Some(table) = child(doc, &wrap, "table", "", None) else { return };
            let Some(tr) = child(doc, &table, "thead", "", None).and_then(|h| child(doc, &h, "tr", "", None)) else { return };
            for h in head {
                if let Some(th) = child(doc, &tr, "th", "", Some(h)) {
                    let _ = th.set_attribute("scope", "col");
                }
            }
            let Some(tbody) = child(doc, &table, "tbody", "", None) else { return };
            for row in rows {
                let Some(tr) = child(doc, &tbody, "tr", "", None) else { continue };
                for cell in row {
                    if let Some(td) = child(doc, &tr, "td", "", None) {
                        text(doc, &td, cell, query, marks);
                    }
                }
            }
        }
    }
}

fn runs(doc: &Document, parent: &Element, list: &[Run], query: &[char], marks: &mut Vec<Element>) {
    for run in list {
        let (el, body) = match run {
            Run::Text(s) => (Some(parent.clone()), s),
            Run::Em(s) => (child(doc, parent, "em", "", None), s),
            Run::Strong(s) => (child(doc, parent, "strong", "", None), s),
            Run::Link { text, href } if is_safe_link(href) => (
                child(doc, parent, "a", "", None).inspect(|a| {
                    let _ = a.set_attribute("href", href);
                    let _ = a.set_attribute("rel", "noopener noreferrer");
                }),
                text,
            ),
            Run::Link { text, .. } => (Some(parent.clone()), text),
        };
        if let Some(el) = el {
            text(doc, &el, body, query, marks);
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
