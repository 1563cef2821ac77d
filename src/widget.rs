//! The widget's life on one page: start, decide, remember.

use std::rc::Rc;

use consent_wire::{Action, Event};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlDocument, Window};

use crate::banner::{Act, Banner};
use crate::config::{BadField, Config};
use crate::consent_id::new_id;
use crate::cookie::{self, Consent};
use crate::{events, gating};

const DAY_S: u64 = 86_400;

struct Widget {
    window: Window,
    doc: Document,
    config: Config,
    banner: Option<Banner>,
}

/// Entry point, called by the loader with the parsed `config.json`.
#[wasm_bindgen]
pub fn start(config: JsValue) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let page_lang = doc.document_element().map(|e| e.get_attribute("lang").unwrap_or_default()).unwrap_or_default();
    let browser_lang = window.navigator().language().unwrap_or_default();
    let config = Config::read(&config, &page_lang, &browser_lang)
        .map_err(|BadField(f)| JsValue::from_str(&(String::from("config.json: field `") + f + "` is missing or has the wrong type")))?;

    let widget = Widget { window, doc, config, banner: None };
    match widget.current_consent() {
        Some(consent) => {
            gating::activate(&widget.doc, &consent.categories);
            widget.announce("consent:ready", &consent.categories);
        }
        None => widget.show_banner(),
    }
    Ok(())
}

impl Widget {
    fn now_s() -> u64 {
        (js_sys::Date::now() / 1000.0) as u64
    }

    fn cookie_header(&self) -> String {
        self.doc.dyn_ref::<HtmlDocument>().and_then(|d| d.cookie().ok()).unwrap_or_default()
    }

    /// The stored decision, if it decodes and still answers the current policy revision.
    fn current_consent(&self) -> Option<Consent> {
        let header = self.cookie_header();
        let consent = Consent::decode(cookie::find(&header, &self.config.cookie_name)?).ok()?;
        consent.is_current(Self::now_s(), &self.config.revision).then_some(consent)
    }

    fn show_banner(mut self) {
        let Some(banner) = Banner::show(&self.doc, &self.config) else { return };
        let root = banner.root().clone();
        self.banner = Some(banner);
        self.post(Action::BannerShown, None, Vec::new());
        let widget = Rc::new(self);
        let on_click = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| widget.on_click(&e));
        let _ = root.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        on_click.forget();
    }

    fn on_click(&self, e: &web_sys::Event) {
        let Some(banner) = &self.banner else { return };
        match Act::from_event(e) {
            Some(Act::AcceptAll) => self.decide(Action::AcceptAll, self.config.all_ids()),
            Some(Act::RejectAll) => self.decide(Action::RejectAll, self.config.required_ids()),
            Some(Act::Preferences) => banner.open_preferences(),
            Some(Act::Save) => self.decide(Action::Custom, banner.chosen()),
            None => {}
        }
    }

    fn decide(&self, action: Action, categories: Vec<String>) {
        let Some(id) = new_id() else { return };
        let now = Self::now_s();
        let cfg = &self.config;
        let consent = Consent {
            id: id.clone(),
            categories,
            revision: cfg.revision.clone(),
            decided_s: now,
            expires_s: now + cfg.max_age_days * DAY_S,
        };
        let max_age = (!cfg.session).then_some(cfg.max_age_days * DAY_S);
        let secure = self.window.location().protocol().is_ok_and(|p| p == "https:");
        let line = cookie::set_cookie_string(&cfg.cookie_name, &consent.encode(), max_age, cfg.domain.as_deref(), secure);
        if let Some(d) = self.doc.dyn_ref::<HtmlDocument>() {
            let _ = d.set_cookie(&line);
        }
        if let Some(b) = &self.banner {
            b.remove();
        }
        gating::activate(&self.doc, &consent.categories);
        self.announce("consent:change", &consent.categories);
        self.post(action, Some(id), consent.categories);
    }

    fn announce(&self, name: &str, accepted: &[String]) {
        let rejected: Vec<String> = self.config.all_ids().into_iter().filter(|c| !accepted.contains(c)).collect();
        events::dispatch(&self.doc, name, accepted, &rejected);
    }

    fn post(&self, action: Action, consent_id: Option<String>, categories: Vec<String>) {
        let Some(id) = new_id() else { return };
        let path = self.window.location().pathname().unwrap_or_default();
        let event = Event {
            id,
            site: self.config.site.clone(),
            action,
            consent_id,
            categories,
            revision: self.config.revision.clone(),
            lang: self.config.lang.clone(),
            path,
            client_ts: js_sys::Date::now() as u64,
        };
        events::post(&self.window, &self.config.endpoint, &event);
    }
}
