//! The widget's life on one page: start, decide, remember; and the handle the
//! loader turns into the `window.Consent` API.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use consent_wire::{Action, Event};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlDocument, Window};

use crate::banner::{Act, Banner};
use crate::config::{BadField, Config};
use crate::consent_id::new_id;
use crate::cookie::{self, Consent};
use crate::policy_viewer::{self, Viewer};
use crate::{events, gating};

const DAY_S: u64 = 86_400;

struct Widget {
    window: Window,
    doc: Document,
    config: Config,
    banner: RefCell<Option<Banner>>,
    viewer: RefCell<Option<Rc<Viewer>>>,
}

/// What `window.Consent` calls into.
#[wasm_bindgen]
pub struct Handle(Rc<Widget>);

#[wasm_bindgen]
impl Handle {
    /// Opens the privacy-policy viewer, at `section` ("1.7") if given.
    #[wasm_bindgen(js_name = showPolicy)]
    pub fn show_policy(&self, section: Option<String>) {
        self.0.show_policy(section, false);
    }
}

/// Entry point, called by the loader with the parsed `config.json`.
#[wasm_bindgen]
pub fn start(config: JsValue) -> Result<Handle, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let page_lang = doc.document_element().map(|e| e.get_attribute("lang").unwrap_or_default()).unwrap_or_default();
    let browser_lang = window.navigator().language().unwrap_or_default();
    let config = Config::read(&config, &page_lang, &browser_lang)
        .map_err(|BadField(f)| JsValue::from_str(&(String::from("config.json: field `") + f + "` is missing or has the wrong type")))?;

    let widget = Rc::new(Widget { window, doc, config, banner: RefCell::new(None), viewer: RefCell::new(None) });
    match widget.current_consent() {
        Some(consent) => {
            gating::activate(&widget.doc, &consent.categories);
            widget.announce("consent:ready", &consent.categories);
        }
        None => widget.show_banner(),
    }
    widget.listen_for_policy_requests();
    Ok(Handle(widget))
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

    fn show_banner(self: &Rc<Self>) {
        let Some(banner) = Banner::show(&self.doc, &self.config) else { return };
        let root = banner.root().clone();
        *self.banner.borrow_mut() = Some(banner);
        self.post(Action::BannerShown, None, Vec::new());
        let me = self.clone();
        policy_viewer::on(root.as_ref(), "click", move |e| me.on_click(&e));
    }

    fn on_click(self: &Rc<Self>, e: &web_sys::Event) {
        let act = Act::from_event(e);
        if let Some(Act::Policy) = act {
            e.prevent_default();
            self.show_policy(None, false);
            return;
        }
        let chosen = match (&act, self.banner.borrow().as_ref()) {
            (Some(Act::Preferences), Some(b)) => {
                b.open_preferences();
                return;
            }
            (Some(Act::Save), Some(b)) => b.chosen(),
            _ => Vec::new(),
        };
        match act {
            Some(Act::AcceptAll) => self.decide(Action::AcceptAll, self.config.all_ids()),
            Some(Act::RejectAll) => self.decide(Action::RejectAll, self.config.required_ids()),
            Some(Act::Save) => self.decide(Action::Custom, chosen),
            _ => {}
        }
    }

    /// `#privacy[/section]` in the URL, now or later, and clicks on
    /// `[data-consent-policy]` elements open the viewer.
    fn listen_for_policy_requests(self: &Rc<Self>) {
        let me = self.clone();
        let check_hash = move || {
            let hash = me.window.location().hash().unwrap_or_default();
            if let Some(section) = policy_viewer::parse_fragment(&hash) {
                me.show_policy(section, true);
            }
        };
        check_hash();
        policy_viewer::on(self.window.as_ref(), "hashchange", move |_| check_hash());
        let me = self.clone();
        policy_viewer::on(self.doc.as_ref(), "click", move |e| {
            let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            if let Some(el) = target.closest("[data-consent-policy]").ok().flatten() {
                e.prevent_default();
                let section = el.get_attribute("data-consent-policy").filter(|s| !s.is_empty());
                me.show_policy(section, false);
            }
        });
    }

    fn show_policy(&self, section: Option<String>, from_fragment: bool) {
        let existing = self.viewer.borrow().clone();
        let viewer = match existing {
            Some(v) => v,
            None => {
                let Some(v) = Viewer::create(&self.window, &self.doc, &self.config) else { return };
                *self.viewer.borrow_mut() = Some(v.clone());
                v
            }
        };
        viewer.open(section, from_fragment);
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
        if let Some(b) = self.banner.borrow_mut().take() {
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
