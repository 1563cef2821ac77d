//! The safe-link rule checked against the WHATWG URL parser (the `url` crate,
//! which reads URLs as browsers do): whatever the rule lets through, resolved
//! on a site's page, stays on that site unless it names an http(s) or mailto URL.

use consent_wire::link::{is_safe_link, is_safe_page_url};
use proptest::prelude::*;
use url::Url;

const PAGE: &str = "https://site.example/dir/page";

/// Strings made of what tricks URL readers: slashes both ways, schemes, hosts,
/// whitespace and control characters, in any order.
fn tricky() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "/",
        "\\",
        "//",
        "#",
        ":",
        "?",
        "@",
        ".",
        "..",
        "%2f",
        "%5c",
        "\t",
        "\n",
        "\r",
        " ",
        "\u{0}",
        "\u{7f}",
        "http",
        "HTTPS",
        "mailto",
        "javascript",
        "data",
        "evil.example",
        "a",
    ]);
    prop::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

fn names_web_or_mail(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|s| lower.starts_with(s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]
    #[test]
    fn a_safe_link_stays_on_the_site_or_names_a_web_or_mail_url(href in tricky()) {
        if is_safe_link(&href) {
            let page = Url::parse(PAGE).unwrap();
            if let Ok(to) = page.join(&href) {
                prop_assert!(["http", "https", "mailto"].contains(&to.scheme()), "{:?} → {}", href, to);
                if !names_web_or_mail(&href) {
                    prop_assert_eq!(to.host_str(), Some("site.example"), "{:?} → {}", href, to);
                }
            }
        }
        if is_safe_page_url(&href) {
            prop_assert!(is_safe_link(&href));
        }
    }
}

#[test]
fn what_browsers_read_as_another_host_is_refused() {
    let page = Url::parse(PAGE).unwrap();
    for href in ["//evil.example/", "/\\evil.example/", "/\t/evil.example/", "\\\\evil.example/", "/\r\n/evil.example/"] {
        assert_eq!(page.join(href).unwrap().host_str(), Some("evil.example"), "{href:?}: the premise");
        assert!(!is_safe_link(href), "{href:?}");
    }
}
