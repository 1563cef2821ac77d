//! `--gvl-url`: the server keeps `<config>/tcf/` current from a published
//! Global Vendor List over real HTTP, as caching asks (a conditional request,
//! `304` is no change, `max-age` stretches the wait), writes only lists that
//! read as lists, and puts the previous files back when the sites cannot take
//! the new one.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use consent_server::configuration::Source;
use consent_server::tcf::refresh::{Outcome, RefreshError, Refresher};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A generated Global Vendor List (the IAB's own library writes it).
fn generated() -> Value {
    let out = std::process::Command::new("node").arg(root().join("tests/tcf/iab.mjs")).args(["gvl", "5", "50"]).output().expect("node");
    assert!(out.status.success(), "iab.mjs gvl failed");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// What the list's server serves now, and the conditional headers it was sent.
#[derive(Default)]
struct Published {
    body: String,
    etag: String,
    seen_if_none_match: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Published>>;

async fn vendor_list(State(p): State<Shared>, headers: HeaderMap) -> Response {
    let mut p = p.lock().expect("lock");
    let asked = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    p.seen_if_none_match.push(asked.clone());
    if asked.as_deref() == Some(p.etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([(header::ETAG, p.etag.clone()), (header::CACHE_CONTROL, "public, max-age=120".to_owned())], p.body.clone()).into_response()
}

async fn publish(p: Shared) -> url::Url {
    let app = Router::new().route("/v3/vendor-list.json", get(vendor_list)).with_state(p);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}/v3/").parse().expect("url")
}

fn version_on_disk(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("tcf/vendor-list.json")).expect("read");
    serde_json::from_str::<Value>(&text).expect("json")["vendorListVersion"].as_u64().expect("version")
}

#[tokio::test]
async fn the_list_is_fetched_as_caching_asks_checked_and_put_back_when_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_pkg_config(dir.path());
    let site = dir.path().join("sites/luxhost.toml");
    let text = std::fs::read_to_string(&site).expect("site");
    std::fs::write(&site, format!("{text}\n[tcf]\nenabled = true\ncmp_id = 300\npublisher_country = \"NL\"\nvendors = [1, 2]\n")).expect("write");
    let mut list = generated();
    std::fs::create_dir_all(dir.path().join("tcf")).expect("mkdir");
    std::fs::write(dir.path().join("tcf/vendor-list.json"), list.to_string()).expect("write");
    let old = version_on_disk(dir.path());

    // The IAB publishes the next version.
    list["vendorListVersion"] = (old + 1).into();
    let published: Shared = Arc::new(Mutex::new(Published { body: list.to_string(), etag: "\"v2\"".into(), ..Published::default() }));
    let mut refresher = Refresher::new(publish(published.clone()).await, dir.path());
    let source = Source { pkg_config: dir.path().to_owned(), code: None };
    let langs = ["en".to_owned()];
    let outcome = refresher.refresh(&langs, async || source.load().map(|_| ()).map_err(|e| e.to_string())).await.expect("refreshed");
    assert_eq!(outcome, Outcome::Updated(vec!["vendor-list.json".into()]));
    assert_eq!(version_on_disk(dir.path()), old + 1);
    assert_eq!(refresher.next_wait(Duration::from_secs(10)), Duration::from_secs(120), "max-age stretches the wait");
    assert_eq!(refresher.next_wait(Duration::from_secs(3600)), Duration::from_secs(3600));

    // Asked again: a conditional request, answered 304, changes nothing and reloads nothing.
    let outcome = refresher.refresh(&langs, async || panic!("nothing to apply")).await.expect("refreshed");
    assert_eq!(outcome, Outcome::Unchanged);
    assert_eq!(published.lock().expect("lock").seen_if_none_match, [None, Some("\"v2\"".into())]);

    // A list without vendor 2, which the site works with: refused, the previous files stay.
    let mut without = list.clone();
    without["vendorListVersion"] = (old + 2).into();
    without["vendors"].as_object_mut().expect("vendors").remove("2");
    *published.lock().expect("lock") = Published { body: without.to_string(), etag: "\"v3\"".into(), ..Published::default() };
    let err = refresher.refresh(&langs, async || source.load().map(|_| ()).map_err(|e| e.to_string())).await.expect_err("vendor 2 is gone");
    assert!(matches!(&err, RefreshError::Refused(why) if why.contains("vendor 2")), "{err}");
    assert_eq!(version_on_disk(dir.path()), old + 1, "the previous list is back");

    // Not a list at all: never written.
    *published.lock().expect("lock") = Published { body: "{\"vendorListVersion\": 1}".into(), etag: "\"v4\"".into(), ..Published::default() };
    let err = refresher.refresh(&langs, async || panic!("a broken list is never applied")).await.expect_err("broken");
    assert!(matches!(err, RefreshError::Invalid { .. }), "{err}");
    assert_eq!(version_on_disk(dir.path()), old + 1);
}
