//! The rules a decision follows, apart from the browser (tested on the host):
//! which categories and services it stores, and when it is a withdrawal.

use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::{choice, Action};

/// A site's category as the rules see it: id, required, its services' ids.
pub type Shape<'a> = (&'a str, bool, Vec<&'a str>);

/// The entries a decision stores (`consent_wire::choice`), given the site's
/// categories and the visitor's choice: in the config's order, required
/// categories always in whole, a category whose every service was chosen in
/// whole, otherwise the chosen services one by one; entries the config does not
/// know left out.
pub fn stored_categories<'a>(site: impl IntoIterator<Item = Shape<'a>>, chosen: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (id, required, services) in site {
        let picked: Vec<&str> = services.iter().copied().filter(|s| chosen.iter().any(|c| choice::Entry::parse(c) == choice::Entry::Service(id, s))).collect();
        if required || chosen.iter().any(|c| c == id) || (!services.is_empty() && picked.len() == services.len()) {
            out.push(String::from(id));
        } else {
            out.extend(picked.iter().map(|s| choice::service_entry(id, s)));
        }
    }
    out
}

/// What a decision refuses, the counterpart of its entries: each category not
/// accepted at all, and each service of a category accepted in part.
pub fn refused<'a>(site: impl IntoIterator<Item = Shape<'a>>, accepted: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (id, _, services) in site {
        if choice::covers(accepted, id, None) {
            continue;
        }
        let (some, none): (Vec<&str>, Vec<&str>) = services.iter().partition(|s| choice::covers(accepted, id, Some(s)));
        if some.is_empty() {
            out.push(String::from(id));
        } else {
            out.extend(none.iter().map(|s| choice::service_entry(id, s)));
        }
    }
    out
}

/// What a decision storing `after` is recorded as, when the one before it
/// accepted `before`: dropping a category or a service accepted before is a
/// withdrawal, whatever button did it.
pub fn recorded_action(requested: Action, before: &[String], after: &[String]) -> Action {
    if choice::drops_any(before, after) {
        Action::Withdraw
    } else {
        requested
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Vec<Shape<'static>> {
        vec![("necessary", true, vec!["session"]), ("analytics", false, vec!["visits", "heatmap"]), ("marketing", false, vec![])]
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| String::from(*s)).collect()
    }

    #[test]
    fn required_categories_are_always_stored_in_config_order_and_unknown_ones_never() {
        assert_eq!(stored_categories(site(), &[]), ids(&["necessary"]));
        assert_eq!(stored_categories(site(), &ids(&["marketing", "made-up", "analytics"])), ids(&["necessary", "analytics", "marketing"]));
        assert_eq!(stored_categories(site(), &ids(&["necessary", "necessary"])), ids(&["necessary"]));
    }

    #[test]
    fn services_are_stored_one_by_one_until_all_of_a_category_are_chosen() {
        assert_eq!(stored_categories(site(), &ids(&["analytics/heatmap"])), ids(&["necessary", "analytics/heatmap"]));
        assert_eq!(stored_categories(site(), &ids(&["analytics/heatmap", "analytics/visits"])), ids(&["necessary", "analytics"]), "every service: the whole category");
        assert_eq!(stored_categories(site(), &ids(&["analytics", "analytics/visits"])), ids(&["necessary", "analytics"]));
        assert_eq!(stored_categories(site(), &ids(&["analytics/made-up", "marketing/visits", "analytics/"])), ids(&["necessary"]), "unknown services are left out");
        assert_eq!(stored_categories(site(), &ids(&["necessary/session"])), ids(&["necessary"]));
    }

    #[test]
    fn what_is_refused_mirrors_what_is_accepted() {
        assert_eq!(refused(site(), &ids(&["necessary"])), ids(&["analytics", "marketing"]));
        assert_eq!(refused(site(), &ids(&["necessary", "analytics/visits"])), ids(&["analytics/heatmap", "marketing"]));
        assert!(refused(site(), &ids(&["necessary", "analytics", "marketing"])).is_empty());
    }

    #[test]
    fn dropping_an_accepted_category_is_a_withdrawal() {
        let all = ids(&["necessary", "analytics", "marketing"]);
        assert_eq!(recorded_action(Action::Custom, &all, &ids(&["necessary", "analytics"])), Action::Withdraw);
        assert_eq!(recorded_action(Action::RejectAll, &all, &ids(&["necessary"])), Action::Withdraw);
        assert_eq!(recorded_action(Action::AcceptAll, &ids(&["necessary"]), &all), Action::AcceptAll);
        assert_eq!(recorded_action(Action::RejectAll, &[], &ids(&["necessary"])), Action::RejectAll, "a first decision withdraws nothing");
        assert_eq!(recorded_action(Action::Custom, &ids(&["necessary", "analytics"]), &ids(&["necessary", "analytics"])), Action::Custom);
        assert_eq!(recorded_action(Action::Custom, &ids(&["necessary", "analytics"]), &ids(&["necessary", "analytics/visits"])), Action::Withdraw, "a service dropped");
        assert_eq!(recorded_action(Action::Custom, &ids(&["necessary", "analytics/visits"]), &ids(&["necessary", "analytics"])), Action::Custom);
    }
}
