//! The dashboard's comparison of banner variants, checked against numbers this
//! test computes itself from the raw events (its own counts, its own Wilson
//! intervals and difference intervals): demo traffic over a site with the two
//! variants `luxhost.toml` describes. Runs against SQLite and, with
//! `CONSENT_TEST_PG`, PostgreSQL.

mod common;

use common::{copy_pkg_config, now_ms, spawn_configured, TOKEN};
use serde_json::Value;

/// The reference site with its commented variants switched on.
fn with_variants(dir: &std::path::Path) -> std::path::PathBuf {
    let root = copy_pkg_config(dir);
    let file = root.join("sites/luxhost.toml");
    let text = std::fs::read_to_string(&file).expect("luxhost.toml");
    let start = text.find("# [[variants]]").expect("the example variants");
    let (head, example) = text.split_at(start);
    let example: String = example.lines().map(|l| l.strip_prefix("# ").or_else(|| l.strip_prefix('#')).unwrap_or(l)).collect::<Vec<_>>().join("\n");
    std::fs::write(&file, format!("{head}{example}\n")).expect("write");
    root
}

/// The 95 % Wilson interval, written out here apart from the server's.
fn wilson(x: f64, n: f64) -> (f64, f64) {
    let z: f64 = 1.959_963_984_540_054;
    let p = x / n;
    let c = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let h = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((c - h).max(0.0), (c + h).min(1.0))
}

fn close(a: &Value, b: f64, what: &str) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{what}: not a number: {a}"));
    assert!((a - b).abs() < 1e-9, "{what}: server {a}, raw events {b}");
}

#[tokio::test]
async fn the_variant_comparison_agrees_with_the_raw_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = with_variants(dir.path());
    let s = spawn_configured(&root, |st| st).await;
    let sites = consent_server::sites::Sites::load(&root).expect("pkg-config with variants");
    assert_eq!(sites.get("luxhost").map(|x| x.variants.len()), Some(2));
    let store = consent_server::store::Store::open(&s.db.arg()).await.expect("store");
    let plan = consent_server::demo_data::Plan { site: "luxhost", events: 40_000, days: 20, now_ms: now_ms() as i64, seed: 11 };
    consent_server::demo_data::load(&store, &sites, &plan, &|_| {}).await.expect("demo data");

    let url = format!("{}/dashboard/api/variants?site=luxhost&range=30d", s.base);
    let body: Value = reqwest::Client::new().get(url).bearer_auth(TOKEN).send().await.expect("variants").json().await.expect("json");
    let c = &body["comparison"];
    assert_eq!(c["baseline"], "standaard", "the site's first variant");
    let rows = c["variants"].as_array().expect("variants");
    assert_eq!(rows.iter().map(|r| r["variant"].as_str().unwrap_or("")).collect::<Vec<_>>(), ["standaard", "weigeren-eerst"]);
    let mut rates: Vec<(f64, f64, f64)> = Vec::new();
    for r in rows {
        let v = r["variant"].as_str().unwrap_or("");
        let sql = |cond: &str| format!("SELECT COUNT(*) FROM events WHERE site = 'luxhost' AND variant = '{v}' AND {cond}");
        let impressions = s.db.count(&sql("action = 'banner_shown'")).await;
        let decisions = s.db.count(&sql("action IN ('accept_all', 'reject_all', 'custom')")).await;
        let consented = s.db.count(&sql("action IN ('accept_all', 'reject_all', 'custom') AND consented")).await;
        let rejected = s.db.count(&sql("action = 'reject_all'")).await;
        let withdrawn = s.db.count(&sql("action = 'withdraw'")).await;
        assert!(impressions > 1_000 && decisions > 500, "{v}: enough traffic ({impressions}, {decisions})");
        assert_eq!((r["impressions"].as_i64(), r["decisions"].as_i64()), (Some(impressions), Some(decisions)), "{v}");
        assert_eq!((r["consent"]["successes"].as_i64(), r["reject_all"]["successes"].as_i64(), r["withdrawals"]["successes"].as_i64()), (Some(consented), Some(rejected), Some(withdrawn)));
        let (n, k) = (decisions as f64, consented as f64);
        close(&r["consent"]["rate"], k / n, "consent rate");
        let (lo, hi) = wilson(k, n);
        close(&r["consent"]["low"], lo, "consent low");
        close(&r["consent"]["high"], hi, "consent high");
        let (lo, hi) = wilson(rejected as f64, n);
        close(&r["reject_all"]["low"], lo, "reject low");
        close(&r["reject_all"]["high"], hi, "reject high");
        let (lo, hi) = wilson(k, n);
        rates.push((k / n, lo, hi));
    }
    // The difference in consent rate (Newcombe's interval from the two Wilson
    // intervals), and whether that interval leaves out zero.
    let ((p1, l1, u1), (p0, l0, u0)) = (rates[1], rates[0]);
    let (low, high) = (p1 - p0 - ((p1 - l1).powi(2) + (u0 - p0).powi(2)).sqrt(), p1 - p0 + ((u1 - p1).powi(2) + (p0 - l0).powi(2)).sqrt());
    let d = &c["against_baseline"][0]["differences"][0];
    assert_eq!(d["metric"], "consent_rate");
    close(&d["diff"], p1 - p0, "difference");
    close(&d["low"], low, "difference low");
    close(&d["high"], high, "difference high");
    assert_eq!(d["significant"].as_bool(), Some(low > 0.0 || high < 0.0));

    let page = reqwest::Client::new().get(format!("{}/dashboard?site=luxhost&range=30d", s.base)).bearer_auth(TOKEN).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("Banner variants (A/B)") && page.contains("data-variant=\"weigeren-eerst\""), "the page shows the comparison");
    assert!(page.contains("significant"), "and says what the difference means");
}
