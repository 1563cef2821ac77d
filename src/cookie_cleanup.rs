//! Deleting the cookies of refused categories: exact names and `prefix*`
//! patterns, on the current host and its parent domains.

use alloc::string::String;
use alloc::vec::Vec;

/// Names present in `cookie_header` that one of `declared` names or patterns matches.
pub fn matching<'a>(cookie_header: &'a str, declared: &[String]) -> Vec<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim_start().split('=').next())
        .filter(|name| !name.is_empty())
        .filter(|name| declared.iter().any(|d| consent_wire::cookie_name::matches(d, name)))
        .collect()
}

/// `document.cookie` assignments that expire `name` for the host and each parent domain.
pub fn expiry_lines(name: &str, host: &str) -> Vec<String> {
    let mut out = Vec::new();
    let base = String::from(name) + "=; Max-Age=0; Path=/";
    out.push(base.clone());
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return out; // an IP address has no parent domains
    }
    let mut domain = host;
    while domain.contains('.') {
        out.push(base.clone() + "; Domain=" + domain);
        match domain.split_once('.') {
            Some((_, rest)) if rest.contains('.') => domain = rest,
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn matches_names_and_prefixes() {
        let declared = ["_lx_visit*".to_string(), "_lx_nl".to_string()];
        let header = "_lx_visit=1; _lx_visit_2=x; _lx_nl=3; _lx_nlx=4; cc_consent=5";
        assert_eq!(matching(header, &declared), ["_lx_visit", "_lx_visit_2", "_lx_nl"]);
    }

    #[test]
    fn expires_on_host_and_parents() {
        assert_eq!(
            expiry_lines("_ga", "www.shop.example.com"),
            ["_ga=; Max-Age=0; Path=/", "_ga=; Max-Age=0; Path=/; Domain=www.shop.example.com", "_ga=; Max-Age=0; Path=/; Domain=shop.example.com", "_ga=; Max-Age=0; Path=/; Domain=example.com",]
        );
        assert_eq!(expiry_lines("a", "localhost"), ["a=; Max-Age=0; Path=/"]);
        assert_eq!(expiry_lines("a", "127.0.0.1"), ["a=; Max-Age=0; Path=/"]);
    }
}
