//! How a declared cookie name matches a stored one: exactly, or, for a pattern
//! ending in `*`, by prefix (`_ga*` matches `_ga` and `_ga_X1`). One rule for the
//! widget (deleting refused categories' cookies) and the cookie scanner.

/// Does the declared `pattern` cover the cookie or storage key `name`?
pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn exact_names_and_prefix_patterns() {
        assert!(matches("_ga*", "_ga") && matches("_ga*", "_ga_X1") && matches("sid", "sid"));
        assert!(!matches("_ga*", "x_ga") && !matches("sid", "sid2") && !matches("sid", "SID"));
    }
}
