//! Accent- and case-insensitive matching for the policy viewer's search: "financiele"
//! finds "Financiële". Pure, so it is unit-tested natively.

use alloc::vec::Vec;

/// Lowercase base letter of a Latin letter with diacritics; other chars lowercased.
pub fn fold(c: char) -> char {
    let base = match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => 'a',
        'Ç' | 'ç' | 'Ć'..='č' => 'c',
        'Ď'..='đ' => 'd',
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => 'e',
        'Ĝ'..='ģ' => 'g',
        'Ĥ'..='ħ' => 'h',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => 'i',
        'Ĵ' | 'ĵ' => 'j',
        'Ķ' | 'ķ' => 'k',
        'Ĺ'..='ł' => 'l',
        'Ñ' | 'ñ' | 'Ń'..='ň' => 'n',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => 'o',
        'Ŕ'..='ř' => 'r',
        'Ś'..='š' => 's',
        'Ţ'..='ŧ' => 't',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => 'u',
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => 'y',
        'Ź'..='ž' => 'z',
        c => c,
    };
    // ASCII lowering only: full Unicode case tables would cost kilobytes of Wasm,
    // and the letters with diacritics were folded above.
    base.to_ascii_lowercase()
}

/// Folds a query; surrounding white space is ignored.
pub fn fold_query(q: &str) -> Vec<char> {
    q.trim().chars().map(fold).collect()
}

/// Byte ranges of `text` that match the folded `query`, left to right, not overlapping.
pub fn find(text: &str, query: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if query.is_empty() {
        return out;
    }
    let chars: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold(c))).collect();
    let mut i = 0;
    while i + query.len() <= chars.len() {
        if chars[i..i + query.len()].iter().map(|(_, c)| *c).eq(query.iter().copied()) {
            let start = chars[i].0;
            let end = chars.get(i + query.len()).map_or(text.len(), |(b, _)| *b);
            out.push((start, end));
            i += query.len();
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold() {
        let text = "1.4 Financiële Transacties";
        let hits = find(text, &fold_query("financiele"));
        assert_eq!(hits.len(), 1);
        let (a, b) = hits[0];
        assert_eq!(&text[a..b], "Financiële");
        assert_eq!(find("Wachtwoorden en WACHTWOORDEN", &fold_query("wachtwoorden")).len(), 2);
        assert!(find("café", &fold_query("cafe ")).len() == 1);
        assert!(find("abc", &fold_query("")).is_empty());
        assert!(find("ab", &fold_query("abc")).is_empty());
    }
}
