//! One visit of one page in a fresh browser context (no cookies, no storage):
//! load, wait for the network to go quiet, scroll, then — depending on the
//! visit — "Reject all" or "Accept all" with the widget's own buttons and a
//! reload; after "Accept all" also a withdrawal in the preferences. What was
//! stored and requested is read at each of those moments.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::cdp::{CdpError, Chromium};
use super::seen::{self, Area, Observation, Phase, SeenRequest, SeenStorage, MAX_ITEMS};

/// How long a page may take to fire its `load` event.
const LOAD_TIMEOUT: Duration = Duration::from_secs(15);
/// The network counts as idle after this long without a request in flight…
const QUIET: Duration = Duration::from_millis(500);
/// …or, for pages that never stop talking, after this long anyway.
const SETTLE_MAX: Duration = Duration::from_secs(5);
/// The binding the cookie-setter recorder reports through.
const BINDING: &str = "__consentScanSetter";

/// Wraps `document.cookie`'s setter so each write reports the cookie's name
/// and the first script URL on the stack (the writer), before any page script runs.
const RECORDER: &str = r#"(() => { const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie'); const report = globalThis.__consentScanSetter; if (!d || !d.set || !report) return; Object.defineProperty(Document.prototype, 'cookie', { configurable: true, enumerable: d.enumerable, get() { return d.get.call(this); }, set(v) { try { const m = String(new Error().stack || '').match(/(https?:\/\/[^\s)]+?):\d+:\d+/); report(JSON.stringify([String(v).split('=')[0].trim().slice(0, 256), m ? m[1] : String(location.href)])); } catch (e) {} d.set.call(this, v); } }); })()"#;

/// Storage keys, IndexedDB names and the page's links.
const READ_PAGE: &str = r#"(async () => { const keys = (s) => { try { return Object.keys(s).slice(0, 500); } catch (e) { return []; } }; let idb = []; try { idb = (await indexedDB.databases()).map((d) => String(d.name)).slice(0, 500); } catch (e) {} let links = []; try { links = Array.from(document.querySelectorAll('a[href]'), (a) => String(a.href)).slice(0, 2000); } catch (e) {} return { local: keys(localStorage), session: keys(sessionStorage), idb, links }; })()"#;

/// Clicks the banner's `data-act` button once it is there (up to 5 s).
fn click_script(act: &str) -> String {
    format!(
        "(async () => {{ for (let i = 0; i < 50; i++) {{ const b = document.querySelector('consent-banner')?.shadowRoot?.querySelector('button[data-act={act}]'); if (b) {{ b.click(); return true; }} await new Promise((r) => setTimeout(r, 100)); }} return false; }})()"
    )
}

/// Opens the preferences from the settings button, unticks every optional category and saves.
const WITHDRAW: &str = r#"(async () => { const wait = async (f) => { for (let i = 0; i < 50; i++) { const v = f(); if (v) return v; await new Promise((r) => setTimeout(r, 100)); } return null; }; const open = await wait(() => document.querySelector('consent-settings')?.shadowRoot?.querySelector('button')); if (!open) return false; open.click(); const root = () => document.querySelector('consent-banner')?.shadowRoot; const boxes = await wait(() => { const l = root()?.querySelectorAll('input[data-cat]'); return l && l.length ? l : null; }); if (!boxes) return false; for (const b of boxes) if (b.checked && !b.disabled) b.click(); const save = root().querySelector('button[data-act=save]'); if (!save) return false; save.click(); return true; })()"#;

/// What the visit does after loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Click {
    Nothing,
    RejectAll,
    /// "Accept all", then a withdrawal of every optional category.
    AcceptAll,
}

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("could not be loaded: {0}")]
    Unreachable(String),
    #[error("did not finish loading in {0:?}")]
    NeverLoaded(Duration),
    #[error("the browser failed: {0}")]
    Browser(#[from] CdpError),
}

/// What a visit found: its observations, the page's links, whether the banner's buttons were there.
#[derive(Debug, Default)]
pub struct Visited {
    pub observations: Vec<Observation>,
    pub links: Vec<String>,
    /// `false` when the visit had to click the banner and found no button to click.
    pub banner_found: bool,
}

/// Visits `url` in a context of its own, removed afterwards whatever happens.
pub async fn visit(browser: &Chromium, url: &str, click: Click, user_agent: &str) -> Result<Visited, PageError> {
    in_own_context(browser, url, user_agent, async |tab| tab.click(click).await).await
}

/// Loads `url` in a context of its own and evaluates `script` there (for the
/// site's `robots.txt` and sitemaps, fetched by the page as the browser would).
pub async fn evaluate_at(browser: &Chromium, url: &str, script: &str, user_agent: &str) -> Result<Value, PageError> {
    in_own_context(browser, url, user_agent, async |tab| Ok(tab.evaluate(script).await?)).await
}

/// Opens `url` in a fresh browser context (no cookies, no storage), runs
/// `then` on the page, and removes the context whatever happened.
async fn in_own_context<'a, T>(browser: &'a Chromium, url: &str, user_agent: &str, then: impl AsyncFnOnce(&mut Tab<'a>) -> Result<T, PageError>) -> Result<T, PageError> {
    let created = browser.call(None, "Target.createBrowserContext", json!({ "disposeOnDetach": true })).await?;
    let context = created.get("browserContextId").and_then(Value::as_str).unwrap_or_default().to_owned();
    let result = match Tab::open_in(browser, &context, url, user_agent).await {
        Ok(mut tab) => then(&mut tab).await,
        Err(e) => Err(e),
    };
    let _ = browser.call(None, "Target.disposeBrowserContext", json!({ "browserContextId": context })).await;
    result
}

impl<'a> Tab<'a> {
    /// A page in `context`, prepared and loaded with `url`.
    async fn open_in(browser: &'a Chromium, context: &str, url: &str, user_agent: &str) -> Result<Tab<'a>, PageError> {
        let target = browser.call(None, "Target.createTarget", json!({ "url": "about:blank", "browserContextId": context })).await?;
        let target_id = target.get("targetId").and_then(Value::as_str).unwrap_or_default();
        let attached = browser.call(None, "Target.attachToTarget", json!({ "targetId": target_id, "flatten": true })).await?;
        let session = attached.get("sessionId").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut tab = Tab { browser, session, context: context.to_owned(), ..Tab::new(browser) };
        tab.prepare(user_agent).await?;
        tab.open(url).await?;
        Ok(tab)
    }

    async fn click(&mut self, click: Click) -> Result<Visited, PageError> {
        let mut visited = Visited { banner_found: true, ..Visited::default() };
        match click {
            Click::Nothing => {
                let (observation, links) = self.observe(Phase::BeforeChoice, 0).await?;
                visited.observations.push(observation);
                visited.links = links;
            }
            Click::RejectAll => {
                let from = self.requests.len();
                visited.banner_found = self.act(&click_script("reject")).await?;
                visited.observations.push(self.observe(Phase::AfterReject, from).await?.0);
            }
            Click::AcceptAll => {
                visited.banner_found = self.act(&click_script("accept")).await?;
                visited.observations.push(self.observe(Phase::AfterAccept, 0).await?.0);
                let from = self.requests.len();
                if self.act(WITHDRAW).await? {
                    visited.observations.push(self.observe(Phase::AfterWithdrawal, from).await?.0);
                }
            }
        }
        Ok(visited)
    }
}

/// One page target and what its events told so far.
struct Tab<'a> {
    browser: &'a Chromium,
    session: String,
    context: String,
    requests: Vec<SeenRequest>,
    urls: HashMap<String, String>,
    in_flight: HashSet<String>,
    /// Cookie name → who set it first.
    setters: HashMap<String, String>,
    /// `Set-Cookie` names of responses whose request was not told yet, by request id.
    early_set_cookies: HashMap<String, Vec<String>>,
    loaded: bool,
}

impl<'a> Tab<'a> {
    fn new(browser: &'a Chromium) -> Tab<'a> {
        Tab {
            browser,
            session: String::new(),
            context: String::new(),
            requests: Vec::new(),
            urls: HashMap::new(),
            in_flight: HashSet::new(),
            setters: HashMap::new(),
            early_set_cookies: HashMap::new(),
            loaded: false,
        }
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, CdpError> {
        self.browser.call(Some(&self.session), method, params).await
    }

    async fn prepare(&self, user_agent: &str) -> Result<(), CdpError> {
        for method in ["Network.enable", "Page.enable", "Runtime.enable"] {
            self.call(method, json!({})).await?;
        }
        self.call("Network.setUserAgentOverride", json!({ "userAgent": user_agent })).await?;
        self.call("Runtime.addBinding", json!({ "name": BINDING })).await?;
        self.call("Page.addScriptToEvaluateOnNewDocument", json!({ "source": RECORDER })).await?;
        Ok(())
    }

    /// Loads `url`, lets it settle, scrolls to the bottom and lets it settle again.
    async fn open(&mut self, url: &str) -> Result<(), PageError> {
        self.loaded = false;
        // A server that never answers holds the navigation itself.
        let navigation = tokio::time::timeout(LOAD_TIMEOUT, self.call("Page.navigate", json!({ "url": url })));
        let answer = navigation.await.map_err(|_| PageError::NeverLoaded(LOAD_TIMEOUT))??;
        if let Some(error) = answer.get("errorText").and_then(Value::as_str).filter(|e| !e.is_empty()) {
            return Err(PageError::Unreachable(seen::bounded(error)));
        }
        self.wait_load().await?;
        self.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)").await?;
        self.settle().await;
        Ok(())
    }

    /// Runs an action script (a click); on success lets the page settle, reloads it and lets it settle.
    async fn act(&mut self, script: &str) -> Result<bool, PageError> {
        if self.evaluate(script).await?.as_bool() != Some(true) {
            return Ok(false);
        }
        self.settle().await;
        self.loaded = false;
        self.call("Page.reload", json!({})).await?;
        self.wait_load().await?;
        Ok(true)
    }

    async fn wait_load(&mut self) -> Result<(), PageError> {
        let deadline = Instant::now() + LOAD_TIMEOUT;
        while !self.loaded {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(PageError::NeverLoaded(LOAD_TIMEOUT));
            }
            self.pump(left).await;
        }
        self.settle().await;
        Ok(())
    }

    /// Waits until no request has been in flight for [`QUIET`], at most [`SETTLE_MAX`].
    async fn settle(&mut self) {
        let deadline = Instant::now() + SETTLE_MAX;
        let mut quiet_since = Instant::now();
        loop {
            let now = Instant::now();
            if now >= deadline || (self.in_flight.is_empty() && now.duration_since(quiet_since) >= QUIET) {
                return;
            }
            if !self.in_flight.is_empty() {
                quiet_since = now;
            }
            self.pump(Duration::from_millis(50)).await;
        }
    }

    /// Reads events for up to `wait` (returns after the first one).
    async fn pump(&mut self, wait: Duration) {
        let Some(event) = self.browser.next_event(wait).await else { return };
        if event.session.as_deref() != Some(self.session.as_str()) {
            return;
        }
        let p = &event.params;
        let id = p.get("requestId").and_then(Value::as_str).unwrap_or_default().to_owned();
        match event.method.as_str() {
            "Page.loadEventFired" => self.loaded = true,
            "Network.requestWillBeSent" => {
                if let Some(url) = p.pointer("/request/url").and_then(Value::as_str) {
                    let url = seen::bounded(url);
                    for name in self.early_set_cookies.remove(&id).unwrap_or_default() {
                        self.note_setter(name, &format!("response {url}"));
                    }
                    self.urls.insert(id.clone(), url);
                }
                self.in_flight.insert(id);
                if self.requests.len() < MAX_ITEMS {
                    self.requests.extend(seen::request(p));
                }
            }
            "Network.loadingFinished" | "Network.loadingFailed" => {
                self.in_flight.remove(&id);
            }
            "Network.responseReceivedExtraInfo" => self.note_set_cookie(&id, p),
            "Runtime.bindingCalled" if p.get("name").and_then(Value::as_str) == Some(BINDING) => {
                let payload = p.get("payload").and_then(Value::as_str).unwrap_or_default();
                if let Ok((name, script)) = serde_json::from_str::<(String, String)>(payload) {
                    self.note_setter(seen::bounded(&name), &format!("script {}", seen::bounded(&script)));
                }
            }
            _ => {}
        }
    }

    /// Notes who set the cookies of a response's `Set-Cookie`; the protocol may
    /// tell this before it tells the request's URL, so those wait for it.
    fn note_set_cookie(&mut self, id: &str, p: &Value) {
        let Some(headers) = p.get("headers").and_then(Value::as_object) else { return };
        let names: Vec<String> =
            headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie")).flat_map(|(_, v)| seen::set_cookie_names(v.as_str().unwrap_or_default()).collect::<Vec<_>>()).collect();
        match self.urls.get(id) {
            Some(url) => {
                let from = format!("response {url}");
                for name in names {
                    self.note_setter(name, &from);
                }
            }
            None if self.early_set_cookies.len() < MAX_ITEMS => {
                self.early_set_cookies.insert(id.to_owned(), names);
            }
            None => {}
        }
    }

    fn note_setter(&mut self, name: String, from: &str) {
        if self.setters.len() < MAX_ITEMS {
            self.setters.entry(name).or_insert_with(|| from.to_owned());
        }
    }

    /// Evaluates `expression` in the page (awaiting a promise); `null` when it threw.
    async fn evaluate(&mut self, expression: &str) -> Result<Value, CdpError> {
        let mut answer = self.call("Runtime.evaluate", json!({ "expression": expression, "awaitPromise": true, "returnByValue": true })).await?;
        if answer.get("exceptionDetails").is_some() {
            return Ok(Value::Null);
        }
        Ok(answer.pointer_mut("/result/value").map(Value::take).unwrap_or(Value::Null))
    }

    /// Cookies of the whole context, the page's storage and the requests since
    /// index `from` (the page has just settled: after loading or after an action).
    async fn observe(&mut self, phase: Phase, from: usize) -> Result<(Observation, Vec<String>), CdpError> {
        let answer = self.browser.call(None, "Storage.getCookies", json!({ "browserContextId": self.context })).await?;
        let mut cookies: Vec<_> = answer.get("cookies").and_then(Value::as_array).map(|all| all.iter().take(MAX_ITEMS).map(seen::cookie).collect()).unwrap_or_default();
        for c in &mut cookies {
            c.set_by = self.setters.get(&c.name).cloned();
        }
        let page = self.evaluate(READ_PAGE).await?;
        let names = |key: &str| -> Vec<String> { page.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(seen::bounded).collect()).unwrap_or_default() };
        let mut storage = Vec::new();
        for (key, area) in [("local", Area::LocalStorage), ("session", Area::SessionStorage), ("idb", Area::IndexedDb)] {
            storage.extend(names(key).into_iter().take(MAX_ITEMS).map(|name| SeenStorage { name, area }));
        }
        let at = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        let requests = self.requests.get(from..).unwrap_or_default().to_vec();
        Ok((Observation { phase, at, cookies, storage, requests }, names("links")))
    }
}
