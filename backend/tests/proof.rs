//! Proof of consent: banner versions stored once, the per-site hash chain and
//! its `verify` command, and a visitor's history by consent id.

mod common;

use std::path::Path;
use std::process::Command;

use common::{decision, spawn};
use consent_wire::banner_version::banner_version;
use consent_wire::config::SiteConfig;
use serde_json::{json, Value};

fn pkg_config() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config")
}

/// The banner version hash this config produces for Dutch.
fn current_banner() -> String {
    let site = SiteConfig::load(&pkg_config().join("sites/luxhost.toml")).expect("site");
    let texts = site.texts(&pkg_config()).expect("texts");
    let rev = site.current_revision(&pkg_config()).expect("revision");
    banner_version(&site, &texts["nl"], "nl", &rev, consent_wire::banner_version::Shown::Banner).hash
}

async fn post(base: &str, body: &Value) -> u16 {
    reqwest::Client::new().post(format!("{base}/api/v1/events")).header("content-type", "application/json").body(body.to_string()).send().await.expect("post").status().as_u16()
}

fn verify(db: &common::Db) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_consent-server")).arg("--db").arg(db.arg()).arg("--config").arg(pkg_config()).args(["verify", "--site", "luxhost"]).output().expect("run verify");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn seq_of(s: &common::Server, e: &Value) -> i64 {
    s.db.count(&format!("SELECT seq FROM events WHERE event_id = '{}'", e["id"].as_str().unwrap_or_default())).await
}

async fn five_decisions(base: &str) -> Vec<Value> {
    let mut evs = Vec::new();
    for a in ["accept_all", "reject_all", "custom", "accept_all", "reject_all"] {
        let e = decision(a);
        assert_eq!(post(base, &e).await, 201);
        evs.push(e);
    }
    evs
}

#[tokio::test]
async fn an_untouched_chain_verifies() {
    let s = spawn().await;
    five_decisions(&s.base).await;
    // Impressions are not part of the chain.
    let shown = json!({"id": common::uuid7(), "site": "luxhost", "action": "banner_shown", "categories": [], "revision": "ab", "lang": "nl", "path": "/", "client_ts": common::now_ms()});
    assert_eq!(post(&s.base, &shown).await, 201);
    let (ok, out) = verify(&s.db);
    assert!(ok, "{out}");
    assert!(out.contains("chain intact, 5 decisions"), "{out}");
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let s = spawn().await;
    let evs = five_decisions(&s.base).await;
    let seq = seq_of(&s, &evs[2]).await;
    s.db.execute(&format!("UPDATE events SET categories = 'necessary analytics marketing' WHERE seq = {seq}")).await;
    let (ok, out) = verify(&s.db);
    assert!(!ok);
    assert!(out.contains(&format!("BROKEN at seq {seq}")) && out.contains("edited"), "{out}");
}

#[tokio::test]
async fn a_deleted_row_is_detected_in_the_middle_and_at_the_end() {
    let s = spawn().await;
    let evs = five_decisions(&s.base).await;
    let (second, third) = (seq_of(&s, &evs[1]).await, seq_of(&s, &evs[2]).await);
    s.db.execute(&format!("DELETE FROM events WHERE seq = {second}")).await;
    let (ok, out) = verify(&s.db);
    assert!(!ok);
    assert!(out.contains(&format!("BROKEN at seq {third}")) && out.contains("deleted"), "{out}");

    let s = spawn().await;
    let evs = five_decisions(&s.base).await;
    s.db.execute(&format!("DELETE FROM events WHERE event_id = '{}'", evs[4]["id"].as_str().unwrap_or_default())).await;
    let (ok, out) = verify(&s.db);
    assert!(!ok);
    assert!(out.contains("head is missing"), "{out}");
}

#[tokio::test]
async fn banner_versions_are_stored_once_with_what_was_shown() {
    let s = spawn().await;
    let known = current_banner();
    for _ in 0..3 {
        let mut e = decision("reject_all");
        e["banner"] = json!(known);
        assert_eq!(post(&s.base, &e).await, 201);
    }
    let rows = s.db.query(&format!("SELECT content FROM banner_versions WHERE hash = '{known}'")).await;
    assert_eq!(rows.len(), 1, "stored once");
    let content = rows[0][0].clone();
    let content: Value = serde_json::from_str(&content.expect("content known")).expect("json");
    assert_eq!(content["texts"]["reject_all"], "Alles weigeren");
    assert_eq!(content["categories"][1]["id"], "analytics");
    // A version this config does not produce is recorded without content.
    let mut other = decision("reject_all");
    other["banner"] = json!("cd".repeat(32));
    assert_eq!(post(&s.base, &other).await, 201);
    let unknown = s.db.query(&format!("SELECT content FROM banner_versions WHERE hash = '{}'", "cd".repeat(32))).await;
    assert_eq!(unknown, vec![vec![None]], "recorded, content unknown");
}

/// A purge in chunks of two rows (SQLite deletes in chunks so ingest is never
/// blocked for long) removes the same rows and leaves a chain that verifies.
#[tokio::test]
async fn a_purge_in_small_chunks_keeps_the_chain_verifiable() {
    let s = spawn().await;
    let mut evs = five_decisions(&s.base).await;
    evs.extend(five_decisions(&s.base).await);
    let mut old = Vec::new();
    for _ in 0..3 {
        let shown = json!({"id": common::uuid7(), "site": "luxhost", "action": "banner_shown", "categories": [], "revision": "ab", "lang": "nl", "path": "/", "client_ts": common::now_ms()});
        assert_eq!(post(&s.base, &shown).await, 201);
        old.push(shown);
    }
    let six_years: i64 = 6 * 365 * 86_400_000;
    for e in evs.iter().take(7).chain(old.iter()) {
        s.db.execute(&format!("UPDATE events SET server_ts = server_ts - {six_years} WHERE event_id = '{}'", e["id"].as_str().unwrap_or_default())).await;
    }
    let store = consent_server::store::Store::open(&s.db.arg()).await.expect("store");
    let retention = consent_server::store::Retention { chunk_rows: 2, ..consent_server::store::Retention::days(1826, 396) };
    let purged = store.purge(retention, common::now_ms()).await.expect("purge");
    assert_eq!(purged, consent_server::store::Purged { decisions: 7, impressions: 3 });
    let (ok, out) = verify(&s.db);
    assert!(ok && out.contains("3 decisions"), "{out}");
    assert_eq!(post(&s.base, &decision("custom")).await, 201);
    let (ok, out) = verify(&s.db);
    assert!(ok && out.contains("4 decisions"), "{out}");
}

/// A rolling deploy: an older instance stores a decision whose banner version
/// only the newer build produces (content unknown to it); once an instance
/// that knows the version sees it, the proof gains "what was shown".
#[tokio::test]
async fn banner_content_is_filled_in_when_it_becomes_known() {
    let newer = tempfile::tempdir().expect("temp dir");
    common::copy_pkg_config(newer.path());
    let nl = newer.path().join("i18n/nl.toml");
    let texts = std::fs::read_to_string(&nl).expect("nl.toml").replace("Alles weigeren", "Alles afwijzen");
    std::fs::write(&nl, texts).expect("write nl.toml");
    let sites = consent_server::sites::Sites::load(newer.path()).expect("newer config loads");
    let (_, hash) = sites.current_banner("luxhost", "nl").expect("nl banner");
    let hash = hash.to_owned();
    assert_ne!(hash, current_banner(), "the newer build shows another version");

    let older = spawn().await;
    let mut first = decision("reject_all");
    first["banner"] = json!(hash);
    assert_eq!(post(&older.base, &first).await, 201);
    let sql = format!("SELECT content FROM banner_versions WHERE hash = '{hash}'");
    assert_eq!(older.db.query(&sql).await, vec![vec![None]], "the older instance cannot know it");

    let newer_base = common::serve_store(newer.path(), &older.db.arg(), common::test_limits(), |st| st).await;
    let mut second = decision("reject_all");
    second["banner"] = json!(hash);
    assert_eq!(post(&newer_base, &second).await, 201);
    let rows = older.db.query(&sql).await;
    let content: Value = serde_json::from_str(rows[0][0].as_deref().expect("content filled in")).expect("json");
    assert_eq!(content["texts"]["reject_all"], "Alles afwijzen");
    // And it stays: the older instance seeing the version again does not blank it.
    let mut third = decision("reject_all");
    third["banner"] = json!(hash);
    assert_eq!(post(&older.base, &third).await, 201);
    assert!(older.db.query(&sql).await[0][0].is_some());
}

/// Any 64-hex `banner` is stored with its decision, but only the versions this
/// config produces are kept in the writer's memory.
#[tokio::test]
async fn made_up_banner_hashes_grow_no_memory() {
    let s = common::spawn_with(|st| st.with_rate_limit(10_000, 10_000)).await;
    for i in 0..50 {
        let batch: Vec<Value> = (0..10)
            .map(|j| {
                let mut e = decision("reject_all");
                e["banner"] = json!(format!("{:064x}", i * 10 + j + 1));
                e
            })
            .collect();
        assert_eq!(post(&s.base, &Value::Array(batch)).await, 201);
    }
    let mut known = decision("reject_all");
    known["banner"] = json!(current_banner());
    assert_eq!(post(&s.base, &known).await, 201);
    assert_eq!(s.rows().await, 501, "every decision is stored");
    let metrics = reqwest::get(format!("{}/metrics", s.base)).await.expect("metrics").text().await.expect("text");
    let remembered: u64 = metrics.lines().find_map(|l| l.strip_prefix("consent_banner_versions_remembered ")).and_then(|v| v.trim().parse().ok()).expect("gauge");
    if matches!(s.db, common::Db::Sqlite { .. }) {
        assert_eq!(remembered, 1, "only the configured version is remembered");
    }
}

#[tokio::test]
async fn a_visitor_reads_their_full_history_by_consent_id() {
    let s = spawn().await;
    let banner = current_banner();
    let mut first = decision("accept_all");
    first["banner"] = json!(banner);
    let id = first["consent_id"].as_str().expect("id").to_owned();
    let mut second = decision("withdraw");
    second["consent_id"] = json!(id);
    second["banner"] = json!(banner);
    assert_eq!(post(&s.base, &first).await, 201);
    assert_eq!(post(&s.base, &second).await, 201);
    assert_eq!(post(&s.base, &decision("reject_all")).await, 201, "someone else");
    let res = reqwest::get(format!("{}/api/v1/consents/{id}", s.base)).await.expect("get");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    let d = body["decisions"].as_array().expect("decisions");
    assert_eq!(d.iter().map(|r| r["action"].as_str().unwrap_or("")).collect::<Vec<_>>(), ["accept_all", "withdraw"]);
    assert_eq!(d[0]["categories"], json!(["necessary", "analytics", "marketing"]));
    assert_eq!(d[1]["banner_shown"]["content"]["texts"]["title"], "Wij respecteren uw privacy");
    assert!(d[0]["row_hash"].as_str().is_some_and(|h| h.len() == 64));
    let missing = reqwest::get(format!("{}/api/v1/consents/{}", s.base, common::uuid7())).await.expect("get");
    assert_eq!(missing.status().as_u16(), 404);
    let bad = reqwest::get(format!("{}/api/v1/consents/not-an-id", s.base)).await.expect("get");
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn purging_old_events_keeps_the_chain_verifiable() {
    let s = spawn().await;
    let evs = five_decisions(&s.base).await;
    let shown = json!({"id": common::uuid7(), "site": "luxhost", "action": "banner_shown", "categories": [], "revision": "ab", "lang": "nl", "path": "/", "client_ts": common::now_ms()});
    assert_eq!(post(&s.base, &shown).await, 201);
    // Age the first two decisions and the impression by six years.
    let six_years: i64 = 6 * 365 * 86_400_000;
    for id in [evs[0]["id"].as_str(), evs[1]["id"].as_str(), shown["id"].as_str()] {
        s.db.execute(&format!("UPDATE events SET server_ts = server_ts - {six_years} WHERE event_id = '{}'", id.unwrap_or_default())).await;
    }
    let store = consent_server::store::Store::open(&s.db.arg()).await.expect("store");
    let purged = store.purge(consent_server::store::Retention::days(1826, 396), common::now_ms()).await.expect("purge");
    assert_eq!(purged, consent_server::store::Purged { decisions: 2, impressions: 1 });
    let (ok, out) = verify(&s.db);
    assert!(ok && out.contains("3 decisions"), "{out}");
    // The chain goes on after the purge.
    assert_eq!(post(&s.base, &decision("custom")).await, 201);
    let (ok, out) = verify(&s.db);
    assert!(ok && out.contains("4 decisions"), "{out}");
    // Recent events stay.
    let kept = store.purge(consent_server::store::Retention::days(1826, 396), common::now_ms()).await.expect("purge");
    assert_eq!(kept, consent_server::store::Purged { decisions: 0, impressions: 0 });
}

/// Several backend instances on one PostgreSQL extend one chain without
/// breaking it (the head row is locked while a group is appended).
/// PostgreSQL only (SQLite is a single-instance store): the test command runs
/// it with `CONSENT_TEST_PG` set and `--ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL only: set CONSENT_TEST_PG and pass --ignored"]
async fn instances_sharing_postgres_keep_one_chain() {
    let a = spawn().await;
    let common::Db::Postgres { url } = &a.db else { panic!("this test needs CONSENT_TEST_PG (a PostgreSQL URL)") };
    let store = consent_server::store::Store::open(url).await.expect("second instance store");
    let sites = consent_server::sites::Sites::load(&pkg_config()).expect("sites");
    let state = consent_server::AppState::new(sites, store, consent_server::auth::AdminToken::new("t"), pkg_config());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let b = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, consent_server::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await });
    let mut tasks = Vec::new();
    for i in 0..40 {
        let base = if i % 2 == 0 { a.base.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move { post(&base, &decision("custom")).await }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 201);
    }
    let (ok, out) = verify(&a.db);
    assert!(ok && out.contains("40 decisions"), "{out}");
}
