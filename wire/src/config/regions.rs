//! `[regions]` in a site file: where the banner asks first (opt-in), where a
//! notice with a "Do not sell or share" choice is enough (opt-out), and where
//! nothing is shown. The visitor's country is read from a header the operator's
//! trusted proxy or CDN sets (never from the address in our code); a country
//! that is missing, malformed or unknown gets the strictest rule, opt-in.
//!
//! ```toml
//! [regions]
//! opt_out = ["US"]          # the whole country, or a subdivision: "US-CA"
//! none = ["JP"]
//! # opt_in = ["EEA", "GB", "CH", "BR"]   (the default)
//! # elsewhere = "opt-in"                 (a known country listed nowhere)
//! # country_header = "CF-IPCountry"      (default: CF-IPCountry and CloudFront-Viewer-Country)
//! # subdivision_header = "cf-region-code"  (default: cf-region-code and CloudFront-Viewer-Country-Region)
//! ```
//!
//! Where the defaults are read, two of them that disagree (a visitor's own
//! `CF-IPCountry` passed on by CloudFront beside the country CloudFront set)
//! make the region unknown: opt-in. Naming the CDN's header reads that one alone.

use serde::{Deserialize, Serialize};

use super::check::Checked;

/// What a visitor from one region is shown before deciding.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The banner: nothing beyond the necessary runs until the visitor accepts.
    #[default]
    OptIn,
    /// A notice: categories run until the visitor opts out ("Do not sell or
    /// share"); Global Privacy Control is an opt-out of the `gpc` categories.
    OptOut,
    /// Nothing shown; as opt-out otherwise (GPC still honoured).
    None,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::OptIn, Mode::OptOut, Mode::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::OptIn => "opt-in",
            Mode::OptOut => "opt-out",
            Mode::None => "none",
        }
    }
}

/// The headers read when `country_header` is not set (Cloudflare's, CloudFront's).
pub const DEFAULT_COUNTRY_HEADERS: [&str; 2] = ["cf-ipcountry", "cloudfront-viewer-country"];
/// The headers read when `subdivision_header` is not set (Cloudflare's, CloudFront's).
pub const DEFAULT_SUBDIVISION_HEADERS: [&str; 2] = ["cf-region-code", "cloudfront-viewer-country-region"];

/// The European Economic Area: the EU's 27 and Iceland, Liechtenstein, Norway.
const EEA: [&str; 30] =
    ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"];

fn default_opt_in() -> Vec<String> {
    ["EEA", "GB", "CH", "BR"].map(String::from).to_vec()
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Regions {
    /// Countries (ISO 3166-1 alpha-2), subdivisions (`US-CA`) or `EEA` / `EU`.
    #[serde(default = "default_opt_in")]
    pub opt_in: Vec<String>,
    #[serde(default)]
    pub opt_out: Vec<String>,
    #[serde(default)]
    pub none: Vec<String>,
    /// A known country that no list names.
    #[serde(default)]
    pub elsewhere: Mode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_header: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdivision_header: Option<String>,
}

/// Where a visitor is, as the trusted headers say (upper case, checked).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// ISO 3166-1 alpha-2, e.g. `US`; none when missing, malformed or unknown (`XX`, `T1`).
    pub country: Option<String>,
    /// The subdivision code without the country, e.g. `CA`.
    pub subdivision: Option<String>,
}

impl Location {
    /// From the raw header values; anything that is not a real code is no code.
    pub fn read(country: Option<&str>, subdivision: Option<&str>) -> Location {
        let country = country.map(|c| c.trim().to_ascii_uppercase()).filter(|c| is_country(c));
        let subdivision = subdivision.map(|s| s.trim().to_ascii_uppercase()).filter(|s| country.is_some() && is_subdivision(s));
        Location { country, subdivision }
    }
}

impl Regions {
    /// The rules of `[regions]` left empty: the default lists and headers.
    pub fn default_rules() -> Regions {
        Regions { opt_in: default_opt_in(), opt_out: Vec::new(), none: Vec::new(), elsewhere: Mode::OptIn, country_header: None, subdivision_header: None }
    }

    /// The headers to read the country and the subdivision from (lower case):
    /// the configured one, or the defaults.
    pub fn headers(&self) -> (Vec<String>, Vec<String>) {
        let names = |configured: &Option<String>, defaults: [&str; 2]| match configured {
            Some(h) => vec![h.to_ascii_lowercase()],
            None => defaults.map(String::from).to_vec(),
        };
        (names(&self.country_header, DEFAULT_COUNTRY_HEADERS), names(&self.subdivision_header, DEFAULT_SUBDIVISION_HEADERS))
    }

    /// The mode for a visitor at `at`: the subdivision's rule, else the
    /// country's, else `elsewhere`; no country at all is opt-in.
    pub fn mode(&self, at: &Location) -> Mode {
        let Some(country) = &at.country else { return Mode::OptIn };
        let lists = [(Mode::OptIn, &self.opt_in), (Mode::OptOut, &self.opt_out), (Mode::None, &self.none)];
        if let Some(sub) = &at.subdivision {
            let code = format!("{country}-{sub}");
            if let Some((mode, _)) = lists.iter().find(|(_, l)| l.contains(&code)) {
                return *mode;
            }
        }
        // A country named outright, then a group that holds it (opt-in's first).
        let named = lists.iter().find(|(_, l)| l.iter().any(|e| e == country));
        named.or_else(|| lists.iter().find(|(_, l)| l.iter().any(|e| in_group(e, country)))).map_or(self.elsewhere, |(mode, _)| *mode)
    }

    /// The modes a visitor can be shown (opt-in always: unknown regions get it).
    pub fn modes(&self) -> Vec<Mode> {
        let mut modes = vec![Mode::OptIn];
        let used = |m: Mode, l: &Vec<String>| (!l.is_empty() || self.elsewhere == m).then_some(m);
        modes.extend(used(Mode::OptOut, &self.opt_out));
        modes.extend(used(Mode::None, &self.none));
        modes
    }

    pub(super) fn check(&self) -> Checked {
        let bad = |field: String, message: &str| Err((field, message.to_owned()));
        let mut seen: Vec<&str> = Vec::new();
        for (name, list) in [("opt_in", &self.opt_in), ("opt_out", &self.opt_out), ("none", &self.none)] {
            for (i, e) in list.iter().enumerate() {
                let field = format!("regions.{name}[{i}]");
                if !is_entry(e) {
                    return bad(field, "a country code (\"US\"), a subdivision (\"US-CA\"), \"EEA\" or \"EU\", in capitals");
                }
                if seen.contains(&e.as_str()) {
                    return bad(field, "named in two lists; a region has one rule");
                }
                seen.push(e);
            }
        }
        for (name, h) in [("country_header", &self.country_header), ("subdivision_header", &self.subdivision_header)] {
            let token = |h: &str| !h.is_empty() && h.len() <= 64 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if h.as_deref().is_some_and(|h| !token(h)) {
                return bad(format!("regions.{name}"), "a header name: letters, digits and '-'");
            }
        }
        Ok(())
    }
}

/// Is `country` in group `e` (`EEA`, `EU`)?
fn in_group(e: &str, country: &str) -> bool {
    match e {
        "EEA" => EEA.contains(&country),
        "EU" => EEA[..27].contains(&country),
        _ => false,
    }
}

fn is_entry(e: &str) -> bool {
    if e == "EEA" || e == "EU" {
        return true;
    }
    match e.split_once('-') {
        Some((c, s)) => is_country(c) && is_subdivision(s),
        None => is_country(e),
    }
}

/// Two capitals, not one of the codes CDNs use for "not a country" (`XX`, `T1`…).
fn is_country(c: &str) -> bool {
    c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) && c != "XX" && c != "ZZ"
}

fn is_subdivision(s: &str) -> bool {
    (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(toml_text: &str) -> Regions {
        toml::from_str(toml_text).expect("regions")
    }

    fn at(country: &str, sub: Option<&str>) -> Location {
        Location::read(Some(country), sub)
    }

    #[test]
    fn each_region_gets_its_rule_and_unknown_gets_opt_in() {
        let r = rules("opt_out = [\"US\", \"NO\"]\nnone = [\"JP\", \"US-TX\"]\nelsewhere = \"none\"\n");
        assert_eq!(r.mode(&at("de", None)), Mode::OptIn, "the EEA by default, case-blind");
        assert_eq!(r.mode(&at("GB", None)), Mode::OptIn);
        assert_eq!(r.mode(&at("NO", None)), Mode::OptOut, "a country named outright before its group");
        assert_eq!(r.mode(&at("US", Some("CA"))), Mode::OptOut);
        assert_eq!(r.mode(&at("US", Some("TX"))), Mode::None, "a subdivision before its country");
        assert_eq!(r.mode(&at("JP", None)), Mode::None);
        assert_eq!(r.mode(&at("AR", None)), Mode::None, "elsewhere");
        for unknown in [Location::default(), at("XX", None), at("T1", None), at("USA", None), at("", None)] {
            assert_eq!(r.mode(&unknown), Mode::OptIn, "{unknown:?}");
        }
        assert_eq!(r.modes(), [Mode::OptIn, Mode::OptOut, Mode::None]);
        assert_eq!(rules("").modes(), [Mode::OptIn], "no other mode, no other loader");
    }

    #[test]
    fn bad_entries_and_headers_are_named() {
        let err = |t: &str| rules(t).check().expect_err("refused").0;
        assert_eq!(err("opt_out = [\"usa\"]"), "regions.opt_out[0]");
        assert_eq!(err("opt_out = [\"US\", \"DE\"]\nnone = [\"US\"]"), "regions.none[0]");
        assert_eq!(err("country_header = \"X Country\""), "regions.country_header");
        assert!(rules("opt_out = [\"US-CA\"]\ncountry_header = \"X-Country\"").check().is_ok());
    }
}
