//! The cookie scanner against a real site: the fixture shop of `tests/scan/`
//! (deliberate faults, on 127.0.0.1), a third-party origin (127.0.0.2), the
//! real consent server (as `localhost`) serving the widget, and
//! `consent-server scan` driving Debian's Chromium, as an operator runs it.
//! The consent server's store is SQLite, or PostgreSQL under `CONSENT_TEST_PG`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixture's pages with `{{CONSENT}}`, `{{THIRD}}` and `{{SITE}}` filled in.
#[derive(Clone)]
struct Pages {
    consent: String,
    third: String,
    site: String,
}

async fn page(State(pages): State<Pages>, UrlPath(name): UrlPath<String>) -> Response {
    let name = if name.is_empty() { String::from("index.html") } else { name };
    if name.contains("..") || name.contains('/') {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Ok(text) = std::fs::read_to_string(root().join("tests/scan/site").join(&name)) else { return StatusCode::NOT_FOUND.into_response() };
    let text = text.replace("{{CONSENT}}", &pages.consent).replace("{{THIRD}}", &pages.third).replace("{{SITE}}", &pages.site);
    let kind = match name.rsplit('.').next() {
        Some("xml") => "application/xml",
        Some("txt") => "text/plain",
        _ => "text/html; charset=utf-8",
    };
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// The shop on `127.0.0.1` (with a campaign cookie endpoint, a redirect loop and a page that never answers) and a third party on `127.0.0.2`.
async fn serve_fixture(consent: &str) -> (String, String) {
    let shop = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind shop");
    let third = tokio::net::TcpListener::bind("127.0.0.2:0").await.expect("bind 127.0.0.2");
    let pages = Pages { consent: consent.to_owned(), third: format!("http://{}", third.local_addr().expect("addr")), site: format!("http://{}", shop.local_addr().expect("addr")) };
    let (site, third_base) = (pages.site.clone(), pages.third.clone());
    let shop_app = Router::new()
        .route("/", get(|s: State<Pages>| page(s, UrlPath(String::new()))))
        .route("/{name}", get(page))
        .route("/track", get(|| async { ([(header::SET_COOKIE, "_fx_ab=spring; Max-Age=2592000; Path=/; HttpOnly")], StatusCode::NO_CONTENT) }))
        .route("/loop", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop")]) }))
        .route(
            "/hang",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                "late"
            }),
        )
        .with_state(pages);
    let third_app =
        Router::new().route("/pixel.gif", get(|| async { ([(header::CONTENT_TYPE, "image/gif")], &b"GIF89a\x01\0\x01\0\0\0\0;"[..]) })).route("/elsewhere.html", get(|| async { "elsewhere" }));
    tokio::spawn(async move { axum::serve(shop, shop_app).await });
    tokio::spawn(async move { axum::serve(third, third_app).await });
    (site, third_base)
}

/// The consent server on its own port, with a copy of the fixture's config.
struct Consent {
    child: Child,
    base: String,
    config: PathBuf,
    db: common::Db,
    _dir: tempfile::TempDir,
}

impl Drop for Consent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Consent {
    async fn start() -> Consent {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("pkg-config");
        for (from, to) in [("pkg-config/i18n", "i18n"), ("tests/scan/pkg-config/sites", "sites"), ("tests/scan/pkg-config/policy", "policy")] {
            std::fs::create_dir_all(config.join(to)).expect("mkdir");
            for entry in std::fs::read_dir(root().join(from)).expect("fixture folder").flatten() {
                std::fs::copy(entry.path(), config.join(to).join(entry.file_name())).expect("copy");
            }
        }
        let port = common::free_port();
        let db = common::Db::fresh().await;
        let child = Command::new(env!("CARGO_BIN_EXE_consent-server"))
            .args(["--port", &port.to_string(), "--config"])
            .arg(&config)
            .args(["--db", &db.arg()])
            .arg("--www")
            .arg(root().join("www"))
            .env("CONSENT_ADMIN_TOKEN", "scan-test")
            .stdout(Stdio::null())
            .spawn()
            .expect("start consent-server");
        let consent = Consent { child, base: format!("http://localhost:{port}"), config, db, _dir: dir };
        consent.wait_for(|_| true).await;
        consent
    }

    /// Waits until the loader is served and `ready` holds for it.
    async fn wait_for(&self, ready: impl Fn(&str) -> bool) {
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if let Ok(res) = reqwest::get(format!("{}/s/fixture/consent.js", self.base)).await {
                if res.status().is_success() && ready(&res.text().await.unwrap_or_default()) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("the consent server did not serve the fixture's loader");
    }

    async fn events(&self) -> String {
        let rows = self.db.query("SELECT count(*) FROM events").await;
        rows[0][0].clone().unwrap_or_default()
    }
}

/// `consent-server scan` with `args`: its exit status, its JSON and HTML reports.
async fn scan(config: &Path, args: &[&str]) -> (i32, Value, String) {
    scan_with(config, "unused.sqlite", args).await
}

/// The same with the store `db` (for `--store`).
async fn scan_with(config: &Path, db: &str, args: &[&str]) -> (i32, Value, String) {
    let out = tempfile::tempdir().expect("temp dir");
    let (json, html) = (out.path().join("report.json"), out.path().join("report.html"));
    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_consent-server"))
        .args(["--db", db, "--config"])
        .arg(config)
        .args(["scan", "--site", "fixture", "--json"])
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .args(args)
        .status()
        .await
        .expect("run the scanner");
    let report = serde_json::from_slice(&std::fs::read(&json).unwrap_or_default()).unwrap_or(Value::Null);
    (status.code().unwrap_or(-1), report, std::fs::read_to_string(&html).unwrap_or_default())
}

fn strs(v: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| v.get(*k).and_then(Value::as_str).unwrap_or("-").to_owned()).collect()
}

fn violations(report: &Value) -> BTreeSet<Vec<String>> {
    report["violations"].as_array().expect("violations").iter().map(|v| strs(v, &["rule", "phase", "subject", "category"])).collect()
}

fn rows(list: &[[&str; 4]]) -> BTreeSet<Vec<String>> {
    list.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect()
}

/// The stored report on the dashboard: when, violations before undeclared names, and the full report.
async fn dashboard_shows(consent: &Consent) {
    let get = |path: &str| reqwest::Client::new().get(format!("{}{path}", consent.base)).bearer_auth("scan-test").send();
    let page = get("/dashboard?site=fixture").await.expect("dashboard").text().await.expect("text");
    let section = page.split("<section class=\"scan\">").nth(1).expect("a scan section");
    assert!(section.contains("Last scanned") && section.contains("3 pages") && section.contains("6 violations"), "{section}");
    let (violations, undeclared) = (section.find("_fx_stats").expect("a violation listed"), section.find("Undeclared").expect("undeclared listed"));
    assert!(violations < undeclared, "violations first");
    assert!(section.contains("href=\"/dashboard/scan?site=fixture\""), "{section}");
    let full = get("/dashboard/scan?site=fixture").await.expect("full report");
    let csp = full.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(csp.starts_with("default-src 'none'") && !csp.contains("script"), "{csp}");
    assert!(full.text().await.expect("text").contains("Violations (6)"));
    let json: Value = get("/dashboard/api/scan?site=fixture").await.expect("json").json().await.expect("json");
    assert_eq!(json["violations"].as_array().map(Vec::len), Some(6));
    let never = get("/dashboard/api/scan?site=luxhost").await.expect("json");
    assert_eq!(never.status(), 404, "the reference site was never scanned here (and is not configured)");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scanner_finds_each_fault_of_the_fixture_and_nothing_else() {
    let consent = Consent::start().await;
    let (site, _) = serve_fixture(&consent.base).await;
    let (status, report, html) = scan_with(&consent.config, &consent.db.arg(), &[&format!("{site}/"), "--store"]).await;
    assert_eq!(status, 1, "violations: exit 1\n{report:#}");
    let pages: BTreeSet<&str> = report["pages"].as_array().expect("pages").iter().filter(|p| p["skipped"].is_null()).filter_map(|p| p["url"].as_str()).collect();
    let expected_pages: BTreeSet<String> = ["/", "/about.html", "/from-sitemap.html"].iter().map(|p| format!("{site}{p}")).collect();
    assert_eq!(pages, expected_pages.iter().map(String::as_str).collect(), "links and the sitemap followed; robots.txt, other origins and files not");
    let before_choice = violations(&report);
    assert_eq!(
        before_choice,
        rows(&[
            ["optional_stored", "before_choice", "_fx_stats", "analytics"],
            ["third_party_request", "before_choice", "127.0.0.2", "-"],
            ["optional_stored", "after_reject", "_fx_ab", "marketing"],
            ["optional_stored", "after_withdrawal", "_fx_ab", "marketing"],
            // Undeclared, so the widget cannot know to delete it on withdrawal.
            ["optional_stored", "after_withdrawal", "_fbp", "marketing"],
            ["outlives_declared", "before_choice", "_fx_lang", "necessary"],
        ]),
        "{report:#}"
    );
    let by_subject = |s: &str| report["violations"].as_array().into_iter().flatten().find(|v| v["subject"] == s).cloned().unwrap_or_default();
    assert_eq!(by_subject("_fx_ab")["set_by"], format!("response {site}/track"));
    assert_eq!(by_subject("_fx_stats")["set_by"], format!("script {site}/"));
    assert!(by_subject("_fx_lang")["detail"].as_str().unwrap_or_default().contains("declared for at most 30"));
    let undeclared: Vec<Vec<String>> = report["undeclared"].as_array().expect("undeclared").iter().map(|u| strs(u, &["name", "area", "category", "provider"])).collect();
    assert_eq!(undeclared, [["_fbp", "cookie", "marketing", "Meta"]]);
    let stale: Vec<Vec<String>> = report["stale"].as_array().expect("stale").iter().map(|s| strs(s, &["pattern", "category"])).collect();
    assert_eq!(stale, [["_fx_never", "analytics"]]);
    assert!(html.contains("_fx_stats") && html.contains("Violations (6)") && !html.contains("<script") && !html.contains("src=\"http"), "self-contained HTML report");
    assert_eq!(consent.events().await, "0", "the scanner's visits are never stored as decisions");
    dashboard_shows(&consent).await;

    // The suggested TOML pasted into the config (marketing is its last
    // category), the server reloaded: nothing undeclared, and the widget now
    // deletes `_fbp` on withdrawal.
    let loader_before = reqwest::get(format!("{}/s/fixture/consent.js", consent.base)).await.expect("loader").text().await.expect("text");
    let file = consent.config.join("sites/fixture.toml");
    let mut text = std::fs::read_to_string(&file).expect("config");
    text.push('\n');
    text.push_str(report["undeclared"][0]["toml"].as_str().expect("toml"));
    std::fs::write(&file, text).expect("paste");
    let ok = Command::new("kill").args(["-HUP", &consent.child.id().to_string()]).status().expect("kill").success();
    assert!(ok, "SIGHUP");
    consent.wait_for(|loader| loader != loader_before).await;
    let (status, report, _) = scan(&consent.config, &[&format!("{site}/"), "--max-pages", "1", "--fail-on", "undeclared"]).await;
    assert_eq!(report["undeclared"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["pages"].as_array().map(Vec::len), Some(1), "--max-pages 1");
    assert!(!violations(&report).iter().any(|v| v[2] == "_fbp"), "{report:#}");
    assert_eq!(status, 1, "the other faults remain");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_pages_are_skipped_and_hostile_ones_bounded_and_escaped() {
    let consent = Consent::start().await;
    let (site, _) = serve_fixture(&consent.base).await;
    let started = Instant::now();
    let closed = format!("http://127.0.0.1:{}/", common::free_port());
    let urls = [format!("{site}/hostile.html"), format!("{site}/loop"), format!("{site}/hang"), closed];
    let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
    args.extend(["--max-pages", "4"]);
    let (status, report, html) = scan(&consent.config, &args).await;
    assert!(started.elapsed() < Duration::from_secs(150), "bounded: {:?}", started.elapsed());
    assert_eq!(status, 1, "the hostile page stores before any choice\n{report:#}");
    let outcome = |url: &str| report["pages"].as_array().into_iter().flatten().find(|p| p["url"] == url).map(|p| p["skipped"].clone()).unwrap_or_else(|| panic!("{url} not reported: {report:#}"));
    assert!(outcome(&urls[0]).is_null(), "the hostile page is scanned");
    assert!(outcome(&urls[1]).as_str().unwrap_or_default().contains("ERR_TOO_MANY_REDIRECTS"), "{report:#}");
    assert!(outcome(&urls[2]).as_str().unwrap_or_default().contains("did not finish loading"), "{report:#}");
    assert!(outcome(&urls[3]).as_str().unwrap_or_default().contains("ERR_CONNECTION_REFUSED"), "{report:#}");
    let all = report["violations"].as_array().expect("violations");
    assert!(all.iter().any(|v| v["subject"].as_str().is_some_and(|s| s.starts_with("<b>"))), "the markup names are reported");
    for (area, name) in [("session_storage", "<u>s</u>"), ("indexed_db", "<i>db</i>"), ("local_storage", "<script>k")] {
        assert!(all.iter().any(|v| v["area"] == area && v["subject"].as_str().is_some_and(|s| s.starts_with(name))), "{area} {name} reported");
    }
    assert!(all.len() <= 4 * 500, "bounded: {} violations", all.len());
    assert!(all.iter().all(|v| v["subject"].as_str().unwrap_or_default().chars().count() <= 201));
    assert!(!html.contains("<b>") && html.contains("&lt;b&gt;"), "escaped in the HTML report");

    // --max-time stops the crawl.
    let started = Instant::now();
    let (status, report, _) = scan(&consent.config, &[&format!("{site}/"), "--max-time", "3"]).await;
    assert!(started.elapsed() < Duration::from_secs(40), "stopped: {:?}", started.elapsed());
    let pages = report["pages"].as_array().map_or(0, Vec::len);
    assert!(status == 2 || pages <= 1, "at most the page under way when time ran out: {report:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn urls_beyond_the_site_and_a_missing_browser_cannot_be_scanned() {
    let consent = Consent::start().await;
    let (_, third) = serve_fixture(&consent.base).await;
    let (status, _, _) = scan(&consent.config, &[&format!("{third}/elsewhere.html")]).await;
    assert_eq!(status, 2, "another origin is refused");
    let (status, _, _) = scan(&consent.config, &["http://127.0.0.1:9/", "--chromium", "/nonexistent/chromium"]).await;
    assert_eq!(status, 2, "no browser: could not scan");
}
