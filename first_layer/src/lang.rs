//! Which language the banner speaks: the page's `<html lang>`, then the
//! browser's, when the site offers it; else the site's default.

/// `langs`: the site's languages; returns one of them or `default`.
pub fn pick<'a>(page: &str, browser: &str, langs: impl Iterator<Item = &'a str> + Clone, default: &'a str) -> &'a str {
    [page, browser].into_iter().find_map(|tag| langs.clone().find(|l| primary_subtag_is(tag, l))).unwrap_or(default)
}

/// Is `lang` the primary subtag of `tag` ("nl-BE" → "nl"), ignoring case?
fn primary_subtag_is(tag: &str, lang: &str) -> bool {
    let end = tag.bytes().position(|b| b == b'-' || b == b'_').unwrap_or(tag.len());
    !lang.is_empty() && tag.as_bytes().get(..end).is_some_and(|primary| primary.eq_ignore_ascii_case(lang.as_bytes()))
}

#[cfg(test)]
mod tests {

    const LANGS: [&str; 4] = ["nl", "en", "fr", "de"];

    fn pick<'a>(page: &str, browser: &str, langs: &[&'a str], default: &'a str) -> &'a str {
        super::pick(page, browser, langs.iter().copied(), default)
    }

    #[test]
    fn page_then_browser_then_default() {
        assert_eq!(pick("fr", "de-DE", &LANGS, "nl"), "fr");
        assert_eq!(pick("FR-be", "de", &LANGS, "nl"), "fr");
        assert_eq!(pick("", "de_AT", &LANGS, "nl"), "de");
        assert_eq!(pick("pt", "es-ES", &LANGS, "nl"), "nl");
        assert_eq!(pick("e", "en", &LANGS, "nl"), "en", "a prefix of a language is not that language");
        assert_eq!(pick("", "", &[], "nl"), "nl");
    }
}
