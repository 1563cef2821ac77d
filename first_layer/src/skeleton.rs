//! The banner's first layer as a tree: one definition, built by the first
//! layer's Wasm through its loader and by the full widget through web-sys.
//! Every config string reaches the page as text, never as HTML.
//!
//! ```text
//! <consent-banner> #shadow-root
//!   div.cc.<layout>.<theme> role=dialog aria-labelledby=cc-title aria-describedby=cc-desc lang
//!     h2#cc-title            title
//!     p#cc-desc              description " " [a data-act=policy  policy_link]
//!     [p.gpc                 gpc_note]          (Global Privacy Control honoured)
//!     div.row                button accept · button reject · button.alt prefs
//! ```
//! The full widget adds the preferences (`ul.prefs`, the consent record and a
//! "save" button) to this tree when it takes over.

use consent_wire::link::is_safe_link;

/// The host element's tag; a custom-element name cannot clash with the site's.
pub const HOST_TAG: &str = "consent-banner";
pub const CSS: &str = include_str!("banner.css");

/// Where a piece of text comes from.
pub enum Text<'a> {
    /// A visible string from the config's texts, by key (`title`, `accept_all`, …).
    Key(&'a str),
    /// A literal.
    Lit(&'a str),
}

/// The few DOM operations the tree needs.
pub trait Dom {
    type Node;
    fn element(&mut self, parent: &Self::Node, tag: &str) -> Option<Self::Node>;
    fn attr(&mut self, node: &Self::Node, name: &str, value: &str);
    /// Adds one class.
    fn class(&mut self, node: &Self::Node, class: &str);
    /// Appends a text node.
    fn text(&mut self, node: &Self::Node, text: Text);
}

/// What varies between sites and visitors.
pub struct Look<'a> {
    pub lang: &'a str,
    pub layout: &'a str,
    pub theme: &'a str,
    pub policy_url: &'a str,
    /// Show the note that Global Privacy Control was honoured.
    pub gpc: bool,
    /// The buttons in Tab order, a letter each (`a`ccept, `r`eject, `p`references;
    /// an A/B variant's); anything but three letters is the default, `arp`.
    pub order: &'a str,
}

/// Builds the first layer under `root` and returns its button row.
pub fn build<D: Dom>(dom: &mut D, root: &D::Node, look: &Look) -> Option<D::Node> {
    let card = dom.element(root, "div")?;
    for class in ["cc", layout(look.layout), theme(look.theme)] {
        dom.class(&card, class);
    }
    for (name, value) in [("role", "dialog"), ("aria-modal", "false"), ("aria-labelledby", "cc-title"), ("aria-describedby", "cc-desc"), ("lang", look.lang)] {
        dom.attr(&card, name, value);
    }
    let title = dom.element(&card, "h2")?;
    dom.attr(&title, "id", "cc-title");
    dom.text(&title, Text::Key("title"));
    let desc = dom.element(&card, "p")?;
    dom.attr(&desc, "id", "cc-desc");
    dom.text(&desc, Text::Key("description"));
    dom.text(&desc, Text::Lit(" "));
    if is_safe_link(look.policy_url) {
        let link = dom.element(&desc, "a")?;
        dom.attr(&link, "href", look.policy_url);
        dom.attr(&link, "data-act", "policy");
        dom.text(&link, Text::Key("policy_link"));
    }
    if look.gpc {
        let note = dom.element(&card, "p")?;
        dom.class(&note, "gpc");
        dom.text(&note, Text::Key("gpc_note"));
    }
    let row = dom.element(&card, "div")?;
    dom.class(&row, "row");
    let order = if look.order.len() == 3 { look.order } else { "arp" };
    for letter in order.bytes() {
        let (act, key) = match letter {
            b'r' => ("reject", "reject_all"),
            b'p' => ("prefs", "preferences"),
            _ => ("accept", "accept_all"),
        };
        let b = dom.element(&row, "button")?;
        dom.attr(&b, "type", "button");
        dom.attr(&b, "data-act", act);
        if act == "prefs" {
            dom.class(&b, "alt");
        }
        dom.text(&b, Text::Key(key));
    }
    Some(row)
}

/// The layout class: a configured one or the bar at the bottom.
pub fn layout(v: &str) -> &'static str {
    pick(v, &["bar", "box", "modal"])
}

/// The colour-scheme class: a configured one or the visitor's preference.
pub fn theme(v: &str) -> &'static str {
    pick(v, &["auto", "light", "dark"])
}

fn pick(v: &str, allowed: &[&'static str; 3]) -> &'static str {
    allowed.iter().copied().find(|a| *a == v).unwrap_or(allowed[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec::Vec;

    /// Writes the tree as indented lines; text nodes as `"…"`.
    #[derive(Default)]
    struct Outline {
        nodes: Vec<(usize, String)>,
    }

    impl Dom for Outline {
        type Node = usize;
        fn element(&mut self, parent: &usize, tag: &str) -> Option<usize> {
            let depth = if *parent == usize::MAX { 0 } else { self.nodes[*parent].0 + 1 };
            self.nodes.push((depth, String::from(tag)));
            Some(self.nodes.len() - 1)
        }
        fn attr(&mut self, node: &usize, name: &str, value: &str) {
            let n = &mut self.nodes[*node].1;
            n.push_str(&format!(" {name}={value:?}"));
        }
        fn class(&mut self, node: &usize, class: &str) {
            let n = &mut self.nodes[*node].1;
            match n.find(" class=\"") {
                Some(at) => {
                    let end = at + 8 + n[at + 8..].find('"').expect("closing quote");
                    n.insert_str(end, &format!(" {class}"));
                }
                None => n.push_str(&format!(" class=\"{class}\"")),
            }
        }
        fn text(&mut self, node: &usize, text: Text) {
            let n = &mut self.nodes[*node].1;
            match text {
                Text::Key(k) => n.push_str(&format!(" <{k}>")),
                Text::Lit(s) => n.push_str(&format!(" {s:?}")),
            }
        }
    }

    fn outline(look: &Look) -> String {
        let mut dom = Outline::default();
        build(&mut dom, &usize::MAX, look).expect("built");
        dom.nodes.iter().map(|(d, s)| "  ".repeat(*d) + s + "\n").collect()
    }

    fn look<'a>(policy_url: &'a str, gpc: bool) -> Look<'a> {
        Look { lang: "nl", layout: "box", theme: "nonsense", policy_url, gpc, order: "" }
    }

    #[test]
    fn the_first_layer_has_three_equal_choices_and_a_policy_link() {
        let tree = outline(&look("/privacy.html", false));
        assert_eq!(
            tree,
            "div class=\"cc box auto\" role=\"dialog\" aria-modal=\"false\" aria-labelledby=\"cc-title\" aria-describedby=\"cc-desc\" lang=\"nl\"\n\
             \x20 h2 id=\"cc-title\" <title>\n\
             \x20 p id=\"cc-desc\" <description> \" \"\n\
             \x20   a href=\"/privacy.html\" data-act=\"policy\" <policy_link>\n\
             \x20 div class=\"row\"\n\
             \x20   button type=\"button\" data-act=\"accept\" <accept_all>\n\
             \x20   button type=\"button\" data-act=\"reject\" <reject_all>\n\
             \x20   button type=\"button\" data-act=\"prefs\" class=\"alt\" <preferences>\n"
        );
    }

    #[test]
    fn a_variants_order_is_the_tab_order_and_a_broken_one_the_default() {
        let buttons = |order| {
            let tree = outline(&Look { order, ..look("", false) });
            tree.lines().filter_map(|l| l.split("data-act=\"").nth(1)).map(|r| r.split('"').next().unwrap_or("").to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(buttons("rap"), ["reject", "accept", "prefs"]);
        assert_eq!(buttons("pra"), ["prefs", "reject", "accept"]);
        assert_eq!(buttons(""), ["accept", "reject", "prefs"]);
        assert_eq!(buttons("ra"), ["accept", "reject", "prefs"], "not three letters: the default");
    }

    #[test]
    fn no_policy_url_no_link_and_the_gpc_note_shown_when_asked() {
        let tree = outline(&look("", true));
        assert!(!tree.contains("data-act=\"policy\""), "{tree}");
        assert!(!tree.contains("href"), "{tree}");
        assert!(tree.contains("p class=\"gpc\" <gpc_note>"), "{tree}");
    }
}
