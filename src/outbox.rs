//! Events on their way to the backend. Each is posted at once (`fetch` with
//! `keepalive`, a `text/plain` body: no CORS preflight). When the backend is
//! unreachable or answers 5xx/429, events wait in `localStorage`, are retried
//! with backoff in batches, and are sent with `sendBeacon` when the page is left.
//! The server stores an event id once, so a retry never counts twice.
//!
//! One flush is in flight at a time; what it sent is removed from the queue by
//! event id once the server has answered for it (stored, or refused for good),
//! never by position, so events queued meanwhile stay. A batch holds at most
//! `MAX_BATCH` events and `MAX_BODY` bytes, what the server accepts.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RequestInit, Response, Storage, Window};

/// The storage key for events waiting (it exists only while some wait).
pub const QUEUE_KEY: &str = "cc_queue";
/// Written by the loader when the first layer stores a click on "Accept all" or
/// "Reject all" before the full widget is in: `accept|reject <path>`. The full
/// widget records that decision (on this page or a later one) and removes it.
pub const UNREPORTED_KEY: &str = "cc_unreported";
use consent_wire::limits::{MAX_BATCH, MAX_BODY};
/// Beyond this many waiting events, impressions are dropped (oldest first), so
/// storage stays small; a decision goes only when this many decisions wait.
const MAX_QUEUED: usize = 100;
const FIRST_RETRY_MS: i32 = 2_000;
const MAX_RETRY_MS: i32 = 300_000;

pub struct Outbox {
    window: Window,
    endpoint: String,
    retry_ms: Cell<i32>,
    timer_set: Cell<bool>,
    /// A flush is waiting for the server's answer.
    flushing: Cell<bool>,
}

impl Outbox {
    pub fn new(window: &Window, endpoint: &str) -> Rc<Outbox> {
        let outbox = Rc::new(Outbox { window: window.clone(), endpoint: String::from(endpoint), retry_ms: Cell::new(FIRST_RETRY_MS), timer_set: Cell::new(false), flushing: Cell::new(false) });
        let me = outbox.clone();
        crate::listener::Listener::new(window.as_ref(), "pagehide", move |_| me.beacon()).forever();
        outbox
    }

    /// Retries what an earlier page left waiting (reading the storage is kept
    /// out of the widget's first task).
    pub fn resume(self: &Rc<Self>) {
        if !self.queued().is_empty() {
            self.flush();
        }
    }

    /// Sends one event (its JSON); behind others if some are waiting.
    pub fn send(self: &Rc<Self>, json: String) {
        let mut queue = self.queued();
        if !queue.is_empty() {
            queue.push(json);
            self.store(&queue);
            self.flush();
            return;
        }
        let me = self.clone();
        let body = json.clone();
        self.post(json, move |ok| {
            if !ok {
                let mut queue = me.queued();
                queue.push(body.clone());
                me.store(&queue);
                me.schedule();
            }
        });
    }

    /// Posts the oldest waiting events as one batch, unless a flush is in flight.
    fn flush(self: &Rc<Self>) {
        if self.flushing.get() {
            return;
        }
        let queue = self.queued();
        let n = fitting(&queue);
        if n == 0 {
            return;
        }
        self.flushing.set(true);
        let sent: Vec<String> = queue[..n].iter().map(|j| String::from(id_of(j))).collect();
        let me = self.clone();
        self.post(batch(&queue[..n]), move |ok| {
            me.flushing.set(false);
            if ok {
                // Only what this batch carried goes; newer events stay queued.
                let rest: Vec<String> = me.queued().into_iter().filter(|j| !sent.iter().any(|id| id == id_of(j))).collect();
                me.store(&rest);
                me.retry_ms.set(FIRST_RETRY_MS);
                me.flush();
            } else {
                me.schedule();
            }
        });
    }

    fn schedule(self: &Rc<Self>) {
        if self.timer_set.replace(true) {
            return;
        }
        let delay = self.retry_ms.get();
        self.retry_ms.set((delay * 2).min(MAX_RETRY_MS));
        let me = self.clone();
        let cb = Closure::once_into_js(move || {
            me.timer_set.set(false);
            me.flush();
        });
        let _ = self.window.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay);
    }

    /// The page is going away: hand what waits to the browser.
    fn beacon(&self) {
        let queue = self.queued();
        if !queue.is_empty() {
            let _ = self.window.navigator().send_beacon_with_opt_str(&self.endpoint, Some(&batch(&queue[..fitting(&queue)])));
        }
    }

    fn post(&self, body: String, done: impl FnOnce(bool) + 'static) {
        let init = RequestInit::new();
        init.set_method("POST");
        // `keepalive` is not in web-sys's stable RequestInit API; it is a plain field.
        let _ = Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        init.set_body(&JsValue::from_str(&body));
        let done = Rc::new(Cell::new(Some(done)));
        let (d1, d2) = (done.clone(), done);
        let on_ok = Closure::once(move |res: JsValue| {
            // 2xx: each event stored, or refused on its own (the answer's `refused`).
            // 4xx other than 429: the server refused the events themselves; retrying
            // cannot help. Either way the server has answered for every event sent.
            let ok = res.dyn_into::<Response>().map(|r| r.status() < 500 && r.status() != 429).unwrap_or(false);
            if let Some(f) = d1.take() {
                f(ok);
            }
        });
        let on_err = Closure::once(move |_: JsValue| {
            if let Some(f) = d2.take() {
                f(false);
            }
        });
        let _ = self.window.fetch_with_str_and_init(&self.endpoint, &init).then2(&on_ok, &on_err);
        on_ok.forget();
        on_err.forget();
    }

    /// The first layer's decision not recorded yet, if any (`accept` or `reject`,
    /// and the page it was made on); the key is removed.
    pub fn take_unreported(&self) -> Option<(String, String)> {
        let s = self.storage()?;
        let raw = s.get_item(UNREPORTED_KEY).ok().flatten()?;
        let _ = s.remove_item(UNREPORTED_KEY);
        let (act, path) = raw.split_once(' ').unwrap_or((raw.as_str(), ""));
        Some((String::from(act), String::from(path)))
    }

    fn storage(&self) -> Option<Storage> {
        self.window.local_storage().ok().flatten()
    }

    fn queued(&self) -> Vec<String> {
        let Some(raw) = self.storage().and_then(|s| s.get_item(QUEUE_KEY).ok().flatten()) else { return Vec::new() };
        JSON::parse(&raw).ok().and_then(|v| v.dyn_into::<Array>().ok()).map(|a| a.iter().filter_map(|v| v.as_string()).collect()).unwrap_or_default()
    }

    fn store(&self, queue: &[String]) {
        let Some(s) = self.storage() else { return };
        if queue.is_empty() {
            let _ = s.remove_item(QUEUE_KEY);
            return;
        }
        let arr: Array = within_cap(queue).into_iter().map(|j| JsValue::from_str(j)).collect();
        if let Some(text) = JSON::stringify(&arr).ok().and_then(|t| t.as_string()) {
            let _ = s.set_item(QUEUE_KEY, &text);
        }
    }
}

/// How many of the oldest events fit one request: at most `MAX_BATCH`, and at
/// most `MAX_BODY` bytes as a JSON array (always at least one, if any wait).
fn fitting(queue: &[String]) -> usize {
    let mut bytes = 2;
    for (i, item) in queue.iter().enumerate().take(MAX_BATCH) {
        bytes += item.len() + usize::from(i > 0);
        if bytes > MAX_BODY && i > 0 {
            return i;
        }
    }
    queue.len().min(MAX_BATCH)
}

/// The queue cut to `MAX_QUEUED`: the oldest impression goes first, and the
/// oldest event only when no impression is left (a visitor's decision is
/// proof of consent; that a banner was shown is only a count).
fn within_cap(queue: &[String]) -> Vec<&String> {
    let mut keep: Vec<&String> = queue.iter().collect();
    while keep.len() > MAX_QUEUED {
        let i = keep.iter().position(|j| j.contains("\"action\":\"banner_shown\"")).unwrap_or(0);
        keep.remove(i);
    }
    keep
}

/// The event id of an event's JSON (`Event::to_json` writes it first).
fn id_of(json: &str) -> &str {
    let rest = json.strip_prefix("{\"id\":\"").unwrap_or("");
    rest.split('"').next().unwrap_or("")
}

/// Event JSON objects as one JSON array.
fn batch(items: &[String]) -> String {
    let mut s = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(item);
    }
    s.push(']');
    s
}
