//! The TCF CMP a `[tcf]` site loads beside the full widget (never on other
//! sites, never before the banner): it reads the site's TCF settings and its
//! vendor list, takes up the TC string a visitor stored earlier if it still
//! stands, makes each decision into a new TC string and Additional Consent
//! string, and answers `TCData`. `www/loader/cmp.js` is its JavaScript half:
//! it replaces the IAB stubs (`__tcfapi`, `__gpp`), answers their queued calls
//! in order, keeps the listeners and writes the cookies.
//!
//! `site` (settings, setup, choice rules) is plain Rust, tested on the host;
//! this file and `tc_data` are the Wasm boundary.

#![no_std]

extern crate alloc;

mod dom;
mod gpp;
mod js_input;
pub mod offer;
mod purpose_layer;
pub mod site;
mod tc_data;
mod ui_choice;
pub mod usnat;
mod vendor_layer;

use alloc::string::String;
use alloc::vec::Vec;

use consent_tcf::{Choice, TcString};
use js_sys::Object;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::Element;

use dom::Source;
use offer::Offer;
use site::Site;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without atomics runs this module on one thread.
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> = unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The language of the vendor list to load: the widget's rule (the page's
/// `lang`, then the browser's, then the site's default) over the site's languages.
#[wasm_bindgen]
pub fn language(langs: Vec<String>, page: &str, browser: &str, default: &str) -> String {
    String::from(consent_first_layer::lang::pick(page, browser, langs.iter().map(String::as_str), default))
}

/// The TC string in force and Google's AC string beside it.
struct Decision {
    tc: TcString,
    encoded: String,
    addtl: String,
}

#[wasm_bindgen]
pub struct Cmp {
    site: Site,
    /// The vendor list as the page parsed it: the layers read its texts.
    list: JsValue,
    decision: Option<Decision>,
}

#[wasm_bindgen]
impl Cmp {
    /// `settings`: `details.json`'s `tcf`; `list`: the site's vendor list (both parsed).
    #[wasm_bindgen(constructor)]
    pub fn new(settings: &JsValue, list_js: &JsValue) -> Result<Cmp, JsValue> {
        let settings = js_input::settings(settings).ok_or("details.json: tcf: not the settings the server writes")?;
        let list = js_input::list(list_js).ok_or("the vendor list is not a Global Vendor List v3")?;
        Ok(Cmp { site: Site::new(settings, list), list: list_js.clone(), decision: None })
    }

    /// Takes up the strings in the cookies (`tc`, `addtl`) if the TC string
    /// decodes and still stands (`Site::is_current`); says whether it did.
    pub fn resume(&mut self, tc: &str, addtl: &str) -> bool {
        self.decision = TcString::decode(tc).ok().filter(|s| self.site.is_current(s)).map(|s| Decision { tc: s, encoded: String::from(tc), addtl: String::from(addtl) });
        self.decision.is_some()
    }

    /// Makes the visitor's decision (`accepted` categories; `all`: "Accept
    /// all") into the TC and AC strings, made at `now_ms` in `lang`.
    pub fn decide(&mut self, accepted: Vec<String>, all: bool, lang: &str, now_ms: f64) -> Result<(), JsValue> {
        let choice = self.site.choice_for(&accepted, all);
        self.store(&choice, all, lang, now_ms)
    }

    /// Makes what the TCF layers in `section` show into the TC and AC
    /// strings (the visitor saved the preferences).
    #[wasm_bindgen(js_name = decideFrom)]
    pub fn decide_from(&mut self, section: &Element, lang: &str, now_ms: f64) -> Result<(), JsValue> {
        let choice = ui_choice::read(section);
        self.store(&choice, false, lang, now_ms)
    }

    /// Builds the TCF layers into `section` (empty), ticked as the decision in
    /// force says; `texts`: the layers' texts in `lang`, the list's language.
    pub fn render(&self, section: &Element, texts: &JsValue) -> bool {
        let Some(doc) = section.owner_document() else { return false };
        let src = Source { doc: &doc, list: &self.list, texts };
        let offer = Offer::of(&self.site);
        let ticks = ui_choice::ticks(&self.site, &offer, self.decision.as_ref().map(|d| &d.tc));
        let intro = src.el(section, "p", "", Some(&src.t("intro")));
        intro.is_some() && purpose_layer::build(&src, section, &self.site, &offer, &ticks).is_some() && vendor_layer::build(&src, section, &self.site, &ticks).is_some()
    }

    /// Fills the folded details of vendor `id` (`details`, on its first unfolding).
    #[wasm_bindgen(js_name = vendorDetails)]
    pub fn vendor_details(&self, details: &Element, id: u16, texts: &JsValue, lang: &str) {
        let Some(doc) = details.owner_document() else { return };
        let _ = vendor_layer::details(&Source { doc: &doc, list: &self.list, texts }, details, id, lang);
    }

    /// The TC string in force ("" before a decision).
    #[wasm_bindgen(getter, js_name = tcString)]
    pub fn tc_string(&self) -> String {
        self.decision.as_ref().map(|d| d.encoded.clone()).unwrap_or_default()
    }

    fn store(&mut self, choice: &Choice, all: bool, lang: &str, now_ms: f64) -> Result<(), JsValue> {
        let l = lang.as_bytes();
        let upper = |b: Option<&u8>| b.map_or(b'E', u8::to_ascii_uppercase);
        let tc = self.site.setup.tc_string(choice, now_ms as u64, [upper(l.first()), upper(l.get(1))]);
        let encoded = tc.encode().map_err(|_| JsValue::from_str("the TC string cannot be encoded"))?;
        self.decision = Some(Decision { tc, encoded, addtl: self.site.ac_string(all) });
        Ok(())
    }

    /// Google's Additional Consent string in force ("" before a decision).
    #[wasm_bindgen(getter, js_name = addtlConsent)]
    pub fn addtl_consent(&self) -> String {
        self.decision.as_ref().map(|d| d.addtl.clone()).unwrap_or_default()
    }

    /// The GPP string of the decision in force (its `tcfeuv2` section; "" before a decision).
    #[wasm_bindgen(getter, js_name = gppString)]
    pub fn gpp_string(&self) -> String {
        gpp::string(self.decision.as_ref().map(|d| &d.tc))
    }

    /// A GPP section as `getSection` answers it (`null` when the string has none).
    #[wasm_bindgen(js_name = gppSection)]
    pub fn gpp_section(&self, name: &str) -> JsValue {
        match (name, self.decision.as_ref()) {
            ("tcfeuv2", Some(d)) => gpp::tcfeuv2(&d.tc).into(),
            _ => JsValue::NULL,
        }
    }

    /// The cookie that holds the TC string.
    #[wasm_bindgen(getter)]
    pub fn cookie(&self) -> String {
        self.site.settings.cookie.clone()
    }

    #[wasm_bindgen(getter, js_name = cmpId)]
    pub fn cmp_id(&self) -> u16 {
        self.site.setup.cmp_id
    }

    #[wasm_bindgen(getter, js_name = gvlVersion)]
    pub fn gvl_version(&self) -> u16 {
        self.site.setup.vendor_list_version
    }

    /// TCData's consent fields; `vendor_ids`: only these vendors (`getTCData`'s parameter).
    #[wasm_bindgen(js_name = tcData)]
    pub fn tc_data(&self, vendor_ids: Option<Vec<u16>>) -> Object {
        let d = self.decision.as_ref();
        tc_data::fields(&self.site, d.map(|d| (&d.tc, d.encoded.as_str())), d.map_or("", |d| d.addtl.as_str()), vendor_ids.as_deref())
    }
}
