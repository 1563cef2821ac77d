//! The one rule for links a visitor may follow, shared by the first layer, the
//! full widget, the policy's Markdown and the site configuration.
//!
//! A safe link is a same-site path (`/privacy`), a fragment (`#cookies`), or an
//! `http:`, `https:` or `mailto:` URL (scheme in lower case, as written by
//! hand; `HTTPS://` is refused, which is only stricter). Browsers read `//host`
//! and `/\host` as another host, and drop tabs and newlines inside a URL before
//! reading it (so `/\t/host` is `//host` too): a link holding a space or a control
//! character is refused outright (DEL is not dropped, so it is let through).

/// Whether a visitor may be sent to `href` (see the module's rule). Written for
/// few bytes of Wasm (it runs in the first layer, under the loader's budget).
pub fn is_safe_link(href: &str) -> bool {
    let b = href.as_bytes();
    let web = b.starts_with(b"https://") || b.starts_with(b"http://") || b.starts_with(b"mailto:");
    let here = matches!(b, [b'#' | b'/', ..]) && !matches!(b, [b'/', b'/' | b'\\', ..]);
    (web || here) && b.iter().all(|&c| c > b' ')
}

/// A safe link that names a page: a same-site path or an http(s) URL (what a
/// site's `policy_url` must be).
pub fn is_safe_page_url(url: &str) -> bool {
    is_safe_link(url) && !url.starts_with('#') && !url.starts_with("mailto:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fragments_and_web_urls_pass_other_hosts_and_schemes_do_not() {
        for href in ["/privacy.html", "#cookies", "https://example.com/p", "mailto:privacy@example.com"] {
            assert!(is_safe_link(href), "{href}");
        }
        for href in [
            "//evil.example/x",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n\\evil.example",
            " /x",
            "data:text/html,x",
            "javascript:x",
            " javascript:x",
            "java\tscript:x",
            "",
            "http:/x",
            "HTTPS://example.com",
        ] {
            assert!(!is_safe_link(href), "{href:?}");
        }
    }

    #[test]
    fn a_page_url_is_no_fragment_nor_mail_address() {
        assert!(is_safe_page_url("/privacy") && is_safe_page_url("https://example.com/privacy"));
        assert!(!is_safe_page_url("#top") && !is_safe_page_url("MAILTO:a@b.example") && !is_safe_page_url("//evil.example"));
    }
}
