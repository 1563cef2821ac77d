//! The page path an event carries: normalised the same way by the widget (before
//! it sends) and by the server (before it validates), so a long or unusual path
//! is shortened, never a reason to refuse a decision.
//!
//! `location.pathname` is percent-encoded: a 57-character Cyrillic slug is already
//! over 512 bytes. The path keeps its first [`MAX_PATH`] bytes, without cutting a
//! character or a `%XX` escape in half.

use alloc::string::String;

/// The longest path stored, in bytes.
pub const MAX_PATH: usize = 512;

/// `raw` without query string or fragment, without control characters, starting
/// with `/`, at most [`MAX_PATH`] bytes.
pub fn normalise(raw: &str) -> String {
    let end = raw.find(['?', '#']).unwrap_or(raw.len());
    let mut out = String::with_capacity(end.min(MAX_PATH) + 1);
    if !raw.starts_with('/') {
        out.push('/');
    }
    for c in raw[..end].chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > MAX_PATH {
            break;
        }
        out.push(c);
    }
    // A `%` or `%X` left at the end is half an escape (and what it leaves may be one too).
    loop {
        let b = out.as_bytes();
        let half = match b {
            [.., b'%'] => 1,
            [.., b'%', _] => 2,
            _ => break,
        };
        out.truncate(out.len() - half);
    }
    out
}

/// Is `path` what [`normalise`] makes?
pub fn is_normal(path: &str) -> bool {
    normalise(path) == path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paths_are_kept() {
        for p in ["/", "/hosting/", "/%D0%BF%D1%80%D0%B8", "/a%20b"] {
            assert_eq!(normalise(p), p);
        }
    }

    #[test]
    fn query_fragment_and_control_characters_go() {
        assert_eq!(normalise("/x?email=a@b.c"), "/x");
        assert_eq!(normalise("/x#top"), "/x");
        assert_eq!(normalise("/a\nb\u{7f}c"), "/abc");
        assert_eq!(normalise(""), "/");
        assert_eq!(normalise("hosting"), "/hosting");
        assert_eq!(normalise("/ж"), "/ж");
        assert_eq!(normalise("/a%"), "/a");
        assert_eq!(normalise("/%%"), "/");
        assert_eq!(normalise("/a%4%"), "/a");
    }

    #[test]
    fn long_paths_are_cut_at_a_whole_escape_or_character() {
        // 57 Cyrillic letters, percent-encoded: 6 bytes each.
        let slug = "/".to_owned() + &"%D0%BF".repeat(100);
        let p = normalise(&slug);
        assert!(p.len() <= MAX_PATH && p.len() > MAX_PATH - 6, "{}", p.len());
        assert!(p.ends_with("%BF"), "whole escapes only");
        for cut in 0..3 {
            let s = "/".to_owned() + &"a".repeat(MAX_PATH - 2 - cut) + "%D0%BF";
            let p = normalise(&s);
            assert!(p.len() <= MAX_PATH);
            assert!(!p[p.len().saturating_sub(2)..].contains('%'), "no half escape: {p}");
        }
        let wide = "/".to_owned() + &"ж".repeat(400);
        let p = normalise(&wide);
        assert!(p.len() <= MAX_PATH && p.len() >= MAX_PATH - 1);
        assert!(is_normal(&p));
    }
}
