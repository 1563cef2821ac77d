//! The scan's verdict: every observation of every page checked against the
//! site's config. The [`Report`] is also the JSON report (`schema` 1; its
//! fields are documented in `docs/scan-report.md`).

use std::collections::{BTreeMap, BTreeSet};

use consent_wire::config::SiteConfig;
use serde::{Deserialize, Serialize};

use super::classify::{self, Finding};
use super::seen::{self, Area, Observation, Phase};

/// The version of the JSON report's shape; bumped on any incompatible change.
pub const SCHEMA: u32 = 1;
/// Storage keys the widget itself keeps (its outbox): necessary, never undeclared.
const WIDGET_KEYS: [&str; 2] = ["cc_queue", "cc_unreported"];
/// Pages named per finding at most.
const MAX_PAGES_NAMED: usize = 10;
const DAY: f64 = 86_400.0;

#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    pub site: String,
    /// RFC 3339, UTC.
    pub started: String,
    pub seconds: f64,
    /// The origin the widget was loaded from (its requests are never third-party).
    pub consent_origin: Option<String>,
    pub pages: Vec<PageOutcome>,
    pub violations: Vec<Violation>,
    pub undeclared: Vec<Undeclared>,
    pub stale: Vec<Stale>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PageOutcome {
    pub url: String,
    /// `None`: scanned; otherwise why it was skipped.
    pub skipped: Option<String>,
    pub milliseconds: u64,
}

/// Which promise a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Something not necessary stored when nothing optional may be (see `phase`).
    OptionalStored,
    /// A request to another site when nothing optional may be made.
    ThirdPartyRequest,
    /// A declared cookie living longer than its `max_age_days`.
    OutlivesDeclared,
    /// The consent cookie living longer than the site's `[cookie]` allows.
    ConsentCookieTooLong,
    /// The widget's "Reject all" / "Accept all" buttons never appeared.
    BannerMissing,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::OptionalStored => "optional_stored",
            Rule::ThirdPartyRequest => "third_party_request",
            Rule::OutlivesDeclared => "outlives_declared",
            Rule::ConsentCookieTooLong => "consent_cookie_too_long",
            Rule::BannerMissing => "banner_missing",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Violation {
    pub rule: Rule,
    pub phase: Phase,
    /// The cookie or key name, the host requested, or the page.
    pub subject: String,
    pub area: Option<Area>,
    /// The category it belongs to (declared) or usually does (well known).
    pub category: Option<String>,
    pub detail: String,
    pub set_by: Option<String>,
    pub pages: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Undeclared {
    pub name: String,
    pub area: Area,
    pub service: Option<String>,
    pub provider: Option<String>,
    /// The category it usually belongs to; `None`: unclassified.
    pub category: Option<String>,
    pub set_by: Option<String>,
    pub pages: Vec<String>,
    /// A `[[categories.services]]` entry to paste into the site's config.
    pub toml: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Stale {
    pub pattern: String,
    pub service: String,
    pub category: String,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty()
    }

    pub fn scanned(&self) -> usize {
        self.pages.iter().filter(|p| p.skipped.is_none()).count()
    }
}

/// A stored name as one observation saw it.
#[derive(Clone, Copy)]
struct Stored<'o> {
    name: &'o str,
    area: Area,
    set_by: Option<&'o str>,
    /// Days it has left to live; `None`: a session cookie or not a cookie.
    days: Option<f64>,
}

/// What the checks found so far, merged across pages.
#[derive(Default)]
struct Found {
    violations: BTreeMap<Key, Violation>,
    undeclared: BTreeMap<(String, Area), Undeclared>,
    names: BTreeSet<(String, Area)>,
}

impl Found {
    /// Records `v`, or adds `page` to the same violation already recorded.
    fn flag(&mut self, v: Violation, page: &str) {
        let key = (v.rule, Some(v.phase).filter(|_| v.rule.is_per_phase()), v.subject.clone(), v.area);
        let kept = self.violations.entry(key).or_insert(v);
        name_page(&mut kept.pages, page);
    }
}

/// The crawl's observations, checked as they come; the report when it is over.
pub struct Analysis<'a> {
    checks: Checks<'a>,
    /// The origin the site's loader (`/s/<site>/…`) came from, once seen.
    consent_origin: Option<String>,
    found: Found,
}

/// The rules, for one site.
#[derive(Clone, Copy)]
struct Checks<'a> {
    site: &'a SiteConfig,
}

/// One violation per rule, moment, subject and place; a lifetime is one
/// violation whenever it is seen (`None` for the moment).
type Key = (Rule, Option<Phase>, String, Option<Area>);

impl Rule {
    fn is_per_phase(self) -> bool {
        !matches!(self, Rule::OutlivesDeclared | Rule::ConsentCookieTooLong | Rule::BannerMissing)
    }
}

impl<'a> Analysis<'a> {
    pub fn new(site: &'a SiteConfig) -> Analysis<'a> {
        Analysis { checks: Checks { site }, consent_origin: None, found: Found::default() }
    }

    /// Checks what one visit of `page` saw.
    pub fn add(&mut self, page: &str, o: &Observation) {
        if self.consent_origin.is_none() {
            let prefix = format!("/s/{}/", self.checks.site.id);
            let loader = o.requests.iter().filter_map(|r| url::Url::parse(&r.url).ok()).find(|u| u.path().starts_with(&prefix));
            self.consent_origin = loader.map(|u| u.origin().ascii_serialization());
        }
        let cookies = o.cookies.iter().map(|c| Stored { name: &c.name, area: Area::Cookie, set_by: c.set_by.as_deref(), days: c.expires.map(|e| (e - o.at) / DAY) });
        for stored in cookies.chain(o.storage.iter().map(|s| Stored { name: &s.name, area: s.area, set_by: None, days: None })) {
            self.checks.check_stored(&mut self.found, page, o.phase, &stored);
        }
        for r in o.requests.iter().filter(|_| o.phase.forbids_optional()) {
            let origin = seen::origin_of(&r.url);
            let ours = origin.as_deref().is_some_and(|origin| self.checks.site.allows_origin(origin) || self.consent_origin.as_deref() == Some(origin));
            if !ours {
                let detail = format!("{} request to {} made {}", r.kind, r.url, o.phase.as_str());
                let v = Violation { rule: Rule::ThirdPartyRequest, phase: o.phase, subject: r.host.clone(), area: None, category: None, detail, set_by: r.initiator.clone(), pages: Vec::new() };
                self.found.flag(v, page);
            }
        }
    }

    pub fn banner_missing(&mut self, page: &str) {
        let detail = String::from("no Reject all / Accept all buttons appeared");
        let v = Violation { rule: Rule::BannerMissing, phase: Phase::BeforeChoice, subject: page.to_owned(), area: None, category: None, detail, set_by: None, pages: Vec::new() };
        self.found.flag(v, page);
    }

    /// How many distinct problems so far (for the progress bar).
    pub fn findings(&self) -> usize {
        self.found.violations.len() + self.found.undeclared.len()
    }

    pub fn finish(self, report: Report) -> Report {
        let stale = self.checks.stale(&self.found.names);
        let (violations, undeclared) = (self.found.violations.into_values().collect(), self.found.undeclared.into_values().collect());
        Report { consent_origin: self.consent_origin, violations, undeclared, stale, ..report }
    }
}

impl Checks<'_> {
    /// One stored name at one moment: the widget's own, optional when it may not be, outliving its declaration, undeclared.
    fn check_stored(&self, found: &mut Found, page: &str, phase: Phase, stored: &Stored) {
        let Stored { name, area, set_by, days } = *stored;
        found.names.insert((name.to_owned(), area));
        let violation = |rule, category: Option<&str>, detail| Violation {
            rule,
            phase,
            subject: name.to_owned(),
            area: Some(area),
            category: category.map(str::to_owned),
            detail,
            set_by: set_by.map(str::to_owned),
            pages: Vec::new(),
        };
        if self.is_widgets(name, area) {
            if let Some(detail) = self.consent_cookie_problem(area, days) {
                found.flag(violation(Rule::ConsentCookieTooLong, None, detail), page);
            }
            return;
        }
        let finding = classify::classify(self.site, name, area.store());
        if phase.forbids_optional() && !finding.is_required() {
            let what = finding.category().map_or_else(|| String::from("unclassified"), |c| format!("category {c}"));
            found.flag(violation(Rule::OptionalStored, finding.category(), format!("{} ({what}) stored {}", area.as_str(), phase.as_str())), page);
        }
        if let Finding::Declared { category, service, pattern } = &finding {
            let declared = service.cookies.iter().find(|c| c.name == *pattern).and_then(|c| c.max_age_days);
            if let Some(detail) = outlives(area, declared, days) {
                found.flag(violation(Rule::OutlivesDeclared, Some(&category.id), detail), page);
            }
        } else {
            let u = found.undeclared.entry((name.to_owned(), area)).or_insert_with(|| self.undeclared(name, area, &finding, set_by));
            name_page(&mut u.pages, page);
        }
    }

    /// The consent cookie and the widget's own storage keys.
    fn is_widgets(&self, name: &str, area: Area) -> bool {
        match area {
            Area::Cookie => name == self.site.cookie.name,
            _ => WIDGET_KEYS.contains(&name),
        }
    }

    fn consent_cookie_problem(&self, area: Area, days: Option<f64>) -> Option<String> {
        let days = days.filter(|_| area == Area::Cookie)?;
        let max = self.site.cookie.max_age_days;
        if self.site.cookie.session {
            return Some(format!("lives {days:.0} days; the config says it ends with the session"));
        }
        (days > f64::from(max) + 1.0).then(|| format!("lives {days:.0} days; the config allows {max}"))
    }

    fn undeclared(&self, name: &str, area: Area, finding: &Finding, set_by: Option<&str>) -> Undeclared {
        let known = match finding {
            Finding::Known(k) => Some(*k),
            _ => None,
        };
        Undeclared {
            name: name.to_owned(),
            area,
            service: known.map(|k| k.service.to_owned()),
            provider: known.map(|k| k.provider.to_owned()),
            category: finding.category().map(str::to_owned),
            set_by: set_by.map(str::to_owned),
            pages: Vec::new(),
            toml: classify::toml_snippet(self.site, name, finding),
        }
    }

    /// Declared names that nothing seen matched.
    fn stale(&self, seen_names: &BTreeSet<(String, Area)>) -> Vec<Stale> {
        let mut stale = Vec::new();
        for category in &self.site.categories {
            for service in &category.services {
                for decl in &service.cookies {
                    if !seen_names.iter().any(|(n, _)| consent_wire::cookie_name::matches(&decl.name, n)) {
                        stale.push(Stale { pattern: decl.name.clone(), service: service.name.clone(), category: category.id.clone() });
                    }
                }
            }
        }
        stale
    }
}

/// Why a cookie that lives `days` (`None`: a session cookie) breaks a declared maximum.
fn outlives(area: Area, declared: Option<u32>, days: Option<f64>) -> Option<String> {
    let (max, days) = (declared?, days.filter(|_| area == Area::Cookie)?);
    if max == 0 {
        return Some(format!("lives {days:.0} days; declared to end with the session"));
    }
    (days > f64::from(max) + 1.0).then(|| format!("lives {days:.0} days; declared for at most {max}"))
}

fn name_page(pages: &mut Vec<String>, page: &str) {
    if pages.len() < MAX_PAGES_NAMED && !pages.iter().any(|p| p == page) {
        pages.push(page.to_owned());
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
