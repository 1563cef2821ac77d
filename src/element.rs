//! Building the widget's DOM: every string goes in as text, never as HTML.

use web_sys::{Document, Element, Node};

/// Creates `<tag class=class>` with optional text and appends it to `parent`.
pub fn child(doc: &Document, parent: &Node, tag: &str, class: &str, text: Option<&str>) -> Option<Element> {
    let el = doc.create_element(tag).ok()?;
    if !class.is_empty() {
        el.set_class_name(class);
    }
    if text.is_some() {
        el.set_text_content(text);
    }
    parent.append_child(&el).ok()?;
    Some(el)
}

pub use consent_wire::link::is_safe_link;
