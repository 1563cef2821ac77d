//! What a decision accepts, entry by entry: `analytics` (the whole category,
//! every service in it) or `analytics/bezoekstatistieken` (one service of a
//! category the visitor accepted only in part). The cookie, the event, the
//! proof and the JS API all carry these entries; a cookie written before
//! services could be chosen holds whole categories only and reads the same.

use alloc::string::String;

/// The entry for one service of a category: `category/service`.
pub fn service_entry(category: &str, service: &str) -> String {
    let mut s = String::with_capacity(category.len() + 1 + service.len());
    s.push_str(category);
    s.push('/');
    s.push_str(service);
    s
}

/// One accepted entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry<'a> {
    /// The whole category.
    Category(&'a str),
    /// One service of a category: `(category, service)`.
    Service(&'a str, &'a str),
}

impl<'a> Entry<'a> {
    pub fn parse(s: &'a str) -> Entry<'a> {
        match s.split_once('/') {
            Some((category, service)) => Entry::Service(category, service),
            None => Entry::Category(s),
        }
    }

    pub fn category(&self) -> &'a str {
        match *self {
            Entry::Category(c) | Entry::Service(c, _) => c,
        }
    }
}

/// Does a decision accepting `accepted` cover `category` (with `service`:
/// that service of it)? A whole category covers each of its services; a
/// service covers only itself, so a category accepted in part does not
/// cover the category.
pub fn covers<S: AsRef<str>>(accepted: &[S], category: &str, service: Option<&str>) -> bool {
    accepted.iter().any(|a| match Entry::parse(a.as_ref()) {
        Entry::Category(c) => c == category,
        Entry::Service(c, s) => c == category && Some(s) == service,
    })
}

/// Does a decision accepting `accepted` cover `entry` (a category: in whole;
/// `category/service`: that service)?
pub fn covers_entry<S: AsRef<str>>(accepted: &[S], entry: &str) -> bool {
    match Entry::parse(entry) {
        Entry::Category(c) => covers(accepted, c, None),
        Entry::Service(c, s) => covers(accepted, c, Some(s)),
    }
}

/// Is one of `before`'s entries not covered by `after` (a withdrawal, whatever
/// button did it)?
pub fn drops_any<S: AsRef<str>, T: AsRef<str>>(before: &[S], after: &[T]) -> bool {
    before.iter().any(|b| !covers_entry(after, b.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_category_covers_its_services_and_a_service_only_itself() {
        let accepted = ["necessary", "analytics/visits"];
        assert!(covers(&accepted, "necessary", None));
        assert!(covers(&accepted, "necessary", Some("session")));
        assert!(covers(&accepted, "analytics", Some("visits")));
        assert!(!covers(&accepted, "analytics", None), "a category accepted in part is not accepted");
        assert!(!covers(&accepted, "analytics", Some("heatmap")));
        assert!(!covers(&accepted, "marketing", Some("visits")), "a service id means nothing in another category");
    }

    #[test]
    fn dropping_a_category_or_a_service_is_dropping_something() {
        assert!(drops_any(&["analytics"], &["analytics/visits"]));
        assert!(drops_any(&["analytics/visits"], &["analytics/heatmap"]));
        assert!(!drops_any(&["analytics/visits"], &["analytics"]));
        assert!(!drops_any(&["analytics/visits", "marketing"], &["marketing", "analytics/visits", "analytics/heatmap"]));
        assert!(!drops_any::<&str, &str>(&[], &[]));
    }
}
