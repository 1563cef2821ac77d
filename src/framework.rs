//! The TCF CMP, when the site has one (`www/loader/cmp.js`, loaded for `[tcf]`
//! sites only): the widget tells it when the banner shows and what the visitor
//! decided, and reads the TC and Additional Consent strings it stored.
//! Other sites pass `undefined`, and nothing here runs.

use alloc::string::String;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub struct Framework(JsValue);

impl Framework {
    pub fn from_js(value: JsValue) -> Option<Framework> {
        value.is_object().then_some(Framework(value))
    }

    fn method(&self, name: &str) -> Option<Function> {
        Reflect::get(&self.0, &JsValue::from_str(name)).ok()?.dyn_into().ok()
    }

    /// The banner is up.
    pub fn shown(&self) {
        if let Some(f) = self.method("shown") {
            let _ = f.call0(&self.0);
        }
    }

    /// The preferences are open in the banner's shadow `root`: the CMP adds
    /// its layers there (once per banner).
    pub fn preferences(&self, root: &JsValue) {
        if let Some(f) = self.method("preferences") {
            let _ = f.call1(&self.0, root);
        }
    }

    /// The decision is forgotten (`Consent.reset()`): so are the CMP's strings.
    pub fn reset(&self) {
        if let Some(f) = self.method("reset") {
            let _ = f.call0(&self.0);
        }
    }

    /// The visitor decided (`all`: "Accept all"): the CMP makes and stores the strings.
    pub fn decided(&self, categories: &[String], all: bool, lang: &str) {
        if let Some(f) = self.method("decided") {
            let cats: Array = categories.iter().map(|c| JsValue::from_str(c)).collect();
            let _ = f.call3(&self.0, &cats, &JsValue::from_bool(all), &JsValue::from_str(lang));
        }
    }

    /// The TC string and the AC string in force, for the decision's record.
    pub fn strings(&self) -> Option<(String, String)> {
        let out: Array = self.method("strings")?.call0(&self.0).ok()?.dyn_into().ok()?;
        Some((out.get(0).as_string()?, out.get(1).as_string()?))
    }
}
