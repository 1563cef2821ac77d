//! The values the loader hands the first layer, in order: `put([...])` in
//! `www/loader/consent.js` writes one per slot, each after a `/* Name */`
//! comment naming its slot here (esbuild drops the comments: no bytes on the
//! wire), and a test checks that the two lists agree.

/// What the loader puts where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Cookies,
    CookieName,
    Revision,
    MaxAgeDays,
    Session,
    Domain,
    Langs,
    DefaultLang,
    PageLang,
    BrowserLang,
    PolicyUrl,
    Layout,
    Theme,
    Gpc,
    Categories,
    Https,
    Order,
}

/// How many slots there are.
pub const SLOTS: usize = Slot::ALL.len();

impl Slot {
    /// Every slot, in the loader's order.
    pub const ALL: [Slot; 17] = [
        Slot::Cookies,
        Slot::CookieName,
        Slot::Revision,
        Slot::MaxAgeDays,
        Slot::Session,
        Slot::Domain,
        Slot::Langs,
        Slot::DefaultLang,
        Slot::PageLang,
        Slot::BrowserLang,
        Slot::PolicyUrl,
        Slot::Layout,
        Slot::Theme,
        Slot::Gpc,
        Slot::Categories,
        Slot::Https,
        Slot::Order,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    const LOADER: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/loader/consent.js"));

    /// The slot names of the loader's `put([...])`, one value per line.
    fn loader_slots() -> Vec<String> {
        let start = LOADER.find("put([\n").expect("the loader calls put([") + 6;
        let end = start + LOADER[start..].find("]);").expect("put([...]) ends");
        LOADER[start..end]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let name = l.trim().strip_prefix("/* ").and_then(|r| r.split_once(" */")).map(|(n, _)| n);
                String::from(name.unwrap_or_else(|| panic!("a value without its /* Slot */ comment: {l}")))
            })
            .collect()
    }

    #[test]
    fn the_loader_puts_every_slot_in_this_order() {
        let here: Vec<String> = Slot::ALL.iter().map(|s| format!("{s:?}")).collect();
        assert_eq!(loader_slots(), here);
        for (i, slot) in Slot::ALL.iter().enumerate() {
            assert_eq!(*slot as usize, i, "{slot:?}");
        }
    }
}
