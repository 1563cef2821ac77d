//! Scripts that wait for consent: `<script type="text/plain" data-category="…">`
//! stays inert until its category is accepted, then runs as a fresh script
//! element with the same attributes and the page's nonce.

use alloc::string::String;

use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlElement, HtmlScriptElement};

pub fn activate(doc: &Document, accepted: &[String]) {
    let Ok(list) = doc.query_selector_all("script[type=\"text/plain\"][data-category]") else { return };
    for i in 0..list.length() {
        let Some(old) = list.item(i).and_then(|n| n.dyn_into::<HtmlScriptElement>().ok()) else { continue };
        let Some(cat) = old.get_attribute("data-category") else { continue };
        if accepted.contains(&cat) {
            run(doc, &old);
        }
    }
}

fn run(doc: &Document, old: &HtmlScriptElement) {
    let Ok(new) = doc.create_element("script") else { return };
    let names = old.get_attribute_names();
    for name in names.iter().filter_map(|n| n.as_string()) {
        if name == "type" || name == "data-src" || name == "nonce" {
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
    match old.get_attribute("data-src") {
        Some(src) => {
            let _ = new.set_attribute("src", &src);
        }
        None => new.set_text_content(old.text().ok().as_deref()),
    }
    let _ = old.replace_with_with_node_1(&new);
}
