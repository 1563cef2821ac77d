//! The policy as a plain page (`www/privacy.html`), rendered from the Markdown
//! source at build time. Raw HTML in the source is shown as text; links other
//! than http(s), mailto and same-site paths are dropped.

use std::path::Path;

use anyhow::{Context, Result};
use consent_wire::config::SiteConfig;
use pulldown_cmark::{html, CowStr, Event, Parser, Tag};

pub fn build(pkg_config: &Path, site_file: &Path) -> Result<String> {
    let site = SiteConfig::load(site_file)?;
    let path = pkg_config.join(&site.policy);
    let source = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let body = render(&source);
    Ok(format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/site.css\">\n<link rel=\"icon\" href=\"/favicon.svg\">\n</head>\n<body>\n<main class=\"policy\">\n{body}</main>\n\
         <script src=\"/consent/consent.js\" data-config=\"/consent/config.json\" defer></script>\n</body>\n</html>\n",
        lang = site.default_language,
        title = escape(&site.name),
    ))
}

/// Markdown to HTML with raw HTML neutralised and only safe link targets kept.
pub fn render(source: &str) -> String {
    let events = Parser::new(source).map(|ev| match ev {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) if !is_safe_link(&dest_url) => {
            Event::Start(Tag::Link { link_type, dest_url: CowStr::Borrowed("#"), title, id })
        }
        Event::Start(Tag::Image { dest_url, .. }) => Event::Text(dest_url),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

fn is_safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:") || (lower.starts_with('/') && !lower.starts_with("//")) || lower.starts_with('#')
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn hostile_markdown_is_inert() {
        let html = render("# T\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <script>alert(2)</script>");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    }

    #[test]
    fn numbered_headings_survive() {
        let html = render("## 1. Welke gegevens\n\n### 1.7 Cookies\n\nTekst.");
        assert!(html.contains("<h2>1. Welke gegevens</h2>"), "{html}");
        assert!(html.contains("<h3>1.7 Cookies</h3>"), "{html}");
    }
}
