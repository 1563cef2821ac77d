//! The Wasm boundary: `start`, which the loader calls with the parsed config,
//! and `Handle`, behind `window.Consent`. Everything `JsValue` in and out of the
//! widget passes here.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::Action;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::config::{BadField, Config};
use crate::early_click::EarlyClick;
use crate::framework::Framework;
use crate::widget::Widget;

/// Entry point, called by the loader with the parsed config (`config.json` and
/// its details), `early`: the first layer's button the visitor clicked before
/// this module arrived (its `data-act`), the nonce on the loader's tag ("" when none)
/// and, on a `[tcf]` site, its CMP (`undefined` elsewhere).
#[wasm_bindgen]
pub fn start(config: JsValue, early: Option<String>, nonce: String, framework: JsValue) -> Result<Handle, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let page_lang = doc.document_element().map(|e| e.get_attribute("lang").unwrap_or_default()).unwrap_or_default();
    let browser_lang = window.navigator().language().unwrap_or_default();
    let config = Config::read(&config, &page_lang, &browser_lang).map_err(|BadField(f)| JsValue::from_str(&(String::from("config.json: field `") + f + "` is missing or has the wrong type")))?;
    let early = early.as_deref().and_then(EarlyClick::from_act);
    Ok(Handle(Widget::start(window, doc, config, early, nonce, Framework::from_js(framework))))
}

#[wasm_bindgen]
pub struct Handle(pub(crate) Rc<Widget>);

#[wasm_bindgen]
impl Handle {
    /// Shows the first layer of the banner.
    pub fn show(&self) {
        self.0.show_banner(false);
    }

    /// Hides the banner without storing anything.
    pub fn hide(&self) {
        self.0.hide_banner();
    }

    #[wasm_bindgen(js_name = showPreferences)]
    pub fn show_preferences(&self) {
        self.0.show_banner(true);
    }

    /// Opens the privacy-policy viewer, at `section` ("1.7") if given.
    #[wasm_bindgen(js_name = showPolicy)]
    pub fn show_policy(&self, section: Option<String>) {
        self.0.show_policy(section, false);
    }

    /// Has the visitor accepted `entry`: a category (in whole: `false` for a
    /// category accepted in part), or one service of it (`"analytics/<service>"`)?
    /// Before a decision, where the region is opt-out or shows nothing, what runs
    /// until the visitor objects counts as accepted.
    pub fn accepted(&self, entry: &str) -> bool {
        consent_wire::choice::covers_entry(&self.0.in_force(), entry)
    }

    /// Stores a decision for exactly these categories and services
    /// (`"analytics/<service>"`; required categories always included).
    #[wasm_bindgen(js_name = acceptCategories)]
    pub fn accept_categories(&self, categories: Array) {
        let chosen: Vec<String> = categories.iter().filter_map(|v| v.as_string()).collect();
        let stored = crate::consent_rules::stored_categories(self.0.config.shapes(), &chosen);
        let all = self.0.config.categories.iter().all(|c| stored.contains(&c.id));
        self.0.decide(if all { Action::AcceptAll } else { Action::Custom }, chosen);
    }

    /// `{id, categories, revision, decidedAt, expiresAt}` (times in ms), or `null`.
    #[wasm_bindgen(js_name = getConsent)]
    pub fn get_consent(&self) -> JsValue {
        let consent = self.0.consent.borrow();
        let Some(c) = consent.as_ref() else { return JsValue::NULL };
        let o = Object::new();
        let cats: Array = c.categories.iter().map(|s| JsValue::from_str(s)).collect();
        let _ = Reflect::set(&o, &"id".into(), &c.id.as_str().into());
        let _ = Reflect::set(&o, &"categories".into(), &cats);
        let _ = Reflect::set(&o, &"revision".into(), &c.revision.as_str().into());
        let _ = Reflect::set(&o, &"decidedAt".into(), &JsValue::from_f64(c.decided_s as f64 * 1000.0));
        let _ = Reflect::set(&o, &"expiresAt".into(), &JsValue::from_f64(c.expires_s as f64 * 1000.0));
        o.into()
    }

    /// Forgets the decision and shows the banner again.
    pub fn reset(&self) {
        self.0.reset();
    }
}
