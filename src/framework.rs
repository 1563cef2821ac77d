//! The TCF / GPP CMP, when the site has one (`www/loader/cmp.js`, loaded for
//! `[tcf]` and `[gpp]` sites only): the widget tells it when the banner shows,
//! when the preferences open and what the visitor decided, and reads the TC
//! and Additional Consent strings it stored. Other sites pass `undefined`,
//! and nothing here runs.

use alloc::string::String;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub struct Framework(JsValue);

impl Framework {
    pub fn from_js(value: JsValue) -> Option<Framework> {
        value.is_object().then_some(Framework(value))
    }

    /// Calls the CMP's method `name` with `args` (one call path for all of them).
    fn call(&self, name: &str, args: &Array) -> Option<JsValue> {
        let f: Function = Reflect::get(&self.0, &JsValue::from_str(name)).ok()?.dyn_into().ok()?;
        f.apply(&self.0, args).ok()
    }

    /// The banner is up.
    pub fn shown(&self) {
        self.call("shown", &Array::new());
    }

    /// The preferences are open in the banner's shadow `root`: the CMP adds
    /// its layers there (once per banner).
    pub fn preferences(&self, root: &JsValue) {
        self.call("preferences", &Array::of1(root));
    }

    /// The decision is forgotten (`Consent.reset()`): so are the CMP's strings.
    pub fn reset(&self) {
        self.call("reset", &Array::new());
    }

    /// The visitor decided (`all`: "Accept all"): the CMP makes and stores the strings.
    pub fn decided(&self, categories: &[String], all: bool, lang: &str) {
        let cats: Array = categories.iter().map(|c| JsValue::from_str(c)).collect();
        let args = Array::of1(&cats);
        args.push(&JsValue::from_bool(all));
        args.push(&JsValue::from_str(lang));
        self.call("decided", &args);
    }

    /// The TC string and the AC string in force, for the decision's record.
    pub fn strings(&self) -> Option<(String, String)> {
        let out: Array = self.call("strings", &Array::new())?.dyn_into().ok()?;
        Some((out.get(0).as_string()?, out.get(1).as_string()?))
    }
}
