//! The first layer's decisions: is there a current one, and the cookie that
//! stores a new one. Pure; the entry module feeds it the page's values.

use crate::consent_id::{uuid_v7_bytes, write_hex};
use crate::cookie::{find, split, write_attributes, write_value, Stored};
use crate::sink::{Buf, Sink};

const DAY_S: u64 = 86_400;
/// Longer than any consent may be kept (about 27 years).
const MAX_AGE_DAYS: u64 = 10_000;

/// The site's cookie settings and categories, as the first layer reads them.
pub struct Site<'a> {
    pub cookie_name: &'a str,
    pub revision: &'a str,
    pub max_age_days: u64,
    pub session: bool,
    pub domain: &'a str,
    /// The categories in config order, space-separated; `!` marks a required one and
    /// `~` one refused under Global Privacy Control: `"necessary! analytics marketing~"`.
    pub categories: &'a str,
}

impl Site<'_> {
    fn categories(&self) -> impl Iterator<Item = (&str, bool, bool)> {
        words(self.categories).map(|c| {
            let (c, gpc) = flagged(c, b'~');
            let (c, required) = flagged(c, b'!');
            (c, required, gpc)
        })
    }

    /// Does Global Privacy Control change anything here?
    pub fn has_gpc_categories(&self) -> bool {
        self.categories().any(|(_, _, gpc)| gpc)
    }

    /// Is the decision in `cookie_header` the visitor's answer to this revision?
    pub fn is_decided(&self, cookie_header: &str, now_s: u64) -> bool {
        self.stored(cookie_header).is_some_and(|c| c.is_current(now_s, self.revision))
    }

    fn stored<'h>(&self, cookie_header: &'h str) -> Option<Stored<'h>> {
        Stored::parse(find(cookie_header, self.cookie_name)?).ok()
    }

    /// Writes the `document.cookie` line storing "accept all" or "reject all". A
    /// consent id from an earlier, no longer current decision is kept.
    pub fn write_cookie_line(&self, out: &mut impl Sink, accept: bool, cookie_header: &str, now_ms: u64, random: &[u8; 10], https: bool) {
        let mut fresh = Buf::<32>::new();
        write_hex(&mut fresh, &uuid_v7_bytes(now_ms, random), false);
        let id = match self.stored(cookie_header) {
            Some(c) => c.id_hex,
            None => fresh.text().unwrap_or_default(),
        };
        let chosen = self.categories().filter(|(_, required, _)| accept || *required).map(|(id, _, _)| id);
        let now = now_ms / 1000;
        // The site config allows at most a few years; the cap keeps the sums in range.
        let age = self.max_age_days.min(MAX_AGE_DAYS) * DAY_S;
        out.push_str(self.cookie_name);
        out.push_str("=");
        write_value(out, id, chosen, self.revision, now, now + age);
        let domain = Some(self.domain).filter(|d| !d.is_empty());
        write_attributes(out, (!self.session).then_some(age), domain, https);
    }
}

/// The non-empty words of a space-separated list.
pub fn words(list: &str) -> impl Iterator<Item = &str> + Clone {
    split(list, b' ').filter(|w| !w.is_empty())
}

/// `"id!"` → `("id", true)` for `flag` `!`.
fn flagged(word: &str, flag: u8) -> (&str, bool) {
    match word.len().checked_sub(1).filter(|&i| word.as_bytes().get(i) == Some(&flag)) {
        Some(i) => (word.get(..i).unwrap_or(word), true),
        None => (word, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie::Consent;

    const NOW_MS: u64 = 1_764_000_000_000;

    fn site(session: bool) -> Site<'static> {
        Site { cookie_name: "cc_consent", revision: "a1b2c3", max_age_days: 182, session, domain: "", categories: "necessary! analytics marketing~" }
    }

    fn cookie_line(s: &Site, accept: bool, header: &str, now_ms: u64, random: &[u8; 10], https: bool) -> String {
        let mut out = String::new();
        s.write_cookie_line(&mut out, accept, header, now_ms, random, https);
        out
    }

    fn value(line: &str) -> Consent {
        let v = line.strip_prefix("cc_consent=").and_then(|l| l.split(';').next()).expect("a cc_consent line");
        Consent::decode(v).expect("decodes")
    }

    #[test]
    fn accept_and_reject_store_the_right_categories() {
        let s = site(false);
        let accept = cookie_line(&s, true, "", NOW_MS, &[7; 10], true);
        assert!(accept.ends_with("; Path=/; SameSite=Lax; Max-Age=15724800; Secure"), "{accept}");
        let c = value(&accept);
        assert_eq!(c.categories, ["necessary", "analytics", "marketing"]);
        assert_eq!((c.decided_s, c.expires_s), (1_764_000_000, 1_764_000_000 + 182 * 86_400));
        assert!(consent_wire::validate::is_uuid_v7(&c.id));
        let reject = cookie_line(&s, false, "", NOW_MS, &[7; 10], false);
        assert_eq!(value(&reject).categories, ["necessary"]);
        assert!(!reject.contains("Secure"));
        assert!(s.is_decided(&reject, 1_764_000_000), "a fresh decision is current");
        assert!(!site(false).is_decided("", 1_764_000_000));
    }

    #[test]
    fn session_cookies_have_no_max_age_and_a_domain_when_configured() {
        let mut s = site(true);
        s.domain = "example.com";
        let line = cookie_line(&s, false, "", NOW_MS, &[1; 10], false);
        assert!(!line.contains("Max-Age"), "{line}");
        assert!(line.ends_with("; Domain=example.com"), "{line}");
    }

    #[test]
    fn an_old_decision_keeps_its_id_but_is_not_current() {
        let old = Site { revision: "000000", ..site(false) };
        let line = cookie_line(&old, true, "", NOW_MS - 1000, &[9; 10], false);
        let header = String::from("other=1; ") + line.split(';').next().expect("pair");
        let s = site(false);
        assert!(!s.is_decided(&header, 1_764_000_000), "another revision needs a new answer");
        assert_eq!(value(&cookie_line(&s, false, &header, NOW_MS, &[3; 10], false)).id, value(&line).id);
        assert!(!s.is_decided("cc_consent=1.tampered", 1_764_000_000));
    }

    #[test]
    fn gpc_categories_are_known() {
        assert!(site(false).has_gpc_categories());
        assert!(!Site { categories: "necessary! analytics", ..site(false) }.has_gpc_categories());
    }
}
