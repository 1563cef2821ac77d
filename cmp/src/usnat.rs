//! The GPP `usnat` section (US National, version 2) of a `[gpp]` site: the
//! notices the site gives, and the opt-outs of sale, sharing and targeted
//! advertising, which follow the visitor's choice of the categories the site
//! names for each (refusing any of them is opting out; before a decision
//! nobody has) and Global Privacy Control (an opt-out of all three, carried in
//! the section's GPC sub-section too). [`UsSettings`] is plain Rust, tested on
//! the host; [`Us`] is its Wasm boundary.

use alloc::string::String;
use alloc::vec::Vec;

use consent_tcf::{GppString, TcString, UsNat};
use js_sys::{Array, Object};
use serde::Deserialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

/// `details.json`'s `gpp.usnat` (written by `consent_bundle`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct UsSettings {
    /// Sharing, sale opt-out, sharing opt-out, targeted advertising opt-out,
    /// sensitive data opt-out, sensitive data limit-use notices: 1 given, 2 not.
    pub notices: [u8; 6],
    #[serde(default)]
    pub sale: Vec<String>,
    #[serde(default)]
    pub sharing: Vec<String>,
    #[serde(default)]
    pub targeted: Vec<String>,
    /// Covered transaction, opt-out option mode, service provider mode.
    pub mspa: [u8; 3],
}

impl UsSettings {
    /// The section for `accepted` (the categories in force; `None` before a
    /// decision) and `gpc` (the browser sends Global Privacy Control).
    pub fn section(&self, accepted: Option<&[String]>, gpc: bool) -> UsNat {
        // 0: no category stands for it; 1: opted out; 2: did not opt out.
        let opt_out = |cats: &[String]| match (cats.is_empty(), gpc || accepted.is_some_and(|a| cats.iter().any(|c| !a.contains(c)))) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        };
        let [sharing_notice, sale_opt_out_notice, sharing_opt_out_notice, targeted_advertising_opt_out_notice, sensitive_data_processing_opt_out_notice, sensitive_data_limit_use_notice] =
            self.notices;
        let [mspa_covered_transaction, mspa_opt_out_option_mode, mspa_service_provider_mode] = self.mspa;
        UsNat {
            sharing_notice,
            sale_opt_out_notice,
            sharing_opt_out_notice,
            targeted_advertising_opt_out_notice,
            sensitive_data_processing_opt_out_notice,
            sensitive_data_limit_use_notice,
            sale_opt_out: opt_out(&self.sale),
            sharing_opt_out: opt_out(&self.sharing),
            targeted_advertising_opt_out: opt_out(&self.targeted),
            sensitive_data_processing: [0; 16],
            known_child_sensitive_data_consents: [0; 3],
            personal_data_consents: 0,
            mspa_covered_transaction,
            mspa_opt_out_option_mode,
            mspa_service_provider_mode,
            gpc: Some(gpc),
        }
    }
}

/// `usnat` for the page: the settings, the browser's GPC and the decision in force.
#[wasm_bindgen]
pub struct Us {
    settings: UsSettings,
    gpc: bool,
    accepted: Option<Vec<String>>,
}

#[wasm_bindgen]
impl Us {
    /// `usnat`: `details.json`'s `gpp.usnat` (parsed); `gpc`: `navigator.globalPrivacyControl`.
    #[wasm_bindgen(constructor)]
    pub fn new(usnat: &JsValue, gpc: bool) -> Result<Us, JsValue> {
        let settings = read(usnat).ok_or("details.json: gpp.usnat: not the settings the server writes")?;
        Ok(Us { settings, gpc, accepted: None })
    }

    /// The visitor's categories in force (`None`: no decision, or it was forgotten).
    pub fn decide(&mut self, accepted: Option<Vec<String>>) {
        self.accepted = accepted;
    }

    /// The section as `__gpp`'s `getSection("usnat")` answers it.
    pub fn section(&self) -> Object {
        crate::gpp::usnat(&self.current())
    }

    /// The GPP string: `usnat`, after the `tcfeuv2` section of `tc` when it is a TC string.
    #[wasm_bindgen(js_name = gppString)]
    pub fn gpp_string(&self, tc: &str) -> String {
        GppString { tcfeuv2: TcString::decode(tc).ok(), usnat: Some(self.current()) }.encode().unwrap_or_default()
    }
}

impl Us {
    fn current(&self) -> UsNat {
        self.settings.section(self.accepted.as_deref(), self.gpc)
    }
}

/// The settings from the parsed object (no JSON parser in this Wasm).
fn read(o: &JsValue) -> Option<UsSettings> {
    let get = |key: &str| js_sys::Reflect::get(o, &JsValue::from_str(key)).ok();
    let numbers = |key: &str| -> Option<Vec<u8>> { get(key)?.dyn_into::<Array>().ok()?.iter().map(|n| n.as_f64().filter(|n| (0.0..=3.0).contains(n)).map(|n| n as u8)).collect() };
    let names = |key: &str| -> Option<Vec<String>> { get(key)?.dyn_into::<Array>().ok()?.iter().map(|s| s.as_string()).collect() };
    Some(UsSettings { notices: numbers("notices")?.try_into().ok()?, sale: names("sale")?, sharing: names("sharing")?, targeted: names("targeted")?, mspa: numbers("mspa")?.try_into().ok()? })
}
