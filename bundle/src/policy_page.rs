//! The policy as a plain, printable page, rendered from the same structured
//! document the viewer shows. Every string is escaped.

use crate::policy_doc::{Block, PolicyDoc, Run};

/// What the page's head links: the site's loader, and a stylesheet if any.
pub struct PageHead {
    pub loader: String,
    pub stylesheet: Option<String>,
}

pub fn render(doc: &PolicyDoc, lang: &str, note: Option<&str>, site_name: &str, head: &PageHead) -> String {
    let mut h = String::new();
    h.push_str("<!doctype html>\n<html lang=\"");
    h.push_str(&esc(lang));
    h.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>");
    h.push_str(&esc(&doc.title));
    h.push_str(" — ");
    h.push_str(&esc(site_name));
    h.push_str("</title>\n");
    if let Some(css) = &head.stylesheet {
        h.push_str("<link rel=\"stylesheet\" href=\"");
        h.push_str(&esc(css));
        h.push_str("\">\n<link rel=\"icon\" href=\"/favicon.svg\">\n");
    }
    h.push_str("<script src=\"");
    h.push_str(&esc(&head.loader));
    h.push_str("\" defer></script>\n</head>\n<body>\n<main class=\"policy\">\n<h1>");
    h.push_str(&esc(&doc.title));
    h.push_str("</h1>\n");
    if let Some(n) = note {
        h.push_str("<p class=\"note\">");
        h.push_str(&esc(n));
        h.push_str("</p>\n");
    }
    for s in &doc.sections {
        if !s.title.is_empty() {
            let tag = if s.level <= 2 { "h2" } else { "h3" };
            h.push_str(&format!("<{tag} id=\"s-{}\">{} {}</{tag}>\n", esc(&s.number), esc(&s.number), esc(&s.title)));
        }
        for b in &s.blocks {
            block(&mut h, b);
        }
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn block(h: &mut String, b: &Block) {
    match b {
        Block::Para(runs) => {
            h.push_str("<p>");
            runs.iter().for_each(|r| run(h, r));
            h.push_str("</p>\n");
        }
        Block::List(items) => {
            h.push_str("<ul>\n");
            for item in items {
                h.push_str("<li>");
                item.iter().for_each(|r| run(h, r));
                h.push_str("</li>\n");
            }
            h.push_str("</ul>\n");
        }
        Block::Table { head, rows } => {
            h.push_str("<div class=\"table\"><table>\n<thead><tr>");
            for c in head {
                h.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
            }
            h.push_str("</tr></thead>\n<tbody>\n");
            for row in rows {
                h.push_str("<tr>");
                for c in row {
                    h.push_str(&format!("<td>{}</td>", esc(c)));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</tbody></table></div>\n");
        }
    }
}

fn run(h: &mut String, r: &Run) {
    match r {
        Run::Text(t) => h.push_str(&esc(t)),
        Run::Em(t) => h.push_str(&format!("<em>{}</em>", esc(t))),
        Run::Strong(t) => h.push_str(&format!("<strong>{}</strong>", esc(t))),
        Run::Link { text, href } => h.push_str(&format!("<a href=\"{}\">{}</a>", esc(href), esc(text))),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use crate::policy_doc::parse;

    #[test]
    fn hostile_policy_page_is_inert() {
        let doc = parse("# T<script>\n\n## 1. <b>x</b>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))");
        let head = super::PageHead { loader: "/s/x/consent.js\"><b>".into(), stylesheet: None };
        let html = super::render(&doc, "nl\"><script>", None, "S", &head);
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert_eq!(html.matches("<script").count(), 1, "only the consent loader: {html}");
    }
}
