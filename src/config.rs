//! The site configuration as the widget receives it (`config.json`, made at build
//! time by `cargo xtask build` from `pkg-config/`), read once into typed fields.

use alloc::string::String;
use alloc::vec::Vec;

use consent_first_layer::lang;
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub struct Category {
    pub id: String,
    pub required: bool,
    pub title: String,
    pub description: String,
    /// Consent Mode signals this category grants (when accepted whole).
    pub signals: Vec<String>,
    /// Starts refused when the browser sends Global Privacy Control.
    pub gpc: bool,
    /// Each a choice of its own in the preferences.
    pub services: Vec<Service>,
}

pub struct Service {
    /// `category/<id>` in a decision.
    pub id: String,
    pub name: String,
    pub provider: String,
    /// Consent Mode signals this service grants.
    pub signals: Vec<String>,
    /// Declared cookie names and `prefix*` patterns, deleted when the service is refused.
    pub cookies: Vec<String>,
    /// Its cookies for the preferences table: name, provider, purpose, duration.
    pub table: Vec<[String; 4]>,
}

/// What the visitor's region is shown before deciding (`mode`, in the config the
/// server picked for the region: `consent_wire::config::regions`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The banner: nothing beyond the necessary runs before the visitor accepts.
    OptIn,
    /// A notice: categories run until the visitor objects ("Do not sell or share").
    OptOut,
    /// Nothing shown; categories run until the visitor objects (through the API).
    Nothing,
}

pub struct Config {
    pub mode: Mode,
    /// The A/B variant of the first layer this page drew (`[[variants]]`).
    pub variant: Option<String>,
    /// Its button order (letters, `skeleton::Look::order`) and button styles (CSS).
    pub order: String,
    pub css: String,
    pub site: String,
    pub endpoint: String,
    pub revision: String,
    /// Hash of what the banner shows in this language (proof of what was asked).
    pub banner_version: String,
    pub cookie_name: String,
    pub max_age_days: u64,
    pub session: bool,
    pub domain: Option<String>,
    pub lang: String,
    pub policy_url: String,
    /// The structured policy in the visitor's language, fetched when the viewer opens.
    pub policy_doc: String,
    /// The same policy as a plain page ("open as page").
    pub policy_page: String,
    pub categories: Vec<Category>,
    /// Google Consent Mode is on (the site's config has its default state).
    pub consent_mode: bool,
    /// Honour Global Privacy Control.
    pub gpc: bool,
    /// Run inert scripts added after the start without the page's nonce too.
    pub trust_late_scripts: bool,
    /// The banner's layout and colour scheme as configured (checked where used).
    pub layout: String,
    pub theme: String,
    texts: JsValue,
    fallback_texts: JsValue,
}

/// A missing or mistyped field; the message names it.
pub struct BadField(pub &'static str);

impl Category {
    /// One category of the merged config, its texts in `lang` (else `default_lang`).
    fn read(c: &JsValue, lang: &str, default_lang: &str) -> Result<Category, BadField> {
        Ok(Category {
            id: string(c, "id")?,
            required: get(c, "required").as_bool().unwrap_or(false),
            title: localized(&get(c, "title"), lang, default_lang).ok_or(BadField("categories[].title"))?,
            description: localized(&get(c, "description"), lang, default_lang).unwrap_or_default(),
            signals: strings(&get(c, "signals")),
            gpc: get(c, "gpc").as_bool().unwrap_or(false),
            services: get(c, "services").dyn_ref::<Array>().map(|list| list.iter().map(|s| Service::read(&s, lang, default_lang)).collect()).unwrap_or_default(),
        })
    }
}

impl Service {
    fn read(s: &JsValue, lang: &str, default_lang: &str) -> Service {
        let field = |o: &JsValue, k| get(o, k).as_string().unwrap_or_default();
        let cookies = get(s, "cookies").dyn_ref::<Array>().map(|a| a.to_vec()).unwrap_or_default();
        let provider = field(s, "provider");
        Service {
            id: field(s, "id"),
            name: field(s, "name"),
            signals: strings(&get(s, "signals")),
            cookies: cookies.iter().map(|k| field(k, "name")).collect(),
            table: cookies
                .iter()
                .map(|k| {
                    let local = |key| localized(&get(k, key), lang, default_lang).unwrap_or_default();
                    [field(k, "name"), provider.clone(), local("purpose"), local("duration")]
                })
                .collect(),
            provider,
        }
    }
}

impl Config {
    /// Reads the config object and picks the language: `<html lang>`, then the browser's.
    pub fn read(obj: &JsValue, page_lang: &str, browser_lang: &str) -> Result<Config, BadField> {
        let langs = get(obj, "langs");
        if !langs.is_object() {
            return Err(BadField("langs"));
        }
        let langs = strings(&langs);
        let default_lang = string(obj, "defaultLang")?;
        let lang = String::from(lang::pick(page_lang, browser_lang, langs.iter().map(String::as_str), &default_lang));
        let all_texts = get(obj, "texts");
        let texts = get(&all_texts, &lang);
        let fallback_texts = get(&all_texts, &default_lang);
        if !fallback_texts.is_object() {
            return Err(BadField("texts"));
        }
        let cookie = get(obj, "cookie");
        let mut categories = Vec::new();
        for c in get(obj, "categories").dyn_ref::<Array>().ok_or(BadField("categories"))?.iter() {
            categories.push(Category::read(&c, &lang, &default_lang)?);
        }
        let mode = match get(obj, "mode").as_string().as_deref() {
            Some("opt-out") => Mode::OptOut,
            Some("none") => Mode::Nothing,
            _ => Mode::OptIn,
        };
        // The notice and each variant are banner versions of their own: the proof shows what was asked.
        let variant = get(obj, "variant").as_string();
        let versions = match (&variant, mode) {
            (Some(v), _) => get(&get(obj, "variantVersions"), v),
            (None, Mode::OptOut) => get(obj, "noticeVersions"),
            (None, _) => get(obj, "bannerVersions"),
        };
        Ok(Config {
            mode,
            variant,
            order: get(obj, "order").as_string().unwrap_or_default(),
            css: get(obj, "css").as_string().unwrap_or_default(),
            site: string(obj, "site")?,
            endpoint: string(obj, "endpoint")?,
            revision: string(obj, "revision")?,
            banner_version: localized(&versions, &lang, &default_lang).ok_or(BadField("bannerVersions"))?,
            cookie_name: string(&cookie, "name").map_err(|_| BadField("cookie.name"))?,
            max_age_days: get(&cookie, "maxAgeDays").as_f64().ok_or(BadField("cookie.maxAgeDays"))? as u64,
            session: get(&cookie, "session").as_bool().unwrap_or(false),
            domain: get(&cookie, "domain").as_string().filter(|d| !d.is_empty()),
            lang: lang.clone(),
            policy_url: string(obj, "policyUrl")?,
            policy_doc: localized(&get(obj, "policyDocs"), &lang, &default_lang).ok_or(BadField("policyDocs"))?,
            policy_page: localized(&get(obj, "policyPages"), &lang, &default_lang).ok_or(BadField("policyPages"))?,
            categories,
            consent_mode: get(obj, "consentDefault").is_object(),
            gpc: get(obj, "gpc").as_bool().unwrap_or(true),
            trust_late_scripts: get(obj, "trustLateScripts").as_bool().unwrap_or(false),
            layout: get(obj, "layout").as_string().unwrap_or_default(),
            theme: get(obj, "theme").as_string().unwrap_or_default(),
            texts,
            fallback_texts,
        })
    }

    /// A visible text in the visitor's language, else the site's default language.
    /// The opt-out notice is the banner's tree with texts of its own.
    pub fn text(&self, key: &str) -> String {
        let key = match (self.mode, key) {
            (Mode::OptOut, "title") => "notice_title",
            (Mode::OptOut, "description") => "notice_description",
            (Mode::OptOut, "accept_all") => "notice_ok",
            (Mode::OptOut, "reject_all") => "do_not_sell",
            _ => key,
        };
        get(&self.texts, key).as_string().or_else(|| get(&self.fallback_texts, key).as_string()).unwrap_or_default()
    }

    pub fn required_ids(&self) -> Vec<String> {
        self.categories.iter().filter(|c| c.required).map(|c| c.id.clone()).collect()
    }

    /// The categories as the decision rules see them (`consent_rules::Shape`).
    pub fn shapes(&self) -> impl Iterator<Item = crate::consent_rules::Shape<'_>> {
        self.categories.iter().map(|c| (c.id.as_str(), c.required, c.services.iter().map(|s| s.id.as_str()).collect()))
    }

    /// The entry a gated element waits for (`consent_wire::choice`): its
    /// `data-service` (`service` or `category/service`), in its `data-category`
    /// or else in the category that has a service of that id; without one, its
    /// `data-category`. `None`: a service this site does not have, in no category.
    pub fn gated_entry(&self, category: Option<String>, service: Option<String>) -> Option<String> {
        let Some(service) = service else { return category };
        if service.contains('/') {
            return Some(service);
        }
        let category = category.or_else(|| self.categories.iter().find(|c| c.services.iter().any(|s| s.id == service)).map(|c| c.id.clone()))?;
        Some(consent_wire::choice::service_entry(&category, &service))
    }

    pub fn all_ids(&self) -> Vec<String> {
        self.categories.iter().map(|c| c.id.clone()).collect()
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn strings(list: &JsValue) -> Vec<String> {
    list.dyn_ref::<Array>().map(|a| a.iter().filter_map(|v| v.as_string()).collect()).unwrap_or_default()
}

fn string(obj: &JsValue, key: &'static str) -> Result<String, BadField> {
    get(obj, key).as_string().filter(|s| !s.is_empty()).ok_or(BadField(key))
}

fn localized(map: &JsValue, lang: &str, default_lang: &str) -> Option<String> {
    get(map, lang).as_string().or_else(|| get(map, default_lang).as_string())
}
