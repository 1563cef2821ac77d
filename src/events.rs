//! Telling the page what happened: `consent:ready` and `consent:change` DOM events.

use alloc::string::String;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Document};

/// Swallows a promise's failure (a network error): the page must not see an
/// unhandled rejection.
pub fn ignore_rejection(promise: &js_sys::Promise) {
    let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
    let _ = promise.catch(&ignore);
    // Dropping the closure before the promise settles would break the callback.
    ignore.forget();
}

/// Fires `name` on `document` with `{accepted, rejected}` category lists.
pub fn dispatch(doc: &Document, name: &str, accepted: &[String], rejected: &[String]) {
    let detail = Object::new();
    let list = |ids: &[String]| ids.iter().map(|s| JsValue::from_str(s)).collect::<Array>();
    let _ = Reflect::set(&detail, &"accepted".into(), &list(accepted));
    let _ = Reflect::set(&detail, &"rejected".into(), &list(rejected));
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = doc.dispatch_event(&ev);
    }
}
