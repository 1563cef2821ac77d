//! The widget's hand-written JSON and the backend's serde decoder agree, and
//! validation refuses what it should, naming the field.

use consent_wire::config::SiteConfig;
use consent_wire::validate::{validate, Invalid};
use consent_wire::{Action, Event};
use std::path::Path;

const NOW: u64 = 1_764_000_000_000;

fn event(action: Action) -> Event {
    Event {
        id: "019ab000-0000-7000-8000-000000000001".into(),
        site: "luxhost".into(),
        action,
        consent_id: action.is_decision().then(|| "019ab000-0000-7000-8000-0000000000ff".into()),
        categories: match action {
            Action::BannerShown => vec![],
            Action::AcceptAll => vec!["necessary".into(), "analytics".into(), "marketing".into()],
            _ => vec!["necessary".into()],
        },
        revision: "3f4d0e311a87".into(),
        banner: Some("ab".repeat(32)),
        lang: "nl".into(),
        path: "/hosting/".into(),
        client_ts: NOW - 5,
        tc_string: None,
        addtl_consent: None,
        variant: None,
    }
}

fn site() -> SiteConfig {
    SiteConfig::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml")).expect("reference site")
}

#[test]
fn hand_written_json_decodes_to_the_same_event() {
    for action in Action::ALL {
        let mut e = event(action);
        e.path = "/a \"quoted\" \\ path\u{1}\u{2028}é".into();
        let json = e.to_json();
        let back: Event = serde_json::from_str(&json).unwrap_or_else(|err| panic!("{json}: {err}"));
        assert_eq!(back, e);
    }
}

#[test]
fn valid_events_pass() {
    for action in Action::ALL {
        assert_eq!(validate(&event(action), &site()), Ok(()), "{action:?}");
    }
}

#[test]
fn invalid_events_name_the_problem() {
    let s = site();
    let mut cases: Vec<(Event, Invalid)> = Vec::new();
    let mut e = event(Action::AcceptAll);
    e.id = "not-a-uuid".into();
    cases.push((e, Invalid::NotUuidV7("id")));
    let mut e = event(Action::RejectAll);
    e.consent_id = None;
    cases.push((e, Invalid::MissingConsentId("reject_all")));
    let mut e = event(Action::BannerShown);
    e.consent_id = Some("019ab000-0000-7000-8000-0000000000ff".into());
    cases.push((e, Invalid::UnexpectedConsentId));
    let mut e = event(Action::Custom);
    e.categories.push("tracking".into());
    cases.push((e, Invalid::UnknownCategory("tracking".into())));
    let mut e = event(Action::Custom);
    e.categories = vec!["analytics".into()];
    cases.push((e, Invalid::MissingRequired("necessary".into())));
    let mut e = event(Action::AcceptAll);
    e.categories.pop();
    cases.push((e, Invalid::AcceptAllIncomplete));
    let mut e = event(Action::RejectAll);
    e.categories.push("marketing".into());
    cases.push((e, Invalid::RejectAllTooMany));
    let mut e = event(Action::Custom);
    e.path = "/x?email=a@b.c".into();
    cases.push((e, Invalid::Path));
    let mut e = event(Action::Custom);
    e.revision = "XYZ".into();
    cases.push((e, Invalid::Revision));
    let mut e = event(Action::Custom);
    e.lang = "<script>".into();
    cases.push((e, Invalid::Lang));
    let mut e = event(Action::Custom);
    e.banner = None;
    cases.push((e, Invalid::MissingBanner));
    let mut e = event(Action::Custom);
    e.banner = Some("zz".into());
    cases.push((e, Invalid::Banner));
    for (e, expected) in cases {
        assert_eq!(validate(&e, &s), Err(expected));
    }
}

/// The reference site with `[tcf]` on (the fields the check needs).
fn tcf_site() -> SiteConfig {
    let mut s = site();
    s.tcf = Some(toml::from_str("enabled = true\ncmp_id = 300\npublisher_country = \"NL\"").expect("tcf table"));
    s
}

#[test]
fn tcf_strings_ride_only_on_a_tcf_sites_decisions_and_must_be_well_formed() {
    // A TC string made by the IAB's library (core + disclosed vendors).
    let tc = "CQu26YAQu26YAEsAEBENArFsAP_gAAAgABpYAUMAAAAABAChgAAAAAIAAAAA.IAUMAAAAABAA";
    let mut e = event(Action::AcceptAll);
    e.tc_string = Some(tc.into());
    e.addtl_consent = Some("2~89.1301~dv.".into());
    assert_eq!(validate(&e, &tcf_site()), Ok(()));
    let json = e.to_json();
    assert!(json.ends_with(r#","tc_string":"CQu26YAQu26YAEsAEBENArFsAP_gAAAgABpYAUMAAAAABAChgAAAAAIAAAAA.IAUMAAAAABAA","addtl_consent":"2~89.1301~dv."}"#), "{json}");
    assert_eq!(serde_json::from_str::<Event>(&json).expect("decodes"), e);

    assert_eq!(validate(&e, &site()), Err(Invalid::UnexpectedTcf("tc_string")), "not a [tcf] site");
    let mut shown = event(Action::BannerShown);
    shown.addtl_consent = Some("2~~dv.".into());
    assert_eq!(validate(&shown, &tcf_site()), Err(Invalid::UnexpectedTcf("addtl_consent")), "not a decision");
    for bad in ["", "not a tc string!", "BQu26YAQu26YAEsAEBENArFsAP_gAAAgABpYAUMAAAAABAChgAAAAAIAAAAA"] {
        let mut b = e.clone();
        b.tc_string = Some(bad.into());
        assert!(matches!(validate(&b, &tcf_site()), Err(Invalid::TcString(_))), "{bad:?}");
    }
    for bad in ["1~89", "2~89.1301", "2~89..1~dv.", "2~a~dv.", "2~1~dv.<b>"] {
        let mut b = e.clone();
        b.addtl_consent = Some(bad.into());
        assert_eq!(validate(&b, &tcf_site()), Err(Invalid::AddtlConsent), "{bad:?}");
    }
}
