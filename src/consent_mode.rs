//! Google Consent Mode v2: `['consent', 'update', …]` for every decision and for
//! a stored one. (The default, made at build time as `consentDefault` in
//! `config.json`, is pushed by the loader as soon as it runs.)

use alloc::string::String;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Window;

use crate::config::Config;
use consent_wire::consent_mode::SIGNALS;

/// An update for the accepted categories.
pub fn push_update(window: &Window, config: &Config, accepted: &[String]) {
    if config.consent_mode {
        push(window, "update", &signals(config, accepted));
    }
}

fn signals(config: &Config, accepted: &[String]) -> Object {
    let state = Object::new();
    for sig in SIGNALS {
        let granted = config.categories.iter().any(|c| accepted.contains(&c.id) && c.signals.iter().any(|s| s == sig));
        let _ = Reflect::set(&state, &sig.into(), &(if granted { "granted" } else { "denied" }).into());
    }
    state
}

fn push(window: &Window, kind: &str, state: &Object) {
    let key = JsValue::from_str("dataLayer");
    let layer = match Reflect::get(window, &key).ok().and_then(|v| v.dyn_into::<Array>().ok()) {
        Some(a) => a,
        None => {
            let a = Array::new();
            let _ = Reflect::set(window, &key, &a);
            a
        }
    };
    // Through the array's own `push`, so a tag manager that replaced it sees the entry.
    let entry = Array::of3(&"consent".into(), &kind.into(), state);
    let push = Reflect::get(&layer, &"push".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match push {
        Some(f) => {
            let _ = f.call1(&layer, &entry);
        }
        None => {
            layer.push(&entry);
        }
    }
}
