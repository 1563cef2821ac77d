//! The policy as a structured document, parsed from Markdown at build time so
//! the Wasm only renders: numbered sections, blocks, text runs. Raw HTML in the
//! source becomes text; links other than http(s), mailto and same-site paths
//! become text (`consent_wire::link`); bare e-mail addresses become mailto links.

use consent_wire::link::is_safe_link;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde_json::{json, Value};

pub use consent_wire::policy_doc::{Block, PolicyDoc, Run, Section};

pub fn parse(source: &str) -> PolicyDoc {
    let preamble = Section { number: String::new(), title: String::new(), level: 2, blocks: vec![] };
    let mut b = Builder { doc: PolicyDoc { title: String::new(), sections: vec![preamble] }, runs: Vec::new(), items: None, style: None, link: None, heading: None };
    for ev in Parser::new(source) {
        b.event(ev);
    }
    let mut doc = b.doc;
    if doc.sections.first().is_some_and(|s| s.blocks.is_empty()) {
        doc.sections.remove(0);
    }
    doc
}

/// Inline emphasis in effect.
#[derive(Clone, Copy)]
enum Style {
    Em,
    Strong,
}

/// The document so far, and what is open between Markdown events.
struct Builder {
    doc: PolicyDoc,
    /// The text runs of the paragraph, item or heading being read.
    runs: Vec<Run>,
    /// The items of the list being read.
    items: Option<Vec<Vec<Run>>>,
    style: Option<Style>,
    /// The link being read: its target and text.
    link: Option<(String, String)>,
    heading: Option<HeadingLevel>,
}

impl Builder {
    /// Blocks: headings, lists, paragraphs, raw HTML (kept as text); the rest is inline.
    fn event(&mut self, ev: Event<'_>) {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some(level);
                self.runs.clear();
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::List(_)) => self.items = Some(self.items.take().unwrap_or_default()),
            Event::End(TagEnd::List(_)) => {
                if let Some(list) = self.items.take().filter(|l| !l.is_empty()) {
                    push_block(&mut self.doc, Block::List(list));
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(list) = self.items.as_mut() {
                    list.push(autolink(std::mem::take(&mut self.runs)));
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                let text = plain(&self.runs).trim_end().to_owned();
                self.runs.clear();
                push_block(&mut self.doc, Block::Para(vec![Run::Text(text)]));
            }
            Event::End(TagEnd::Paragraph) if self.items.is_none() => {
                push_block(&mut self.doc, Block::Para(autolink(std::mem::take(&mut self.runs))));
            }
            other => self.inline(other),
        }
    }

    /// The first level-1 heading is the title; the others open a (sub)section.
    fn end_heading(&mut self) {
        let text = plain(&self.runs);
        self.runs.clear();
        match self.heading.take() {
            Some(HeadingLevel::H1) if self.doc.title.is_empty() => self.doc.title = text,
            Some(level) => {
                let (number, title) = split_number(&text);
                let level = if level <= HeadingLevel::H2 { 2 } else { 3 };
                self.doc.sections.push(Section { number, title, level, blocks: vec![] });
            }
            None => {}
        }
    }

    /// Text, emphasis and links; a link that is not safe stays text.
    fn inline(&mut self, ev: Event<'_>) {
        match ev {
            Event::Start(Tag::Emphasis) => self.style = Some(Style::Em),
            Event::Start(Tag::Strong) => self.style = Some(Style::Strong),
            Event::End(TagEnd::Emphasis | TagEnd::Strong) => self.style = None,
            Event::Start(Tag::Link { dest_url, .. }) => self.link = Some((dest_url.to_string(), String::new())),
            Event::End(TagEnd::Link) => {
                if let Some((href, text)) = self.link.take() {
                    self.runs.push(if is_safe_link(&href) { Run::Link { text, href } } else { Run::Text(text) });
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                if let Some((_, text)) = self.link.as_mut() {
                    text.push_str(&t);
                } else {
                    self.runs.push(match self.style {
                        Some(Style::Em) => Run::Em(t.to_string()),
                        Some(Style::Strong) => Run::Strong(t.to_string()),
                        None => Run::Text(t.to_string()),
                    });
                }
            }
            Event::SoftBreak | Event::HardBreak => self.runs.push(Run::Text(" ".into())),
            _ => {}
        }
    }
}

/// Compact JSON for the viewer, `{lang, note, title, sections: [{n, t, l, b: [blocks]}]}`
/// (`consent_wire::policy_doc` describes it; the widget reads it back into that shape).
pub fn to_json(doc: &PolicyDoc, lang: &str, note: Option<&str>) -> Value {
    let run = |r: &Run| match r {
        Run::Text(t) => json!(t),
        Run::Em(t) => json!(["em", t]),
        Run::Strong(t) => json!(["strong", t]),
        Run::Link { text, href } => json!(["a", text, href]),
    };
    let block = |b: &Block| match b {
        Block::Para(runs) => json!(["p", runs.iter().map(run).collect::<Vec<_>>()]),
        Block::List(items) => json!(["ul", items.iter().map(|i| i.iter().map(run).collect::<Vec<_>>()).collect::<Vec<_>>()]),
        Block::Table { head, rows } => json!(["table", head, rows]),
    };
    json!({
        "lang": lang,
        "note": note,
        "title": doc.title,
        "sections": doc.sections.iter().map(|s| json!({
            "n": s.number, "t": s.title, "l": s.level,
            "b": s.blocks.iter().map(block).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn push_block(doc: &mut PolicyDoc, block: Block) {
    if let Some(s) = doc.sections.last_mut() {
        s.blocks.push(block);
    }
}

/// "1.7 Cookies" → ("1.7", "Cookies"); "2. Toegang" → ("2", "Toegang").
fn split_number(text: &str) -> (String, String) {
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let number = text[..end].trim_end_matches('.');
    if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return (String::new(), text.trim().to_owned());
    }
    (number.to_owned(), text[end..].trim().to_owned())
}

fn plain(runs: &[Run]) -> String {
    runs.iter()
        .map(|r| match r {
            Run::Text(t) | Run::Em(t) | Run::Strong(t) => t.as_str(),
            Run::Link { text, .. } => text.as_str(),
        })
        .collect()
}

/// Merges adjacent text runs and turns bare e-mail addresses into mailto links.
fn autolink(runs: Vec<Run>) -> Vec<Run> {
    let mut merged: Vec<Run> = Vec::new();
    for r in runs {
        match (merged.last_mut(), r) {
            (Some(Run::Text(a)), Run::Text(b)) => a.push_str(&b),
            (_, r) => merged.push(r),
        }
    }
    let mut out = Vec::new();
    for r in merged {
        let Run::Text(text) = r else {
            out.push(r);
            continue;
        };
        let mut rest = text.as_str();
        while let Some((start, end)) = find_email(rest) {
            if start > 0 {
                out.push(Run::Text(rest[..start].to_owned()));
            }
            let addr = &rest[start..end];
            out.push(Run::Link { text: addr.to_owned(), href: format!("mailto:{addr}") });
            rest = &rest[end..];
        }
        if !rest.is_empty() {
            out.push(Run::Text(rest.to_owned()));
        }
    }
    out
}

fn find_email(s: &str) -> Option<(usize, usize)> {
    let local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    for (at, _) in s.match_indices('@') {
        let start = s[..at].rfind(|c: char| !local(c)).map_or(0, |i| i + 1);
        let mut end = at + 1 + s[at + 1..].find(|c: char| !domain(c)).unwrap_or(s.len() - at - 1);
        while s[..end].ends_with('.') {
            end -= 1;
        }
        let dom = &s[at + 1..end];
        if start < at && dom.contains('.') && !dom.starts_with('.') {
            return Some((start, end));
        }
    }
    None
}

#[cfg(test)]
#[path = "policy_doc_tests.rs"]
mod tests;
