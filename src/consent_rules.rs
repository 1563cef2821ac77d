//! The rules a decision follows, apart from the browser (tested on the host):
//! which categories it stores, and when it is a withdrawal.

use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::Action;

/// The categories a decision stores, given the site's categories (`id`,
/// `required`) and the visitor's choice: in the config's order, required ones
/// always in, ids the config does not know left out.
pub fn stored_categories<'a>(site: impl IntoIterator<Item = (&'a str, bool)>, chosen: &[String]) -> Vec<String> {
    site.into_iter().filter(|(id, required)| *required || chosen.iter().any(|c| c == id)).map(|(id, _)| String::from(id)).collect()
}

/// What a decision storing `after` is recorded as, when the one before it
/// accepted `before`: dropping a category accepted before is a withdrawal,
/// whatever button did it.
pub fn recorded_action(requested: Action, before: &[String], after: &[String]) -> Action {
    if before.iter().any(|c| !after.contains(c)) {
        Action::Withdraw
    } else {
        requested
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: [(&str, bool); 3] = [("necessary", true), ("analytics", false), ("marketing", false)];

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| String::from(*s)).collect()
    }

    #[test]
    fn required_categories_are_always_stored_in_config_order_and_unknown_ones_never() {
        assert_eq!(stored_categories(SITE, &[]), ids(&["necessary"]));
        assert_eq!(stored_categories(SITE, &ids(&["marketing", "made-up", "analytics"])), ids(&["necessary", "analytics", "marketing"]));
        assert_eq!(stored_categories(SITE, &ids(&["necessary", "necessary"])), ids(&["necessary"]));
    }

    #[test]
    fn dropping_an_accepted_category_is_a_withdrawal() {
        let all = ids(&["necessary", "analytics", "marketing"]);
        assert_eq!(recorded_action(Action::Custom, &all, &ids(&["necessary", "analytics"])), Action::Withdraw);
        assert_eq!(recorded_action(Action::RejectAll, &all, &ids(&["necessary"])), Action::Withdraw);
        assert_eq!(recorded_action(Action::AcceptAll, &ids(&["necessary"]), &all), Action::AcceptAll);
        assert_eq!(recorded_action(Action::RejectAll, &[], &ids(&["necessary"])), Action::RejectAll, "a first decision withdraws nothing");
        assert_eq!(recorded_action(Action::Custom, &ids(&["necessary", "analytics"]), &ids(&["necessary", "analytics"])), Action::Custom);
    }
}
