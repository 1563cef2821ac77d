//! What one visit saw: cookies with their attributes, storage keys and
//! requests, read from the DevTools protocol's answers. Everything a page
//! controls is cut to a bound here, so a hostile page cannot grow a report.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::known::Store;

/// Longest name, domain, URL or attribute kept (longer ones are cut, marked `…`).
pub const MAX_TEXT: usize = 200;
/// At most this many cookies, storage keys or requests per visit.
pub const MAX_ITEMS: usize = 500;

/// The moment of a visit the observation was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Loaded, scrolled and idle, nothing clicked.
    BeforeChoice,
    /// After "Reject all" and a reload.
    AfterReject,
    /// After "Accept all" and a reload.
    AfterAccept,
    /// After "Accept all", then every optional category switched off in the preferences, and a reload.
    AfterWithdrawal,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::BeforeChoice => "before any choice",
            Phase::AfterReject => "after Reject all",
            Phase::AfterAccept => "after Accept all",
            Phase::AfterWithdrawal => "after withdrawal",
        }
    }

    /// Whether nothing optional may be stored or requested at this moment.
    pub fn forbids_optional(self) -> bool {
        self != Phase::AfterAccept
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SeenCookie {
    pub name: String,
    pub domain: String,
    pub path: String,
    /// Seconds since the epoch; `None` for a session cookie.
    pub expires: Option<f64>,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<String>,
    pub size: u64,
    /// The response (`response <url>`) or script (`script <url>`) that set it, where the browser told.
    pub set_by: Option<String>,
}

/// Where in the browser a storage key was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Cookie,
    LocalStorage,
    SessionStorage,
    /// An IndexedDB database name.
    IndexedDb,
}

impl Area {
    /// The table of well-known names it is looked up in.
    pub fn store(self) -> Store {
        match self {
            Area::Cookie => Store::Cookie,
            _ => Store::Storage,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Cookie => "cookie",
            Area::LocalStorage => "localStorage",
            Area::SessionStorage => "sessionStorage",
            Area::IndexedDb => "IndexedDB",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SeenStorage {
    pub name: String,
    pub area: Area,
}

#[derive(Clone, Debug, Serialize)]
pub struct SeenRequest {
    pub url: String,
    pub host: String,
    /// The protocol's resource type: `Script`, `Image`, `Fetch`, …
    pub kind: String,
    /// The script or document that made it, where the browser told.
    pub initiator: Option<String>,
}

/// Everything one phase of a visit found.
#[derive(Clone, Debug, Serialize)]
pub struct Observation {
    pub phase: Phase,
    /// When the observation was taken, seconds since the epoch (cookie lifetimes count from here).
    pub at: f64,
    pub cookies: Vec<SeenCookie>,
    pub storage: Vec<SeenStorage>,
    pub requests: Vec<SeenRequest>,
}

/// `s` cut to [`MAX_TEXT`] characters.
pub fn bounded(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

fn text(v: &Value, key: &str) -> String {
    bounded(v.get(key).and_then(Value::as_str).unwrap_or(""))
}

/// One entry of `Storage.getCookies`.
pub fn cookie(v: &Value) -> SeenCookie {
    let expires = v.get("expires").and_then(Value::as_f64).filter(|e| *e > 0.0 && !v.get("session").and_then(Value::as_bool).unwrap_or(false));
    SeenCookie {
        name: text(v, "name"),
        domain: text(v, "domain"),
        path: text(v, "path"),
        expires,
        secure: v.get("secure").and_then(Value::as_bool).unwrap_or(false),
        http_only: v.get("httpOnly").and_then(Value::as_bool).unwrap_or(false),
        same_site: v.get("sameSite").and_then(Value::as_str).map(bounded),
        size: v.get("size").and_then(Value::as_u64).unwrap_or(0),
        set_by: None,
    }
}

/// A `Network.requestWillBeSent` event's request, with who made it.
pub fn request(params: &Value) -> Option<SeenRequest> {
    let raw = params.pointer("/request/url").and_then(Value::as_str)?;
    let url = url::Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
        return None;
    }
    let initiator = params
        .get("initiator")
        .and_then(|i| i.get("url").and_then(Value::as_str).filter(|u| !u.is_empty()).or_else(|| i.pointer("/stack/callFrames/0/url").and_then(Value::as_str).filter(|u| !u.is_empty())));
    Some(SeenRequest {
        url: bounded(raw),
        host: bounded(url.host_str().unwrap_or("")),
        kind: bounded(params.get("type").and_then(Value::as_str).unwrap_or("Other")),
        initiator: initiator.map(bounded),
    })
}

/// The cookie names a `Set-Cookie` header value (lines joined by `\n`) sets.
pub fn set_cookie_names(header: &str) -> impl Iterator<Item = String> + '_ {
    header.lines().filter_map(|line| line.split(';').next()?.split_once('=').map(|(name, _)| bounded(name.trim())))
}

/// `origin` of a URL as the browser writes it (`scheme://host[:port]`).
pub fn origin_of(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    Some(url.origin().ascii_serialization()).filter(|o| o != "null")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_have_no_expiry_and_long_names_are_cut() {
        let name = "n".repeat(5000);
        let c = cookie(&serde_json::json!({ "name": name, "domain": "a", "path": "/", "expires": -1, "session": true, "size": 5 }));
        assert_eq!(c.expires, None);
        assert_eq!(c.name.chars().count(), MAX_TEXT + 1);
        let c = cookie(&serde_json::json!({ "name": "x", "expires": 1.9e9, "session": false }));
        assert_eq!(c.expires, Some(1.9e9));
    }

    #[test]
    fn set_cookie_lines_name_their_cookies() {
        let names: Vec<_> = set_cookie_names("a=1; Path=/\n b =2\nbroken").collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn requests_keep_host_kind_and_initiator() {
        let r = request(&serde_json::json!({ "request": { "url": "http://127.0.0.2:9/p.gif" }, "type": "Image", "initiator": { "type": "parser", "url": "http://127.0.0.1:1/" } })).expect("http");
        assert_eq!((r.host.as_str(), r.kind.as_str(), r.initiator.as_deref()), ("127.0.0.2", "Image", Some("http://127.0.0.1:1/")));
        assert!(request(&serde_json::json!({ "request": { "url": "data:image/gif;base64,R0" } })).is_none());
    }
}
