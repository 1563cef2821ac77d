//! The widget's life on one page: start, decide, remember, change one's mind.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use consent_wire::{Action, Event};
use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlDocument, Window};

use crate::banner::{Act, Banner};
use crate::config::Config;
use crate::consent_id::new_id;
use crate::early_click::EarlyClick;
use crate::cookie::{self, Consent};
use crate::modal::{self, Modal};
use crate::outbox::Outbox;
use crate::policy_viewer::{self, Viewer};
use crate::settings_button::SettingsButton;
use crate::{consent_mode, cookie_cleanup, element, events, gating};

const DAY_S: u64 = 86_400;

pub struct Widget {
    pub(crate) window: Window,
    pub(crate) doc: Document,
    pub(crate) config: Config,
    /// The current decision (`None`: none yet, or no longer valid).
    pub(crate) consent: RefCell<Option<Consent>>,
    /// The last decodable cookie, current or not: its consent id is kept on a new decision.
    previous_id: RefCell<Option<String>>,
    banner: RefCell<Option<Banner>>,
    /// Active while the preferences are open: they are modal.
    preferences: Modal,
    settings: RefCell<Option<SettingsButton>>,
    viewer: RefCell<Option<Rc<Viewer>>>,
    outbox: Rc<Outbox>,
    /// Gated scripts and embeds, and the placeholders the widget made.
    gate: gating::Gate,
}

impl Widget {
    /// Starts the widget on this page: picks up where the cookie and the first
    /// layer left off (`early`: the first layer's button clicked before this
    /// module arrived; accept and reject are stored already, all are replayed),
    /// then what can wait, each in a task of its own.
    pub(crate) fn start(window: Window, doc: Document, config: Config, early: Option<EarlyClick>, nonce: String) -> Rc<Widget> {
        let outbox = Outbox::new(&window, &config.endpoint);
        let gate = gating::Gate::new(&doc, nonce, config.trust_late_scripts);
        let widget = Rc::new(Widget {
            window,
            doc,
            config,
            consent: RefCell::new(None),
            previous_id: RefCell::new(None),
            banner: RefCell::new(None),
            preferences: Modal::default(),
            settings: RefCell::new(None),
            viewer: RefCell::new(None),
            outbox,
            gate,
        });
        widget.resume(early);
        widget.start_the_rest(early.is_some_and(EarlyClick::stored));
        widget.listen_to_page();
        match early {
            Some(EarlyClick::Preferences) => widget.show_banner(true),
            Some(EarlyClick::Policy) => widget.show_policy(None, false),
            _ => {}
        }
        widget
    }

    /// The decision in the cookie, with the first layer's click if there was one.
    fn resume(self: &Rc<Self>, early: Option<EarlyClick>) {
        let stored = self.stored_consent();
        *self.previous_id.borrow_mut() = stored.as_ref().map(|c| c.id.clone());
        let current = stored.filter(|c| c.is_current(now_s(), &self.config.revision));
        match (current, early) {
            (Some(consent), Some(click @ (EarlyClick::Accept | EarlyClick::Reject))) => {
                // The first layer showed the banner and stored this click; everything
                // else a decision does happens here, as for a click on this banner.
                self.post(Action::BannerShown, None, Vec::new());
                self.decide(if click == EarlyClick::Accept { Action::AcceptAll } else { Action::RejectAll }, consent.categories);
            }
            (Some(consent), _) => {
                consent_mode::push_update(&self.config, &consent.categories);
                let cats = consent.categories.clone();
                *self.consent.borrow_mut() = Some(consent);
                self.activate();
                self.show_settings_button();
                self.announce("consent:ready", &cats);
            }
            (None, _) => {
                self.activate();
                self.show_banner(false);
            }
        }
    }

    /// What can wait a task waits, each in its own, so that starting is not one long
    /// task on a slow device: events an earlier page left, watching the page for new
    /// gated elements (and one more look for any added meanwhile).
    fn start_the_rest(self: &Rc<Self>, replayed: bool) {
        let me = self.clone();
        later(&self.window, move || {
            me.report_unreported(replayed);
            me.outbox.resume();
        });
        let me = self.clone();
        later(&self.window, move || {
            let again = me.clone();
            gating::observe(&me.doc, move || again.activate());
            me.activate();
        });
    }
}

/// Runs `f` in a task of its own, after the current one.
fn later(window: &Window, f: impl FnOnce() + 'static) {
    let f = Closure::once_into_js(f);
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), 0);
}

fn now_s() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

impl Widget {
    fn cookie_header(&self) -> String {
        self.doc.dyn_ref::<HtmlDocument>().and_then(|d| d.cookie().ok()).unwrap_or_default()
    }

    fn set_cookie(&self, line: &str) {
        if let Some(d) = self.doc.dyn_ref::<HtmlDocument>() {
            let _ = d.set_cookie(line);
        }
    }

    /// The decision in the cookie, if it decodes (current or not).
    fn stored_consent(&self) -> Option<Consent> {
        let header = self.cookie_header();
        Consent::decode(cookie::find(&header, &self.config.cookie_name)?).ok()
    }

    pub(crate) fn accepted(&self) -> Vec<String> {
        self.consent.borrow().as_ref().map(|c| c.categories.clone()).unwrap_or_default()
    }

    fn activate(&self) {
        self.gate.activate(&self.doc, &self.accepted(), &self.config.text("load_content"));
    }

    /// Does the browser send Global Privacy Control, and does it matter here?
    fn gpc(&self) -> bool {
        self.config.gpc && self.config.categories.iter().any(|c| c.gpc) && Reflect::get(&self.window.navigator(), &"globalPrivacyControl".into()).is_ok_and(|v| v.as_bool() == Some(true))
    }

    /// Shows the banner; with `preferences`, unfolded with the current choice ticked.
    pub(crate) fn show_banner(self: &Rc<Self>, preferences: bool) {
        if self.banner.borrow().is_some() {
            if preferences {
                self.open_preferences();
            }
            return;
        }
        let first = self.consent.borrow().is_none();
        let Some(banner) = Banner::show(&self.doc, &self.config, self.gpc()) else { return };
        let root = banner.root().clone();
        *self.banner.borrow_mut() = Some(banner);
        if preferences {
            self.open_preferences();
        }
        if first {
            // Recorded in a task of its own (see `start`).
            let me = self.clone();
            later(&self.window, move || me.post(Action::BannerShown, None, Vec::new()));
        }
        let me = self.clone();
        element::on(root.as_ref(), "click", move |e| me.on_click(&e));
        let me = self.clone();
        element::on(root.as_ref(), "keydown", move |e| {
            if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                me.on_key(k);
            }
        });
    }

    /// The preferences are modal: the page goes inert and Tab stays inside.
    fn open_preferences(&self) {
        let banner = self.banner.borrow();
        let Some(b) = banner.as_ref() else { return };
        let record = self.consent.borrow().as_ref().map(|c| c.id.clone());
        self.preferences.enter(&self.doc, Some(b.host()));
        b.open_preferences(&self.doc, &self.config, &self.accepted(), record.as_deref());
    }

    /// Escape closes the preferences: back to the first layer before a decision
    /// (silence is no answer), or away when a decision exists.
    fn on_key(&self, k: &web_sys::KeyboardEvent) {
        if !self.preferences.is_active() {
            return;
        }
        let banner = self.banner.borrow();
        let Some(b) = banner.as_ref() else { return };
        match k.key().as_str() {
            "Escape" => {
                k.prevent_default();
                if self.consent.borrow().is_some() {
                    drop(banner);
                    self.hide_banner();
                } else {
                    b.close_preferences();
                    self.preferences.leave();
                }
            }
            "Tab" => modal::trap_tab(b.root(), k),
            _ => {}
        }
    }

    pub(crate) fn hide_banner(&self) {
        if let Some(b) = self.banner.borrow_mut().take() {
            b.remove();
        }
        self.preferences.leave();
    }

    fn show_settings_button(self: &Rc<Self>) {
        if self.settings.borrow().is_some() {
            return;
        }
        let Some(button) = SettingsButton::show(&self.doc, &self.config.text("settings")) else { return };
        let me = self.clone();
        element::on(button.root.as_ref(), "click", move |e| me.on_click(&e));
        *self.settings.borrow_mut() = Some(button);
    }

    fn on_click(self: &Rc<Self>, e: &web_sys::Event) {
        let act = Act::from_event(e);
        let chosen = self.banner.borrow().as_ref().map(|b| b.chosen()).unwrap_or_default();
        match act {
            Some(Act::Policy) => {
                e.prevent_default();
                self.show_policy(None, false);
            }
            Some(Act::Preferences) | Some(Act::Settings) => self.show_banner(true),
            Some(Act::AcceptAll) => self.decide(Action::AcceptAll, self.config.all_ids()),
            Some(Act::RejectAll) => self.decide(Action::RejectAll, self.config.required_ids()),
            Some(Act::Save) => self.decide(Action::Custom, chosen),
            None => {}
        }
    }

    /// Page-wide requests: `#privacy[/section]` in the URL, and clicks on
    /// `[data-consent-policy]`, `[data-consent-open]` and placeholder buttons.
    fn listen_to_page(self: &Rc<Self>) {
        let me = self.clone();
        let check_hash = move || {
            let hash = me.window.location().hash().unwrap_or_default();
            if let Some(section) = policy_viewer::parse_fragment(&hash) {
                me.show_policy(section, true);
            }
        };
        check_hash();
        element::on(self.window.as_ref(), "hashchange", move |_| check_hash());
        let me = self.clone();
        element::on(self.doc.as_ref(), "click", move |e| {
            let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let near = |sel: &str| target.closest(sel).ok().flatten();
            if let Some(el) = near("[data-consent-policy]") {
                e.prevent_default();
                me.show_policy(el.get_attribute("data-consent-policy").filter(|s| !s.is_empty()), false);
            } else if near("[data-consent-open]").is_some() {
                e.prevent_default();
                me.show_banner(true);
            } else if let Some(cat) = near("[data-consent-load]").filter(|p| me.gate.is_placeholder(p)).and_then(|p| p.get_attribute(gating::LOAD_ATTR)) {
                let mut cats = me.accepted();
                cats.extend(me.config.required_ids());
                cats.push(cat);
                me.decide(Action::Custom, cats);
            }
        });
    }

    pub(crate) fn show_policy(&self, section: Option<String>, from_fragment: bool) {
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

    /// Stores a decision, acts on it and reports it. Dropping a category that
    /// was accepted before is a withdrawal.
    pub(crate) fn decide(self: &Rc<Self>, action: Action, chosen: Vec<String>) {
        let cfg = &self.config;
        // Keep config order, required ones always in, unknown ids out.
        let categories: Vec<String> = cfg.categories.iter().filter(|c| c.required || chosen.contains(&c.id)).map(|c| c.id.clone()).collect();
        let before = self.accepted();
        let action = if before.iter().any(|c| !categories.contains(c)) { Action::Withdraw } else { action };
        let id = match self.previous_id.borrow().clone() {
            Some(id) => id,
            None => match new_id() {
                Some(id) => id,
                None => return,
            },
        };
        let now = now_s();
        let consent = Consent { id: id.clone(), categories: categories.clone(), revision: cfg.revision.clone(), decided_s: now, expires_s: now + cfg.max_age_days * DAY_S };
        let max_age = (!cfg.session).then_some(cfg.max_age_days * DAY_S);
        let secure = self.window.location().protocol().is_ok_and(|p| p == "https:");
        self.set_cookie(&cookie::set_cookie_string(&cfg.cookie_name, &consent.encode(), max_age, cfg.domain.as_deref(), secure));
        *self.previous_id.borrow_mut() = Some(id.clone());
        *self.consent.borrow_mut() = Some(consent);
        self.hide_banner();
        self.delete_refused_cookies(&categories);
        consent_mode::push_update(cfg, &categories);
        self.activate();
        self.show_settings_button();
        self.announce("consent:change", &categories);
        self.post(action, Some(id), categories);
    }

    /// Forgets the decision: the cookie goes, the banner comes back.
    pub(crate) fn reset(self: &Rc<Self>) {
        let cfg = &self.config;
        for line in cookie_cleanup::expiry_lines(&cfg.cookie_name, &self.window.location().hostname().unwrap_or_default()) {
            self.set_cookie(&line);
        }
        *self.consent.borrow_mut() = None;
        *self.previous_id.borrow_mut() = None;
        if let Some(s) = self.settings.borrow_mut().take() {
            s.remove();
        }
        self.hide_banner();
        self.show_banner(false);
    }

    fn delete_refused_cookies(&self, accepted: &[String]) {
        let host = self.window.location().hostname().unwrap_or_default();
        let header = self.cookie_header();
        for cat in self.config.categories.iter().filter(|c| !accepted.contains(&c.id)) {
            for name in cookie_cleanup::matching(&header, &cat.cookies) {
                for line in cookie_cleanup::expiry_lines(name, &host) {
                    self.set_cookie(&line);
                }
            }
        }
    }

    fn announce(&self, name: &str, accepted: &[String]) {
        let rejected: Vec<String> = self.config.all_ids().into_iter().filter(|c| !accepted.contains(c)).collect();
        events::dispatch(&self.doc, name, accepted, &rejected);
    }

    /// A click on the first layer's "Accept all" or "Reject all" stored the decision
    /// on an earlier page, which was left before the full widget recorded it: it is
    /// recorded now (shown, then decided, with that page's path), if it is still the
    /// current decision. `replayed`: this page's start has recorded it already.
    fn report_unreported(&self, replayed: bool) {
        let Some((act, path)) = self.outbox.take_unreported() else { return };
        if replayed {
            return;
        }
        let action = match act.as_str() {
            "accept" => Action::AcceptAll,
            "reject" => Action::RejectAll,
            _ => return,
        };
        let Some(consent) = self.consent.borrow().clone() else { return };
        let path = if path.starts_with('/') { path } else { self.window.location().pathname().unwrap_or_default() };
        self.post_from(path.clone(), Action::BannerShown, None, Vec::new());
        self.post_from(path, action, Some(consent.id), consent.categories);
    }

    fn post(&self, action: Action, consent_id: Option<String>, categories: Vec<String>) {
        self.post_from(self.window.location().pathname().unwrap_or_default(), action, consent_id, categories);
    }

    fn post_from(&self, path: String, action: Action, consent_id: Option<String>, categories: Vec<String>) {
        let Some(id) = new_id() else { return };
        let event = Event {
            id,
            site: self.config.site.clone(),
            action,
            consent_id,
            categories,
            revision: self.config.revision.clone(),
            banner: Some(self.config.banner_version.clone()),
            lang: self.config.lang.clone(),
            // What the server stores: shortened, so the event always fits.
            path: consent_wire::path::normalise(&path),
            client_ts: js_sys::Date::now() as u64,
        };
        self.outbox.send(event.to_json());
    }
}
