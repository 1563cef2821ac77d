//! Google Consent Mode v2: `gtag('consent', 'update', …)` for every decision and for
//! a stored one. (The default, made at build time as `consentDefault` in
//! `config.json`, is pushed by the loader as soon as it runs.)

use alloc::string::String;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;

use crate::config::Config;
use consent_wire::choice::covers;
use consent_wire::consent_mode::SIGNALS;

/// An update for the accepted categories (their signals) and services (theirs).
pub fn push_update(config: &Config, accepted: &[String]) {
    if config.consent_mode {
        push("update", &signals(config, accepted));
    }
}

fn signals(config: &Config, accepted: &[String]) -> Object {
    let state = Object::new();
    for sig in SIGNALS {
        let has = |signals: &[String]| signals.iter().any(|s| s == sig);
        let by_category = config.categories.iter().any(|c| covers(accepted, &c.id, None) && has(&c.signals));
        let by_service = config.categories.iter().any(|c| c.services.iter().any(|s| covers(accepted, &c.id, Some(&s.id)) && has(&s.signals)));
        let granted = by_category || by_service;
        let _ = Reflect::set(&state, &sig.into(), &(if granted { "granted" } else { "denied" }).into());
    }
    state
}

#[wasm_bindgen(inline_js = "export function gtag(a, b, c) { (window.dataLayer = window.dataLayer || []).push(arguments); }")]
extern "C" {
    /// Google's own `gtag()`: pushes its `arguments` object, the only shape of
    /// `dataLayer` entry that gtag.js and Tag Manager process as a command (a plain
    /// array is silently ignored). Through the layer's own `push`, so a tag manager
    /// that replaced it sees the entry.
    fn gtag(command: &str, kind: &str, state: &Object);
}

fn push(kind: &str, state: &Object) {
    gtag("consent", kind, state);
}
