//! `[[variants]]` in a site file: A/B variants of the banner's first layer —
//! its texts, layout, button order and button style — with traffic weights.
//! The server draws one per page view before a decision (nothing stored, nothing
//! fingerprinted); the decision records it, and its banner version covers it.
//!
//! A **fairness guard** refuses, at load, any variant where refusing is harder
//! than accepting; the error names the variant and the rule ([`Rule`]).
//!
//! ```toml
//! [[variants]]
//! id = "short"
//! weight = 50
//! buttons = ["reject", "accept", "preferences"]
//! layout = "box"
//! texts.nl = { title = "Cookies?", accept_all = "Ja, prima", reject_all = "Nee, liever niet" }
//! accept = { size = "large" }
//! reject = { size = "large" }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::check::{is_ident, Checked};
use super::{Layout, Texts};

/// The first layer's texts a variant may change.
pub const VARIANT_TEXTS: [&str; 5] = ["title", "description", "accept_all", "reject_all", "preferences"];

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Button {
    Accept,
    Reject,
    Preferences,
}

impl Button {
    /// Its letter in the first layer's `order` (`a`, `r`, `p`).
    pub fn letter(self) -> char {
        match self {
            Button::Accept => 'a',
            Button::Reject => 'r',
            Button::Preferences => 'p',
        }
    }
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    Small,
    #[default]
    Normal,
    Large,
}

/// What a button looks like it is: a button, or a plain text link.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Element {
    #[default]
    Button,
    Link,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ButtonStyle {
    #[serde(default)]
    pub size: Size,
    #[serde(default)]
    pub element: Element,
    /// Text and background colours, `#rrggbb` (both or neither).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
}

fn default_buttons() -> Vec<Button> {
    vec![Button::Accept, Button::Reject, Button::Preferences]
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub id: String,
    /// Its share of page views: `weight` over the sum of all variants' weights.
    pub weight: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The first layer's buttons in Tab order.
    #[serde(default = "default_buttons")]
    pub buttons: Vec<Button>,
    /// Per language, the first-layer texts this variant says otherwise.
    #[serde(default)]
    pub texts: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub accept: ButtonStyle,
    #[serde(default)]
    pub reject: ButtonStyle,
}

/// A fairness rule a variant can break: each one makes refusing harder than accepting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// No "Reject all" on the first layer (or an empty label).
    RejectMissing,
    /// The reject button is a smaller size than accept.
    Smaller,
    /// Reject's text/background contrast is lower than accept's.
    LowerContrast,
    /// Reject's label has fewer words than accept's (in some language).
    FewerWords,
    /// Reject looks like another kind of element (a link beside a button).
    ElementType,
    /// More Tab stops lie before reject than right after accept: something sits between them, or reject comes last after more.
    TabStops,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::RejectMissing => "reject-missing",
            Rule::Smaller => "smaller",
            Rule::LowerContrast => "lower-contrast",
            Rule::FewerWords => "fewer-words",
            Rule::ElementType => "element-type",
            Rule::TabStops => "tab-stops",
        }
    }
}

impl Variant {
    /// The first layer's button order as letters (`arp`).
    pub fn order(&self) -> String {
        self.buttons.iter().map(|b| b.letter()).collect()
    }

    /// The variant's texts in `lang`: `base` with its own on top.
    pub fn texts(&self, lang: &str, base: &Texts) -> Texts {
        let mut t = base.clone();
        if let Some(own) = self.texts.get(lang) {
            t.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        t
    }

    /// The fairness guard: the first rule this variant breaks, and how.
    /// `texts`: the site's texts per language (the variant's are laid over them).
    pub fn unfair(&self, texts: &BTreeMap<String, Texts>) -> Option<(Rule, String)> {
        let at = |b: Button| self.buttons.iter().position(|x| *x == b);
        let (Some(accept), Some(reject)) = (at(Button::Accept), at(Button::Reject)) else {
            return Some((Rule::RejectMissing, "the first layer has no \"reject\" button".into()));
        };
        for (lang, base) in texts {
            let t = self.texts(lang, base);
            let words = |k: &str| t.get(k).map_or(0, |s| s.split_whitespace().count());
            if words("reject_all") == 0 {
                return Some((Rule::RejectMissing, format!("the reject label is empty in `{lang}`")));
            }
            if words("reject_all") < words("accept_all") {
                return Some((Rule::FewerWords, format!("in `{lang}` reject says {:?} ({} words), accept {:?} ({})", t["reject_all"], words("reject_all"), t["accept_all"], words("accept_all"))));
            }
        }
        if self.reject.size < self.accept.size {
            return Some((Rule::Smaller, format!("reject is {:?}, accept {:?}", self.reject.size, self.accept.size).to_lowercase()));
        }
        if self.reject.element != self.accept.element {
            return Some((Rule::ElementType, format!("reject looks like a {:?}, accept like a {:?}", self.reject.element, self.accept.element).to_lowercase()));
        }
        let (ca, cr) = (contrast(&self.accept), contrast(&self.reject));
        if cr + 1e-9 < ca {
            return Some((Rule::LowerContrast, format!("reject's contrast is {cr:.2}:1, accept's {ca:.2}:1")));
        }
        if reject > accept + 1 {
            return Some((Rule::TabStops, format!("{} Tab stops before reject, {} before accept", reject, accept)));
        }
        None
    }

    pub(super) fn check(&self, field: &str, languages: &[String]) -> Checked {
        let bad = |f: String, m: &str| Err((f, m.to_owned()));
        if !is_ident(&self.id, 32) {
            return bad(format!("{field}.id"), "use 1-32 characters a-z, 0-9, '-' or '_'");
        }
        if self.weight == 0 || self.weight > 10_000 {
            return bad(format!("{field}.weight"), "a share of traffic from 1 to 10000");
        }
        let mut seen = Vec::new();
        for (i, b) in self.buttons.iter().enumerate() {
            if seen.contains(b) {
                return bad(format!("{field}.buttons[{i}]"), "each button once");
            }
            seen.push(*b);
        }
        if !seen.contains(&Button::Accept) || !seen.contains(&Button::Preferences) {
            return bad(format!("{field}.buttons"), "the first layer shows \"accept\", \"reject\" and \"preferences\"");
        }
        for (lang, own) in &self.texts {
            if !languages.contains(lang) {
                return bad(format!("{field}.texts.{lang}"), "not one of the site's `languages`");
            }
            if let Some(k) = own.keys().find(|k| !VARIANT_TEXTS.contains(&k.as_str())) {
                return bad(format!("{field}.texts.{lang}.{k}"), "a variant changes only title, description, accept_all, reject_all, preferences");
            }
        }
        for (name, style) in [("accept", &self.accept), ("reject", &self.reject)] {
            let colours = [&style.color, &style.background];
            if colours.iter().any(|c| c.as_deref().is_some_and(|c| rgb(c).is_none())) || colours.iter().filter(|c| c.is_some()).count() == 1 {
                return bad(format!("{field}.{name}"), "set `color` and `background` together, each as #rrggbb");
            }
        }
        if self.accept.color.is_some() != self.reject.color.is_some() {
            return bad(format!("{field}.reject"), "colour both buttons or neither");
        }
        Ok(())
    }
}

/// The fairness guard over every variant of `site`, whose texts per language are `texts`.
pub fn guard(site: &super::SiteConfig, texts: &BTreeMap<String, Texts>) -> Result<(), super::ConfigError> {
    for v in &site.variants {
        if let Some((rule, detail)) = v.unfair(texts) {
            return Err(super::ConfigError::Unfair { site: site.id.clone(), variant: v.id.clone(), rule: rule.as_str(), detail });
        }
    }
    Ok(())
}

/// `#rrggbb` → (r, g, b).
pub fn rgb(c: &str) -> Option<[u8; 3]> {
    let hex = c.strip_prefix('#').filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2 contrast ratio of a button's text on its background (1 when uncoloured: the theme's, the same for both).
fn contrast(style: &ButtonStyle) -> f64 {
    let (Some(fg), Some(bg)) = (style.color.as_deref().and_then(rgb), style.background.as_deref().and_then(rgb)) else { return 1.0 };
    let lum = |c: [u8; 3]| {
        let lin = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let (a, b) = (lum(fg), lum(bg));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}
