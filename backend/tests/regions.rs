//! Region rules over real HTTP: the country header counts only on a connection
//! from a trusted proxy (here 127.0.0.1; a visitor connects from 127.0.0.2), picks
//! the reference site's loader (`[regions] opt_out = ["US"]`) and is stored with
//! each event (country code only), covered by the hash chain, counted by the
//! dashboard. Runs against SQLite and, with `CONSENT_TEST_PG`, PostgreSQL.

mod common;

use common::{decision, spawn_with, TOKEN};
use std::path::Path;

use consent_server::bundles::{Bundles, WidgetCode};
use consent_server::chain::Verdict;
use consent_server::proxy::TrustedProxies;

fn from(addr: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(Some(addr.parse().expect("address"))).build().expect("client")
}

#[tokio::test]
async fn a_trusted_proxys_country_picks_the_loader_and_is_recorded() {
    let trusted: TrustedProxies = "127.0.0.1".parse().expect("list");
    let server = spawn_with(|st| {
        let code = WidgetCode::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/consent")).expect("the widget is built (cargo xtask build)");
        let bundles = Bundles::build(&common::pkg_config(), &st.sites(), &code, &Default::default()).expect("bundles");
        st.with_trusted_proxies(trusted).with_bundles(bundles)
    })
    .await;
    let (proxy, visitor) = (from("127.0.0.1"), from("127.0.0.2"));
    let loader = |c: &reqwest::Client, country: &str| c.get(format!("{}/s/luxhost/consent.js", server.base)).header("cf-ipcountry", country).send();
    let us = loader(&proxy, "US").await.expect("loader");
    let vary = us.headers().get("vary").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(vary.contains("cf-ipcountry") && vary.contains("Sec-GPC"), "{vary}");
    assert!(us.text().await.expect("body").contains("mode:\"opt-out\""), "the US gets the opt-out notice");
    let spoofed = loader(&visitor, "US").await.expect("loader").text().await.expect("body");
    assert!(!spoofed.contains("mode:\"opt-out\""), "a visitor's own header is not believed: opt-in");
    let de = loader(&proxy, "DE").await.expect("loader").text().await.expect("body");
    assert!(!de.contains("mode:\"opt-out\""), "Germany: opt-in");

    let post = |c: &reqwest::Client, country: &str, action: &str| {
        let event = decision(action);
        c.post(format!("{}/api/v1/events", server.base)).header("content-type", "text/plain").header("cf-ipcountry", country).body(event.to_string()).send()
    };
    assert_eq!(post(&proxy, "us", "reject_all").await.expect("post").status(), 201);
    assert_eq!(post(&visitor, "US", "accept_all").await.expect("post").status(), 201);
    assert_eq!(post(&proxy, "XX", "custom").await.expect("post").status(), 201, "an unknown country is no country");
    let stored = server.db.query("SELECT action, region FROM events ORDER BY seq").await;
    let pairs: Vec<(String, Option<String>)> = stored.into_iter().map(|r| (r[0].clone().unwrap_or_default(), r[1].clone())).collect();
    assert_eq!(pairs, [("reject_all".into(), Some("US".into())), ("accept_all".into(), None), ("custom".into(), None)]);

    let store = consent_server::store::Store::open(&server.db.arg()).await.expect("store");
    assert!(matches!(store.verify_chain("luxhost").await.expect("verify"), Verdict::Intact { count: 3, .. }), "the chain covers the region");
    server.db.execute("UPDATE events SET region = 'DE' WHERE region = 'US'").await;
    assert!(matches!(store.verify_chain("luxhost").await.expect("verify"), Verdict::Broken { .. }), "a region changed afterwards breaks the chain");

    let breakdown: serde_json::Value =
        proxy.get(format!("{}/dashboard/api/breakdown?site=luxhost&range=today&dim=region", server.base)).bearer_auth(TOKEN).send().await.expect("breakdown").json().await.expect("json");
    let rows = breakdown["rows"].as_array().or(breakdown.as_array()).cloned().unwrap_or_default();
    let count = |v: &str| rows.iter().find(|r| r["value"] == v).map(|r| r["counts"]["decisions"].as_i64().unwrap_or(-1));
    assert_eq!((count("US"), count("")), (Some(1), Some(2)), "{breakdown}");
}
