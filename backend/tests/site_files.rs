//! Every configured site's widget files, served like a CDN would: precompressed
//! once (the bytes on the wire are exactly the brotli and gzip made at start),
//! hashed names immutable, the loader revalidated with its ETag, readable from
//! any origin, and 404 for anything else.

mod common;

use std::path::Path;

use consent_bundle::encoded::Encoded;
use consent_server::bundles::{Bundles, WidgetCode};

/// The built widget (`cargo xtask build`, which the test command runs first).
fn code() -> WidgetCode {
    WidgetCode::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/consent")).expect("the widget is built (cargo xtask build)")
}

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("request")
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn every_file_is_served_as_made_once_in_each_encoding() {
    let mut paths = Vec::new();
    let s = common::spawn_with(|st| {
        let bundles = Bundles::build(&common::pkg_config(), &st.sites(), &code(), &Default::default()).expect("bundles");
        paths = bundles.paths().into_iter().map(String::from).collect();
        st.with_bundles(bundles)
    })
    .await;
    assert!(paths.contains(&"/s/luxhost/consent.js".to_owned()), "{paths:?}");
    assert!(paths.len() >= 8, "loader, details, code, policy docs and pages: {paths:?}");
    for path in &paths {
        let url = format!("{}{path}", s.base);
        let plain = get(&url, &[]).await;
        assert_eq!(plain.status(), 200, "{path}");
        assert_eq!(header(&plain, "access-control-allow-origin"), "*", "{path}");
        assert_eq!(header(&plain, "cross-origin-resource-policy"), "cross-origin", "{path}");
        let hashed = path.starts_with("/c/") || path.contains(".json");
        let cache = header(&plain, "cache-control").to_owned();
        assert_eq!(cache.contains("immutable"), hashed, "{path}: {cache}");
        let etag = header(&plain, "etag").to_owned();
        let identity = plain.bytes().await.expect("body").to_vec();
        let made = Encoded::new(identity.clone());
        let br = get(&url, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(header(&br, "content-encoding"), "br", "{path}");
        assert_eq!(br.bytes().await.expect("body").to_vec(), made.br, "{path}: the brotli made once");
        let gz = get(&url, &[("accept-encoding", "gzip")]).await;
        assert_eq!(header(&gz, "content-encoding"), "gzip", "{path}");
        assert_eq!(gz.bytes().await.expect("body").to_vec(), made.gzip, "{path}: the gzip made once");
        let again = get(&url, &[("if-none-match", &etag), ("accept-encoding", "br")]).await;
        assert_eq!(again.status(), 304, "{path}: revalidated with its ETag");
        assert!(again.bytes().await.expect("body").is_empty());
    }
    let loader = String::from_utf8(get(&format!("{}/s/luxhost/consent.js", s.base), &[]).await.bytes().await.expect("body").to_vec()).expect("utf-8");
    let details = paths.iter().find(|p| p.starts_with("/s/luxhost/details.")).expect("details");
    assert!(loader.contains(details.trim_start_matches("/s/luxhost/")), "the loader names its details file");
    let code_dir = paths.iter().find(|p| p.ends_with("/widget.js")).expect("code").trim_end_matches("widget.js");
    assert!(loader.contains(code_dir), "the loader names the code's folder");
}

#[tokio::test]
async fn wrong_paths_are_404() {
    let s = common::spawn_with(|st| {
        let bundles = Bundles::build(&common::pkg_config(), &st.sites(), &code(), &Default::default()).expect("bundles");
        st.with_bundles(bundles)
    })
    .await;
    for path in ["/s/luxhost/nope.js", "/s/nosuchsite/consent.js", "/c/0123456789ab/widget.js", "/s/luxhost/details.json", "/s/luxhost/consent.js/x", "/no/such/page"] {
        let res = get(&format!("{}{path}", s.base), &[]).await;
        assert_eq!(res.status(), 404, "{path}");
    }
}
