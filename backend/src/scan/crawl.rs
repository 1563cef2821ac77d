//! The crawl: the given URLs, the site's sitemaps and same-origin links,
//! breadth first, one page at a time, within the site's own origins, its
//! `robots.txt` respected unless told otherwise, bounded in pages and time.
//! Each page is visited three times (nothing clicked, "Reject all", "Accept
//! all" then a withdrawal), each in a fresh browser context.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use consent_wire::config::SiteConfig;
use serde_json::Value;
use texting_robots::Robot;

use super::cdp::{CdpError, Chromium};
use super::report::{Analysis, PageOutcome, Report, SCHEMA};
use super::visit::{self, Click, PageError};

/// The name `robots.txt` rules are matched against.
const ROBOT_NAME: &str = "ConsentScan";
/// File types that are not pages (never opened, even when linked).
const NOT_PAGES: [&str; 14] = [".pdf", ".zip", ".gz", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".mp4", ".mp3", ".css", ".js", ".xml"];
/// Reads `robots.txt` and the sitemaps it names (and `/sitemap.xml`), one
/// level of sitemap index deep, as the site's own page would fetch them.
const SITE_FILES: &str = r#"(async () => { const get = async (p) => { try { const r = await fetch(p); return r.ok ? (await r.text()).slice(0, 500000) : ''; } catch (e) { return ''; } }; const robots = await get('/robots.txt'); const maps = ['/sitemap.xml', ...robots.split('\n').filter((l) => /^\s*sitemap\s*:/i.test(l)).map((l) => l.replace(/^\s*sitemap\s*:\s*/i, '').trim())]; const locs = []; const done = new Set(); while (maps.length && done.size < 20) { const m = maps.shift(); if (done.has(m)) continue; done.add(m); let u; try { u = new URL(m, location.href); } catch (e) { continue; } if (u.origin !== location.origin) continue; const xml = await get(u.href); if (!xml) continue; const doc = new DOMParser().parseFromString(xml, 'application/xml'); const index = doc.documentElement && doc.documentElement.localName === 'sitemapindex'; for (const loc of doc.getElementsByTagNameNS('*', 'loc')) { const t = loc.textContent.trim(); if (index) maps.push(t); else if (locs.length < 10000) locs.push(t); } } return { robots, locs }; })()"#;

#[derive(Debug)]
pub struct Bounds {
    pub max_pages: usize,
    pub max_time: Duration,
    pub respect_robots: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Browser(#[from] CdpError),
    #[error("`{0}` is not a URL of this site (its origins: {1})")]
    NotOurs(String, String),
    #[error("no URL to start from: the site's origins ({0}) have no fixed port; give one")]
    NoStart(String),
}

/// What is still to visit, and what was already queued.
struct Frontier<'a> {
    site: &'a SiteConfig,
    queue: VecDeque<String>,
    queued: HashSet<String>,
    robots: HashMap<String, Robot>,
}

impl<'a> Frontier<'a> {
    fn new(site: &'a SiteConfig, urls: &[String]) -> Result<Frontier<'a>, ScanError> {
        let origins = site.origins.join(", ");
        let mut starts: Vec<String> = urls.to_vec();
        if starts.is_empty() {
            starts = site.origins.iter().filter(|o| !o.ends_with(":*")).map(|o| format!("{o}/")).collect();
        }
        if starts.is_empty() {
            return Err(ScanError::NoStart(origins));
        }
        let mut frontier = Frontier { site, queue: VecDeque::new(), queued: HashSet::new(), robots: HashMap::new() };
        for url in &starts {
            let page = frontier.ours(url).ok_or_else(|| ScanError::NotOurs(url.clone(), origins.clone()))?;
            frontier.queued.insert(page.clone());
            frontier.queue.push_back(page);
        }
        Ok(frontier)
    }

    /// `raw` without its fragment, if it is an http(s) page on one of the site's origins.
    fn ours(&self, raw: &str) -> Option<String> {
        let mut url = url::Url::parse(raw).ok()?;
        url.set_fragment(None);
        let path = url.path().to_ascii_lowercase();
        let origin = url.origin().ascii_serialization();
        let page = matches!(url.scheme(), "http" | "https") && !NOT_PAGES.iter().any(|ext| path.ends_with(ext));
        (page && self.site.allows_origin(&origin)).then(|| url.to_string())
    }

    fn allowed_by_robots(&self, url: &str) -> bool {
        let origin = super::seen::origin_of(url).unwrap_or_default();
        self.robots.get(&origin).is_none_or(|robot| robot.allowed(url))
    }

    /// Queues a found URL if it is the site's, new, and allowed.
    fn offer(&mut self, raw: &str) {
        if let Some(page) = self.ours(raw) {
            if self.allowed_by_robots(&page) && self.queued.insert(page.clone()) {
                self.queue.push_back(page);
            }
        }
    }

    fn origins(&self) -> std::collections::BTreeSet<String> {
        self.queue.iter().filter_map(|u| super::seen::origin_of(u)).collect()
    }
}

/// Scans `site` from `urls` within `bounds`, reporting progress as (pages done, queued, findings).
pub async fn crawl(browser: &Chromium, site: &SiteConfig, urls: &[String], bounds: &Bounds, progress: &dyn Fn(usize, usize, usize)) -> Result<Report, ScanError> {
    let started = Instant::now();
    let started_at = chrono::DateTime::from_timestamp_millis(crate::clock::now_ms() as i64).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
    let user_agent = user_agent(browser).await?;
    let mut frontier = Frontier::new(site, urls)?;
    for origin in frontier.origins() {
        site_files(browser, &mut frontier, &origin, &user_agent, bounds.respect_robots).await;
    }
    let mut analysis = Analysis::new(site);
    let mut pages = Vec::new();
    while let Some(url) = frontier.queue.pop_front() {
        let left = bounds.max_time.saturating_sub(started.elapsed());
        if pages.len() >= bounds.max_pages || left.is_zero() {
            break;
        }
        if bounds.respect_robots && !frontier.allowed_by_robots(&url) {
            continue;
        }
        let began = Instant::now();
        let skipped = match tokio::time::timeout(left, page(browser, &url, &user_agent, &mut analysis)).await {
            Ok(Ok(links)) => {
                links.iter().for_each(|l| frontier.offer(l));
                None
            }
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some(String::from("stopped: --max-time reached")),
        };
        pages.push(PageOutcome { url, skipped, milliseconds: began.elapsed().as_millis() as u64 });
        progress(pages.len(), frontier.queue.len(), analysis.findings());
    }
    let report = Report {
        schema: SCHEMA,
        site: site.id.clone(),
        started: started_at,
        seconds: started.elapsed().as_secs_f64(),
        consent_origin: None,
        pages,
        violations: Vec::new(),
        undeclared: Vec::new(),
        stale: Vec::new(),
    };
    Ok(analysis.finish(report))
}

/// The three visits of one page; the links found before any choice.
async fn page(browser: &Chromium, url: &str, user_agent: &str, analysis: &mut Analysis<'_>) -> Result<Vec<String>, PageError> {
    let before = visit::visit(browser, url, Click::Nothing, user_agent).await?;
    let reject = visit::visit(browser, url, Click::RejectAll, user_agent).await?;
    let accept = visit::visit(browser, url, Click::AcceptAll, user_agent).await?;
    if !reject.banner_found || !accept.banner_found {
        analysis.banner_missing(url);
    }
    for visited in [&before, &reject, &accept] {
        for o in &visited.observations {
            analysis.add(url, o);
        }
    }
    Ok(before.links)
}

/// Chromium's own user agent, marked as the scanner's so ingest skips its events.
async fn user_agent(browser: &Chromium) -> Result<String, CdpError> {
    let version = browser.call(None, "Browser.getVersion", serde_json::json!({})).await?;
    let ua = version.get("userAgent").and_then(Value::as_str).unwrap_or("Mozilla/5.0");
    Ok(format!("{ua} {}", super::SCAN_MARK))
}

/// Reads `origin`'s robots.txt (kept when they are to be respected) and queues its sitemaps' pages.
async fn site_files(browser: &Chromium, frontier: &mut Frontier<'_>, origin: &str, user_agent: &str, respect_robots: bool) {
    let Ok(found) = visit::evaluate_at(browser, &format!("{origin}/robots.txt"), SITE_FILES, user_agent).await else { return };
    let robots = found.get("robots").and_then(Value::as_str).unwrap_or_default();
    if respect_robots && !robots.is_empty() {
        if let Ok(robot) = Robot::new(ROBOT_NAME, robots.as_bytes()) {
            frontier.robots.insert(origin.to_owned(), robot);
        }
    }
    for loc in found.get("locs").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        frontier.offer(loc);
    }
}
