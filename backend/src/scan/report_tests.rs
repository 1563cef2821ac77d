//! The checks on hand-made observations of the reference site (no browser).

use super::*;
use crate::scan::seen::{SeenCookie, SeenRequest, SeenStorage};

const AT: f64 = 1_800_000_000.0;

fn site() -> SiteConfig {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml");
    SiteConfig::load(&path).expect("reference site")
}

fn cookie(name: &str, days: Option<f64>) -> SeenCookie {
    SeenCookie { name: name.into(), domain: "shop.example".into(), path: "/".into(), expires: days.map(|d| AT + d * DAY), secure: false, http_only: false, same_site: None, size: 1, set_by: None }
}

fn request(url: &str) -> SeenRequest {
    SeenRequest { url: url.into(), host: url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default(), kind: "Image".into(), initiator: None }
}

fn observation(phase: Phase, cookies: Vec<SeenCookie>, storage: Vec<SeenStorage>, requests: Vec<SeenRequest>) -> Observation {
    Observation { phase, at: AT, cookies, storage, requests }
}

fn empty_report() -> Report {
    Report { schema: SCHEMA, site: "luxhost".into(), started: String::new(), seconds: 0.0, consent_origin: None, pages: Vec::new(), violations: Vec::new(), undeclared: Vec::new(), stale: Vec::new() }
}

#[test]
fn each_rule_fires_on_its_own_fault_and_the_widgets_own_names_never_do() {
    let site = site();
    let mut analysis = Analysis::new(&site);
    let widget = SeenStorage { name: "cc_queue".into(), area: Area::LocalStorage };
    let loader = request("https://consent.example.net/s/luxhost/consent.js");
    let before = vec![cookie("_lx_visit_b", Some(30.0)), cookie("zz_mine", None)];
    analysis.add("p", &observation(Phase::BeforeChoice, before, vec![widget.clone()], vec![loader, request("https://tracker.example/p.gif"), request("https://consent.example.net/api/v1/events")]));
    let accepted = vec![cookie("_lx_nl", Some(40.0)), cookie("cc_consent", Some(400.0)), cookie("_lx_visit_b", Some(30.0))];
    analysis.add("p", &observation(Phase::AfterAccept, accepted, vec![widget], vec![request("https://tracker.example/p.gif")]));
    analysis.add("q", &observation(Phase::AfterAccept, vec![cookie("_lx_nl", Some(40.0))], Vec::new(), Vec::new()));
    let report = analysis.finish(empty_report());
    assert_eq!(report.consent_origin.as_deref(), Some("https://consent.example.net"));
    let found: Vec<(Rule, &str, Option<&str>)> = report.violations.iter().map(|v| (v.rule, v.subject.as_str(), v.category.as_deref())).collect();
    assert_eq!(
        found,
        [
            (Rule::OptionalStored, "_lx_visit_b", Some("analytics")),
            (Rule::OptionalStored, "zz_mine", None),
            (Rule::ThirdPartyRequest, "tracker.example", None),
            (Rule::OutlivesDeclared, "_lx_nl", Some("marketing")),
            (Rule::ConsentCookieTooLong, "cc_consent", None),
        ]
    );
    let nl = report.violations.iter().find(|v| v.subject == "_lx_nl").expect("outlives");
    assert_eq!(nl.pages, ["p", "q"], "one violation, every page it was seen on");
    let undeclared: Vec<(&str, Option<&str>)> = report.undeclared.iter().map(|u| (u.name.as_str(), u.category.as_deref())).collect();
    assert_eq!(undeclared, [("zz_mine", None)], "unclassified, and the widget's own key is not undeclared");
    let stale: Vec<&str> = report.stale.iter().map(|s| s.pattern.as_str()).collect();
    assert_eq!(stale, ["LUXSESSID", "_lx_perf"], "declared, and set on none of these pages");
}

#[test]
fn a_declared_session_cookie_may_not_persist() {
    assert!(outlives(Area::Cookie, Some(0), Some(2.0)).is_some());
    assert!(outlives(Area::Cookie, Some(0), None).is_none(), "a session cookie is fine");
    assert!(outlives(Area::Cookie, Some(30), Some(30.5)).is_none(), "a day's slack");
    assert!(outlives(Area::Cookie, None, Some(9999.0)).is_none(), "nothing declared, nothing to break");
}
