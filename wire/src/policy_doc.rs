//! The policy as a structured document: numbered sections of blocks of text
//! runs. Made from the Markdown at build time (`consent_bundle::policy_doc`),
//! sent as compact JSON, and rendered by the widget's viewer from this shape.
//!
//! JSON: `{title, note, sections: [{n, t, l, b: [block]}]}`; a block is
//! `["p", runs]`, `["ul", [runs]]` or `["table", head, rows]`; a run is a string
//! or `["em" | "strong", text]` or `["a", text, href]`.

use alloc::string::String;
use alloc::vec::Vec;

/// A run of inline text.
#[derive(Clone, Debug, PartialEq)]
pub enum Run {
    Text(String),
    Em(String),
    Strong(String),
    Link { text: String, href: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Para(Vec<Run>),
    List(Vec<Vec<Run>>),
    Table { head: Vec<String>, rows: Vec<Vec<String>> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// "1", "1.7"; empty for the preamble before the first numbered heading.
    pub number: String,
    pub title: String,
    /// 2 for sections, 3 for subsections.
    pub level: u8,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDoc {
    pub title: String,
    pub sections: Vec<Section>,
}

impl PolicyDoc {
    pub fn section_mut(&mut self, number: &str) -> Option<&mut Section> {
        self.sections.iter_mut().find(|s| s.number == number)
    }
}
