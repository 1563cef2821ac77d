//! Property tests for the parsers that take outside input (the fuzzing the
//! stable toolchain allows): any input is either accepted or refused with an
//! error, never a panic; valid events round-trip through the widget's encoder.

use std::path::Path;

use consent_wire::config::SiteConfig;
use consent_wire::validate::validate;
use consent_wire::{Action, Event};
use proptest::prelude::*;

fn site() -> SiteConfig {
    SiteConfig::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml")).expect("reference site")
}

fn action() -> impl Strategy<Value = Action> {
    prop::sample::select(Action::ALL.to_vec())
}

prop_compose! {
    fn event()(action in action(), id in "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
               path in "/[^?#\\x00-\\x1f]{0,60}", lang in "[a-z]{2}(-[A-Z]{2})?", ts in 1_577_836_800_000u64..1_900_000_000_000,
               cats in prop::collection::vec("[a-z_]{1,12}", 0..5), text in "\\PC{0,20}") -> Event {
        Event {
            id: id.clone(),
            site: "luxhost".into(),
            action,
            consent_id: action.is_decision().then_some(id),
            categories: cats,
            revision: "3f4d0e311a87".into(),
            banner: Some(format!("{:064x}", text.len())),
            lang,
            path: path + &text.replace(['?', '#'], ""),
            client_ts: ts,
            tc_string: None,
            addtl_consent: None,
            variant: None,
        }
    }
}

proptest! {
    #[test]
    fn the_widget_encoder_round_trips(e in event()) {
        let back: Event = serde_json::from_str(&e.to_json()).expect("decodes");
        prop_assert_eq!(back, e);
    }

    #[test]
    fn any_bytes_decode_or_error_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(e) = serde_json::from_slice::<Event>(&bytes) {
            let _ = validate(&e, &site());
        }
    }

    #[test]
    fn json_shaped_noise_validates_or_errors(e in event(), junk in "\\PC{0,30}") {
        let mut v: serde_json::Value = serde_json::from_str(&e.to_json()).expect("json");
        v["path"] = serde_json::Value::String(junk.clone());
        v["lang"] = serde_json::Value::String(junk);
        if let Ok(e) = serde_json::from_value::<Event>(v) {
            let _ = validate(&e, &site());
        }
    }

    #[test]
    fn any_path_normalises_to_one_that_validates(e in event(), raw in "\\PC{0,700}", escapes in "(%[0-9A-F]{2}){0,200}") {
        for raw in [raw.clone(), format!("/{escapes}"), format!("{raw}{escapes}")] {
            let p = consent_wire::path::normalise(&raw);
            prop_assert!(p.len() <= consent_wire::path::MAX_PATH && p.starts_with('/'), "{p}");
            prop_assert_eq!(consent_wire::path::normalise(&p), p.clone(), "idempotent");
            let mut e = e.clone();
            e.path = p;
            prop_assert!(!matches!(validate(&e, &site()), Err(consent_wire::validate::Invalid::Path)));
        }
    }

    #[test]
    fn any_site_file_loads_or_names_an_error(text in "\\PC{0,300}") {
        if let Err(e) = SiteConfig::parse(&text, Path::new("fuzz.toml")) {
            prop_assert!(e.to_string().starts_with("fuzz.toml"));
        }
    }

    #[test]
    fn mutated_reference_site_loads_or_names_an_error(cut in 0usize..4000, insert in "\\PC{0,12}") {
        let good = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml")).expect("site");
        let mut at = cut.min(good.len());
        while !good.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &good[..at], insert, &good[at..]);
        match SiteConfig::parse(&text, Path::new("fuzz.toml")) {
            // What loads keeps the rules the widget and server rely on.
            Ok(site) => {
                prop_assert!(consent_wire::link::is_safe_page_url(&site.policy_url), "{}", site.policy_url);
                prop_assert!(site.languages.contains(&site.default_language));
                prop_assert!(!site.origins.is_empty() && site.origins.iter().all(|o| o.starts_with("http") && !o.ends_with('/')));
                prop_assert!(site.categories.iter().all(|c| site.languages.iter().all(|l| c.title.contains_key(l))));
            }
            // What does not load says which file.
            Err(e) => prop_assert!(e.to_string().starts_with("fuzz.toml: "), "{e}"),
        }
    }
}
