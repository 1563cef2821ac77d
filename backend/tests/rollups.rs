//! Rollups kept in the insert transaction: hand-checkable counts, and equality
//! with a from-scratch recomputation after a random stream of events.

mod common;

use common::{decision, now_ms, spawn, uuid7};
use consent_server::rollup::{Dimension, Measure};
use consent_server::store::Store;
use serde_json::{json, Value};

async fn post(base: &str, body: &Value) {
    let res = reqwest::Client::new().post(format!("{base}/api/v1/events")).header("content-type", "application/json").body(body.to_string()).send().await.expect("post");
    assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap_or_default());
}

fn impression(lang: &str, path: &str) -> Value {
    json!({"id": uuid7(), "site": "luxhost", "action": "banner_shown", "categories": [], "revision": "ab", "lang": lang, "path": path, "client_ts": now_ms()})
}

fn sum(r: &consent_server::rollup::Rollups, measure: &str) -> i64 {
    r.hourly.iter().filter(|((_, _, m), _)| m.as_str() == measure).map(|(_, n)| n).sum()
}

#[tokio::test]
async fn hand_checkable_counts() {
    let s = spawn().await;
    for _ in 0..10 {
        post(&s.base, &impression("nl", "/")).await;
    }
    for a in ["accept_all", "accept_all", "accept_all", "accept_all", "reject_all", "reject_all", "reject_all"] {
        post(&s.base, &decision(a)).await;
    }
    post(&s.base, &decision("custom")).await; // necessary + analytics: consented
    let mut only_necessary = decision("custom");
    only_necessary["categories"] = json!(["necessary"]);
    only_necessary["lang"] = json!("en");
    post(&s.base, &only_necessary).await;
    post(&s.base, &decision("withdraw")).await;
    let store = Store::open(&s.db.arg()).await.expect("store");
    let r = store.read_rollups().await.expect("rollups");
    let counts: Vec<i64> = ["impression", "decision", "consented", "accept_all", "reject_all", "custom", "withdraw"].iter().map(|m| sum(&r, m)).collect();
    assert_eq!(counts, [10, 9, 5, 4, 3, 2, 1]);
    let cat = |c: &str| r.category.iter().filter(|((_, _, k), _)| k == c).map(|(_, n)| n).sum::<i64>();
    assert_eq!([cat("necessary"), cat("analytics"), cat("marketing")], [9, 5, 4]);
    let by_lang = |lang: &str, m: &str| r.dim.iter().filter(|((_, _, d, v, mm), _)| *d == Dimension::Lang && v == lang && mm.as_str() == m).map(|(_, n)| n).sum::<i64>();
    assert_eq!([by_lang("nl", "decision"), by_lang("en", "decision"), by_lang("en", "consented")], [8, 1, 0]);
}

#[tokio::test]
async fn rollups_equal_a_rebuild_after_a_random_stream() {
    let s = spawn().await;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let langs = ["nl", "en", "fr", "de"];
    let paths = ["/", "/hosting/", "/domeinnamen/", "/support/"];
    let mut sent = Vec::new();
    for _ in 0..60 {
        let mut batch = Vec::new();
        for _ in 0..(1 + next() % 5) {
            let mut e = match next() % 6 {
                0 | 1 => impression("nl", "/"),
                2 => decision("accept_all"),
                3 => decision("reject_all"),
                4 => decision("custom"),
                _ => decision("withdraw"),
            };
            e["lang"] = json!(langs[(next() % 4) as usize]);
            e["path"] = json!(paths[(next() % 4) as usize]);
            batch.push(e);
        }
        // Some retries too: they must not count twice.
        if next() % 4 == 0 {
            if let Some(prev) = sent.last() {
                batch.push(Value::clone(prev));
            }
        }
        sent.extend(batch.iter().cloned());
        let res = reqwest::Client::new().post(format!("{}/api/v1/events", s.base)).header("content-type", "application/json").body(Value::Array(batch).to_string()).send().await.expect("post");
        assert!(res.status().is_success());
    }
    let store = Store::open(&s.db.arg()).await.expect("store");
    let incremental = store.read_rollups().await.expect("read");
    assert!(!incremental.is_empty());
    let stored = s.rows().await;
    assert_eq!(sum(&incremental, "impression") + sum(&incremental, "decision") + sum(&incremental, "withdraw"), stored, "every stored event counted once");
    store.rebuild_rollups().await.expect("rebuild");
    let rebuilt = store.read_rollups().await.expect("read");
    assert_eq!(incremental, rebuilt);
}

/// Demo traffic goes through the same writer: its rollups equal a rebuild too,
/// and the chain it leaves verifies.
#[tokio::test]
async fn demo_data_rollups_equal_a_rebuild() {
    let s = spawn().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config");
    let sites = consent_server::sites::Sites::load(&root).expect("pkg-config");
    let store = Store::open(&s.db.arg()).await.expect("store");
    let plan = consent_server::demo_data::Plan { site: "luxhost", events: 6_000, days: 10, now_ms: now_ms() as i64, seed: 3 };
    let stored = consent_server::demo_data::load(&store, &sites, &plan, &|_| {}).await.expect("demo data");
    assert!((5_000..7_000).contains(&stored), "about the planned count: {stored}");
    let incremental = store.read_rollups().await.expect("read");
    assert!(sum(&incremental, "decision") > 0 && sum(&incremental, "impression") > sum(&incremental, "decision"));
    store.rebuild_rollups().await.expect("rebuild");
    assert_eq!(store.read_rollups().await.expect("read"), incremental);
    assert!(matches!(store.verify_chain("luxhost").await.expect("verify"), consent_server::chain::Verdict::Intact { .. }));
}

/// A flood of made-up paths: beyond the per-day cap new values are counted as
/// "(other)", so rows stay bounded and nothing is lost from the totals; the
/// breakdown returns at most its row limit, busiest first.
#[tokio::test]
async fn a_flood_of_distinct_paths_is_capped_per_day() {
    use consent_server::rollup::{MAX_VALUES_PER_DAY, OTHER};
    let s = common::spawn_with(|st| st.with_rate_limit(10_000, 10_000)).await;
    let extra = 25;
    let total = MAX_VALUES_PER_DAY as usize + extra;
    // The busiest path gets three impressions, so it leads the breakdown.
    for _ in 0..2 {
        post(&s.base, &impression("nl", "/busy")).await;
    }
    let events: Vec<Value> = (0..total).map(|i| impression("nl", &if i == 0 { "/busy".to_owned() } else { format!("/p/{i}") })).collect();
    for chunk in events.chunks(10) {
        post(&s.base, &Value::Array(chunk.to_vec())).await;
    }
    let distinct = s.db.count("SELECT COUNT(DISTINCT value) FROM rollup_daily_dim WHERE dim = 'path'").await;
    assert!(distinct <= MAX_VALUES_PER_DAY + 1, "{distinct} path values kept");
    let other = s.db.count(&format!("SELECT COALESCE(SUM(n), 0) FROM rollup_daily_dim WHERE dim = 'path' AND value = '{OTHER}' AND measure = 'impression'")).await;
    assert!(other >= extra as i64, "{other} counted as {OTHER}");
    let all = s.db.count("SELECT SUM(n) FROM rollup_daily_dim WHERE dim = 'path' AND measure = 'impression'").await;
    assert_eq!(all, total as i64 + 2, "every impression is still counted");

    let store = Store::open(&s.db.arg()).await.expect("store");
    let today = now_ms() as i64 / 86_400_000;
    let top = store.dimension_totals("luxhost", Dimension::Path, today - 1, today + 1, 5).await.expect("breakdown");
    let mut values: Vec<&str> = top.iter().map(|(v, _, _)| v.as_str()).collect();
    values.dedup();
    assert_eq!(values.len(), 5, "{values:?}");
    assert!(top.iter().any(|(v, m, n)| v == "/busy" && *m == Measure::Impression && *n == 3), "{top:?}");
    assert!(top.iter().any(|(v, _, _)| v == OTHER), "{OTHER} is the busiest: {top:?}");
}

#[tokio::test]
async fn a_stored_name_that_is_no_measure_or_dimension_is_an_error_not_another_name() {
    let s = spawn().await;
    post(&s.base, &impression("nl", "/")).await;
    let store = Store::open(&s.db.arg()).await.expect("store");
    assert!(store.read_rollups().await.is_ok());
    s.db.execute("UPDATE rollup_hourly SET measure = 'impressions'").await;
    let err = store.read_rollups().await.expect_err("an unknown measure is refused").to_string();
    assert!(err.contains("unknown rollup measure `impressions`"), "{err}");
    let hour = now_ms() as i64 / 3_600_000;
    assert!(store.hourly("luxhost", hour - 1, hour + 1).await.is_err(), "the dashboard's read refuses it too");
    s.db.execute("UPDATE rollup_hourly SET measure = 'impression'; UPDATE rollup_daily_dim SET dim = 'country' WHERE dim = 'lang'").await;
    let err = store.read_rollups().await.expect_err("an unknown dimension is refused").to_string();
    assert!(err.contains("unknown rollup dimension `country`"), "{err}");
}
