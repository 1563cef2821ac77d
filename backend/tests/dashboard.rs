//! The marketer dashboard over real HTTP on both stores: hand-checkable rates in
//! the JSON API, the CSV and the page; sign-in, sessions and who sees what;
//! hostile event values shown inert; security headers.

mod common;

use std::path::Path;

use common::{decision, now_ms, spawn, spawn_configured, uuid7, TOKEN};
use serde_json::{json, Value};

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn post(base: &str, body: &Value) {
    let res = client().post(format!("{base}/api/v1/events")).header("content-type", "application/json").body(body.to_string()).send().await.expect("post");
    assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap_or_default());
}

fn impression(lang: &str, path: &str) -> Value {
    json!({"id": uuid7(), "site": "luxhost", "action": "banner_shown", "categories": [], "revision": "3f4d0e311a87", "lang": lang, "path": path, "client_ts": now_ms()})
}

async fn get(url: &str, auth: Option<&str>) -> reqwest::Response {
    let mut req = client().get(url);
    if let Some(t) = auth {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("get")
}

async fn login(base: &str, token: &str) -> reqwest::Response {
    client().post(format!("{base}/dashboard/login")).header("content-type", "application/x-www-form-urlencoded").body(format!("token={token}")).send().await.expect("login")
}

/// The set: 10 impressions; 4 accept all, 2 reject all, 2 custom (one with
/// analytics, one necessary only, in English); 1 withdrawal.
async fn load_known_set(base: &str) {
    for i in 0..10 {
        post(base, &impression(if i < 2 { "en" } else { "nl" }, "/")).await;
    }
    for a in ["accept_all", "accept_all", "accept_all", "accept_all", "reject_all", "reject_all", "custom"] {
        post(base, &decision(a)).await;
    }
    let mut only_necessary = decision("custom");
    only_necessary["categories"] = json!(["necessary"]);
    only_necessary["lang"] = json!("en");
    post(base, &only_necessary).await;
    post(base, &decision("withdraw")).await;
}

fn figure(summary: &Value, key: &str) -> f64 {
    summary["figures"].as_array().expect("figures").iter().find(|f| f["key"] == key).and_then(|f| f["value"].as_f64()).unwrap_or(f64::NAN)
}

/// A category accepted in part counts for its services, not for the category.
#[tokio::test]
async fn services_chosen_one_by_one_have_rates_of_their_own() {
    let s = spawn().await;
    let mut one_service = decision("custom");
    one_service["categories"] = json!(["necessary", "analytics/bezoekstatistieken"]);
    for ev in [decision("accept_all"), one_service, decision("reject_all")] {
        post(&s.base, &ev).await;
    }
    let cats: Value = get(&format!("{}/dashboard/api/categories?site=luxhost&range=today", s.base), Some(TOKEN)).await.json().await.expect("json");
    let rows: Vec<(String, String, i64)> = cats["categories"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or_default().to_owned(), r["title"].as_str().unwrap_or_default().to_owned(), r["accepted"].as_i64().unwrap_or(-1)))
        .collect();
    let analytics: Vec<_> = rows.iter().filter(|r| r.0.starts_with("analytics")).cloned().collect();
    assert_eq!(
        analytics,
        [
            ("analytics".to_owned(), "Analytics".to_owned(), 1),
            ("analytics/bezoekstatistieken".to_owned(), "Analytics › Bezoekstatistieken".to_owned(), 2),
            ("analytics/prestatiemeting".to_owned(), "Analytics › Prestatiemeting".to_owned(), 1),
        ]
    );
    assert_eq!(rows.len(), 5, "necessary, analytics and its two services, marketing (one service: no rows of its own): {rows:?}");
}

#[tokio::test]
async fn known_events_give_exactly_the_defined_rates_in_json_csv_and_page() {
    let s = spawn().await;
    load_known_set(&s.base).await;
    let q = "site=luxhost&range=today";
    let summary: Value = get(&format!("{}/dashboard/api/summary?{q}", s.base), Some(TOKEN)).await.json().await.expect("json");
    assert_eq!(summary["current"], json!({"impressions": 10, "decisions": 8, "consented": 5, "accept_all": 4, "reject_all": 2, "custom": 2, "withdrawals": 1}));
    for (key, want) in
        [("consent_rate", 0.625), ("opt_in_rate", 0.5), ("reject_all_rate", 0.25), ("custom_rate", 0.25), ("no_decision_rate", 0.2), ("impressions", 10.0), ("decisions", 8.0), ("withdrawals", 1.0)]
    {
        assert_eq!(figure(&summary, key), want, "{key}");
    }

    let cats: Value = get(&format!("{}/dashboard/api/categories?{q}", s.base), Some(TOKEN)).await.json().await.expect("json");
    let rate = |id: &str| cats["categories"].as_array().and_then(|c| c.iter().find(|x| x["id"] == id)).and_then(|x| x["rate"].as_f64());
    assert_eq!((rate("necessary"), rate("analytics"), rate("marketing")), (Some(1.0), Some(0.625), Some(0.5)));

    let langs: Value = get(&format!("{}/dashboard/api/breakdown?{q}&dim=lang", s.base), Some(TOKEN)).await.json().await.expect("json");
    let en = langs["rows"].as_array().and_then(|r| r.iter().find(|x| x["value"] == "en")).expect("en row");
    assert_eq!((en["counts"]["impressions"].as_i64(), en["counts"]["decisions"].as_i64(), en["rates"]["consent_rate"].as_f64()), (Some(2), Some(1), Some(0.0)));

    let series: Value = get(&format!("{}/dashboard/api/timeseries?{q}", s.base), Some(TOKEN)).await.json().await.expect("json");
    assert_eq!(series["granularity"], "hour");
    assert_eq!(series["buckets"].as_array().map(Vec::len), Some(24));
    let decided: i64 = series["buckets"].as_array().expect("buckets").iter().map(|b| b["counts"]["decisions"].as_i64().unwrap_or(0)).sum();
    assert_eq!(decided, 8);

    let csv = get(&format!("{}/dashboard/export/summary.csv?{q}", s.base), Some(TOKEN)).await.text().await.expect("csv");
    for line in ["consent_rate_pct,62.50,,", "opt_in_rate_pct,50.00,", "no_decision_rate_pct,20.00,", "impressions,10,0,", "withdrawals,1,0,"] {
        assert!(csv.contains(line), "summary.csv lacks {line:?}:\n{csv}");
    }
    let csv = get(&format!("{}/dashboard/export/categories.csv?{q}", s.base), Some(TOKEN)).await.text().await.expect("csv");
    assert!(csv.contains("analytics,Analytics,false,8,5,62.50"), "{csv}");
    let csv = get(&format!("{}/dashboard/export/lang.csv?{q}", s.base), Some(TOKEN)).await.text().await.expect("csv");
    assert!(csv.contains("\r\nen,2,1,0,0,0,1,0,0.00,0.00,0.00,0.00,100.00,50.00\r\n"), "{csv}");
    let csv = get(&format!("{}/dashboard/export/decisions.csv?{q}", s.base), Some(TOKEN)).await.text().await.expect("csv");
    assert_eq!(csv.lines().count(), 1 + 9, "header + 8 decisions + 1 withdrawal");

    let page = get(&format!("{}/dashboard?{q}", s.base), Some(TOKEN)).await.text().await.expect("page");
    assert!(page.contains("data-figure=\"consent_rate\""), "{page}");
    assert!(page.contains(">62.5 %<"), "the page shows the consent rate");
}

#[tokio::test]
async fn the_page_answers_with_security_headers_and_hostile_values_stay_inert() {
    let s = spawn().await;
    let hostile_path = "/<img src=x onerror=alert(1)>\"'";
    post(&s.base, &impression("nl", hostile_path)).await;
    let res = get(&format!("{}/dashboard?site=luxhost&range=today", s.base), Some(TOKEN)).await;
    let h = res.headers();
    let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    assert_eq!(h.get("referrer-policy").and_then(|v| v.to_str().ok()), Some("same-origin"));
    assert_eq!(h.get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"));
    let page = res.text().await.expect("page");
    assert!(!page.contains("<img src=x"), "the path is escaped");
    assert!(page.contains("/&lt;img src=x onerror=alert(1)&gt;&quot;'"), "the path is shown as text");
    let csv = get(&format!("{}/dashboard/export/path.csv?site=luxhost&range=today", s.base), Some(TOKEN)).await.text().await.expect("csv");
    assert!(csv.contains("\"/<img src=x onerror=alert(1)>\"\"'\""), "{csv}");
}

#[tokio::test]
async fn no_token_or_a_wrong_one_gets_401_and_no_data() {
    let s = spawn().await;
    load_known_set(&s.base).await;
    let res = get(&format!("{}/dashboard?site=luxhost", s.base), None).await;
    assert_eq!(res.status().as_u16(), 401);
    let body = res.text().await.expect("body");
    assert!(body.contains("name=\"token\"") && !body.contains("data-figure"), "a sign-in page, no figures");
    for auth in [None, Some("wrong-token")] {
        for path in ["api/summary", "api/timeseries", "api/categories", "api/breakdown?dim=lang&", "export/summary.csv", "export/decisions.csv", "api/sites"] {
            let sep = if path.ends_with('&') {
                ""
            } else if path.contains('?') {
                "&"
            } else {
                "?"
            };
            let res = get(&format!("{}/dashboard/{path}{sep}site=luxhost", s.base), auth).await;
            assert_eq!(res.status().as_u16(), 401, "{path} with {auth:?}");
            assert!(!res.text().await.expect("body").contains("impressions"), "{path}: no data");
        }
    }
    let res = login(&s.base, "wrong-token").await;
    assert_eq!(res.status().as_u16(), 401);
    assert!(res.headers().get("set-cookie").is_none());
    let forged = client().get(format!("{}/dashboard/api/summary?site=luxhost", s.base)).header("cookie", "cc_dashboard=a....9999999999999.x.00").send().await.expect("get");
    assert_eq!(forged.status().as_u16(), 401, "a forged cookie is refused");
}

/// A copy of pkg-config with a second site, `other`, and its own read-only token.
fn two_sites() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config");
    common::copy_pkg_config(dir.path());
    let lux = std::fs::read_to_string(src.join("sites/luxhost.toml")).expect("luxhost.toml");
    let other = lux.replacen("id = \"luxhost\"", "id = \"other\"", 1).replacen("name = \"Luxhost\"", "name = \"Other\"", 1);
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"other-site-token"));
    let other = with_token_hash(&other, &hash);
    std::fs::write(dir.path().join("sites/other.toml"), other).expect("write other.toml");
    dir
}

fn with_token_hash(toml: &str, hash: &str) -> String {
    toml.lines().map(|l| if l.starts_with("dashboard_tokens_sha256") { format!("dashboard_tokens_sha256 = [\"{hash}\"]") } else { l.to_owned() }).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn a_site_token_sees_its_own_site_only_and_sessions_end() {
    let config = two_sites();
    let s = spawn_configured(config.path(), |st| st).await;
    load_known_set(&s.base).await;

    let res = login(&s.base, "luxhost-demo-readonly").await;
    assert_eq!(res.status().as_u16(), 303);
    let set_cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("session cookie").to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict") && set_cookie.contains("Path=/dashboard"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain http here");
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();
    let with_cookie = |url: String| client().get(url).header("cookie", cookie.clone()).send();

    let own = with_cookie(format!("{}/dashboard/api/summary?site=luxhost&range=today", s.base)).await.expect("get");
    assert_eq!(own.status().as_u16(), 200);
    let sites: Value = with_cookie(format!("{}/dashboard/api/sites", s.base)).await.expect("get").json().await.expect("json");
    assert_eq!(sites, json!([{"id": "luxhost", "name": "Luxhost"}]));
    for path in ["dashboard?site=other", "dashboard/api/summary?site=other", "dashboard/export/decisions.csv?site=other"] {
        let res = with_cookie(format!("{}/{path}", s.base)).await.expect("get");
        assert_eq!(res.status().as_u16(), 403, "{path}");
    }
    let res = get(&format!("{}/dashboard/api/summary?site=other", s.base), Some("luxhost-demo-readonly")).await;
    assert_eq!(res.status().as_u16(), 403, "bearer use of the site token");
    let res = get(&format!("{}/dashboard/api/summary?site=other", s.base), Some("other-site-token")).await;
    assert_eq!(res.status().as_u16(), 200, "the other site's own token");
    // Read-only: the admin API (export of all raw data, lookups) stays closed to it.
    let res = get(&format!("{}/api/v1/export?site=luxhost", s.base), Some("luxhost-demo-readonly")).await;
    assert_eq!(res.status().as_u16(), 401);
    // The admin sees both.
    let sites: Value = get(&format!("{}/dashboard/api/sites", s.base), Some(TOKEN)).await.json().await.expect("json");
    assert_eq!(sites.as_array().map(Vec::len), Some(2));

    let out = client().post(format!("{}/dashboard/logout", s.base)).header("cookie", cookie.clone()).send().await.expect("logout");
    assert!(out.headers().get("set-cookie").and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("Max-Age=0")));
    let after = with_cookie(format!("{}/dashboard/api/summary?site=luxhost", s.base)).await.expect("get");
    assert_eq!(after.status().as_u16(), 401, "the session ended");
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_and_foreign_forms_refused() {
    let s = spawn().await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(login(&s.base, "guess").await.status().as_u16());
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(statuses[11], 429, "{statuses:?}");
    let foreign = client()
        .post(format!("{}/dashboard/login", s.base))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={TOKEN}"))
        .send()
        .await
        .expect("post");
    assert_eq!(foreign.status().as_u16(), 403);
}

#[tokio::test]
async fn bad_ranges_and_names_get_clear_errors() {
    let s = spawn().await;
    for (q, status) in [("range=1y", 400), ("to=", 400), ("range=custom&to=0471-03-27", 400), ("site=nope", 404), ("range=custom&from=x&to=y", 400)] {
        let res = get(&format!("{}/dashboard/api/summary?{q}", s.base), Some(TOKEN)).await;
        assert_eq!(res.status().as_u16(), status, "{q}");
        let body: Value = res.json().await.expect("json error");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{q}: {body}");
    }
    // A custom range is made whole, not refused, and the answer says which days it covers.
    let res = get(&format!("{}/dashboard/api/summary?range=custom&from=2026-02-01&to=2020-01-01", s.base), Some(TOKEN)).await;
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!((body["period"]["first_day"].as_str(), body["period"]["last_day"].as_str()), (Some("2024-12-29"), Some("2026-02-01")), "{body}");
    let res = get(&format!("{}/dashboard/api/breakdown?dim=ip", s.base), Some(TOKEN)).await;
    assert_eq!(res.status().as_u16(), 400);
    let res = get(&format!("{}/dashboard/export/secrets.csv", s.base), Some(TOKEN)).await;
    assert_eq!(res.status().as_u16(), 404);
}

/// The server's clock decides which day an event counts on, what "the last 7
/// days" are and when a session ends: fixed here, and moved instead of waited for.
#[tokio::test]
async fn the_servers_clock_decides_periods_event_days_and_session_expiry() {
    // 2026-03-15 12:00 UTC.
    let clock = consent_server::clock::Clock::fixed(1_773_576_000_000);
    let c = clock.clone();
    let s = common::spawn_with(move |state| consent_server::AppState { clock: c, ..state }).await;
    load_known_set(&s.base).await;
    let week = format!("{}/dashboard/api/summary?site=luxhost&range=7d", s.base);
    let summary: Value = get(&week, Some(TOKEN)).await.json().await.expect("json");
    assert_eq!((summary["period"]["first_day"].as_str(), summary["period"]["last_day"].as_str()), (Some("2026-03-09"), Some("2026-03-15")));
    assert_eq!((summary["current"]["decisions"].as_i64(), summary["previous"]["decisions"].as_i64()), (Some(8), Some(0)));

    let res = login(&s.base, TOKEN).await;
    let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).expect("session cookie").to_owned();
    let with_cookie = || client().get(format!("{}/dashboard/api/sites", s.base)).header("cookie", cookie.clone()).send();
    clock.advance(consent_server::dashboard::session::LIFETIME_MS as u64 - 1);
    assert_eq!(with_cookie().await.expect("get").status().as_u16(), 200, "a session lasts its lifetime");
    clock.advance(1);
    assert_eq!(with_cookie().await.expect("get").status().as_u16(), 401, "and not a millisecond more");

    // A week on, the same decisions are last week's.
    clock.advance(7 * 86_400_000);
    let summary: Value = get(&week, Some(TOKEN)).await.json().await.expect("json");
    assert_eq!(summary["period"]["first_day"].as_str(), Some("2026-03-16"));
    assert_eq!((summary["current"]["decisions"].as_i64(), summary["previous"]["decisions"].as_i64()), (Some(0), Some(8)));
}
