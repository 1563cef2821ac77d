//! The widget's life on one page: start, decide, remember, change one's mind.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use consent_wire::Action;
use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Window};

use crate::banner::{Act, Banner};
use crate::config::{Config, Mode};
use crate::consent_id::new_id;
use crate::cookie::{self, Consent};
use crate::early_click::EarlyClick;
use crate::framework::Framework;
use crate::listener::Listener;
use crate::modal::{self, Modal};
use crate::outbox::Outbox;
use crate::policy_viewer::Viewer;
use crate::settings_button::SettingsButton;
use crate::{consent_mode, consent_rules, cookie_cleanup, gating};

mod cookies;
mod page;
mod reporting;

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
    /// The TCF CMP of a `[tcf]` site.
    framework: Option<Framework>,
}

impl Widget {
    /// Starts the widget on this page: picks up where the cookie and the first
    /// layer left off (`early`: the first layer's button clicked before this
    /// module arrived; accept and reject are stored already, all are replayed),
    /// then what can wait, each in a task of its own.
    pub(crate) fn start(window: Window, doc: Document, config: Config, early: Option<EarlyClick>, nonce: String, framework: Option<Framework>) -> Rc<Widget> {
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
            framework,
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
                self.post(Action::BannerShown, None, Vec::new(), true);
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
                // Where nothing is shown, the categories simply run until the visitor objects.
                if self.config.mode != Mode::Nothing {
                    self.show_banner(false);
                }
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
    /// What the visitor decided (nothing before a decision).
    pub(crate) fn accepted(&self) -> Vec<String> {
        self.consent.borrow().as_ref().map(|c| c.categories.clone()).unwrap_or_default()
    }

    /// What is in force: the decision, or before one, what the region presumes
    /// (opt-in: nothing; elsewhere every category but those GPC refuses).
    pub(crate) fn in_force(&self) -> Vec<String> {
        match self.consent.borrow().as_ref() {
            Some(c) => c.categories.clone(),
            None => self.presumed(),
        }
    }

    fn presumed(&self) -> Vec<String> {
        if self.config.mode == Mode::OptIn {
            return Vec::new();
        }
        let gpc = self.gpc();
        self.config.categories.iter().filter(|c| c.required || !(gpc && c.gpc)).map(|c| c.id.clone()).collect()
    }

    fn activate(&self) {
        let entry_of = |el: &web_sys::Element| self.config.gated_entry(el.get_attribute("data-category"), el.get_attribute("data-service"));
        self.gate.activate(&self.doc, &self.in_force(), &entry_of, &self.config.text("load_content"));
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
        let Some(mut banner) = Banner::show(&self.doc, &self.config, self.gpc()) else { return };
        // The banner owns its listeners: they go when it goes (`hide_banner`).
        let root = banner.root().clone();
        let me = self.clone();
        banner.hold(Listener::new(root.as_ref(), "click", move |e| me.on_click(&e)));
        let me = self.clone();
        banner.hold(Listener::new(root.as_ref(), "keydown", move |e| {
            if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                me.on_key(k);
            }
        }));
        *self.banner.borrow_mut() = Some(banner);
        if let Some(f) = &self.framework {
            f.shown();
        }
        if preferences {
            self.open_preferences();
        }
        if first {
            // Recorded in a task of its own (see `start`).
            let me = self.clone();
            later(&self.window, move || me.post(Action::BannerShown, None, Vec::new(), true));
        }
    }

    /// The preferences are modal: the page goes inert and Tab stays inside.
    fn open_preferences(&self) {
        let banner = self.banner.borrow();
        let Some(b) = banner.as_ref() else { return };
        let record = self.consent.borrow().as_ref().map(|c| c.id.clone());
        self.preferences.enter(&self.doc, Some(b.host()));
        b.open_preferences(&self.doc, &self.config, &self.in_force(), record.as_deref());
        if let Some(f) = &self.framework {
            f.preferences(b.root().as_ref());
        }
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
        let Some(mut button) = SettingsButton::show(&self.doc, &self.config.text("settings")) else { return };
        let me = self.clone();
        let root = button.root.clone();
        button.hold(Listener::new(root.as_ref(), "click", move |e| me.on_click(&e)));
        *self.settings.borrow_mut() = Some(button);
    }

    fn on_click(self: &Rc<Self>, e: &web_sys::Event) {
        let act = Act::from_event(e);
        let chosen = self
            .banner
            .borrow()
            .as_ref()
            .map(|b| {
                b.toggled(e);
                b.chosen()
            })
            .unwrap_or_default();
        match act {
            Some(Act::Policy) => {
                e.prevent_default();
                self.show_policy(None, false);
            }
            Some(Act::Preferences) | Some(Act::Settings) => self.show_banner(true),
            // The notice's "OK" keeps what is in force (GPC's refusals too).
            Some(Act::AcceptAll) if self.config.mode != Mode::OptIn => {
                let kept = self.presumed();
                self.decide(if kept.len() == self.config.categories.len() { Action::AcceptAll } else { Action::Custom }, kept)
            }
            Some(Act::AcceptAll) => self.decide(Action::AcceptAll, self.config.all_ids()),
            Some(Act::RejectAll) => self.decide(Action::RejectAll, self.config.required_ids()),
            Some(Act::Save) => self.decide(Action::Custom, chosen),
            None => {}
        }
    }

    /// Stores a decision, acts on it and reports it. Dropping a category that
    /// was accepted before is a withdrawal.
    pub(crate) fn decide(self: &Rc<Self>, action: Action, chosen: Vec<String>) {
        let cfg = &self.config;
        let first = self.consent.borrow().is_none();
        let categories = consent_rules::stored_categories(cfg.shapes(), &chosen);
        let action = consent_rules::recorded_action(action, &self.accepted(), &categories);
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
        // Before any gated script runs: a TCF vendor's first call hears this decision.
        if let Some(f) = &self.framework {
            f.decided(&categories, action == Action::AcceptAll, &cfg.lang);
        }
        self.hide_banner();
        self.delete_refused_cookies(&categories);
        consent_mode::push_update(cfg, &categories);
        self.activate();
        self.show_settings_button();
        self.announce("consent:change", &categories);
        self.post(action, Some(id), categories, first);
    }

    /// Forgets the decision: the cookie goes, the banner comes back.
    pub(crate) fn reset(self: &Rc<Self>) {
        let cfg = &self.config;
        for line in cookie_cleanup::expiry_lines(&cfg.cookie_name, &self.window.location().hostname().unwrap_or_default()) {
            self.set_cookie(&line);
        }
        *self.consent.borrow_mut() = None;
        *self.previous_id.borrow_mut() = None;
        if let Some(f) = &self.framework {
            f.reset();
        }
        if let Some(s) = self.settings.borrow_mut().take() {
            s.remove();
        }
        self.hide_banner();
        self.show_banner(false);
    }
}
