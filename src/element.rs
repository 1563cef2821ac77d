//! Building the widget's DOM and wiring its listeners: every string goes in as
//! text, never as HTML.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, EventTarget, Node};

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

/// Adds a listener that lives as long as the page.
pub fn on(target: &EventTarget, name: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
    cb.forget();
}
