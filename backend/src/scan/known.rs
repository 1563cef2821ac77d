//! Well-known cookie names and storage keys, for what a site does not declare:
//! who usually sets them and the category they usually belong to. Facts written
//! here from the vendors' own documentation of their cookies; each entry
//! carries an example name, and a test checks that the example finds that entry.

use serde::Serialize;

/// The consent category a cookie usually falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Usual {
    /// Needed for the site to work (sessions, security, load balancing, the consent record).
    Necessary,
    Analytics,
    Marketing,
}

impl Usual {
    /// The category id the reference configs use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Usual::Necessary => "necessary",
            Usual::Analytics => "analytics",
            Usual::Marketing => "marketing",
        }
    }
}

/// Where a name is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Store {
    Cookie,
    /// `localStorage` or `sessionStorage`.
    Storage,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Known {
    /// An exact name or a `prefix*` pattern (`consent_wire::cookie_name`).
    pub pattern: &'static str,
    pub store: Store,
    pub service: &'static str,
    pub provider: &'static str,
    pub usual: Usual,
    /// A name this entry must match (checked by a test).
    #[serde(skip)]
    pub example: &'static str,
}

const fn cookie(pattern: &'static str, example: &'static str, service: &'static str, provider: &'static str, usual: Usual) -> Known {
    Known { pattern, store: Store::Cookie, service, provider, usual, example }
}

const fn storage(pattern: &'static str, example: &'static str, service: &'static str, provider: &'static str, usual: Usual) -> Known {
    Known { pattern, store: Store::Storage, service, provider, usual, example }
}

use Usual::{Analytics, Marketing, Necessary};

/// Longer patterns first where one would shadow another (`_gat*` before `_ga*`).
pub const TABLE: &[Known] = &[
    // Google
    cookie("_gat*", "_gat_UA-1234-1", "Google Analytics (throttling)", "Google", Analytics),
    cookie("_gid", "_gid", "Google Analytics", "Google", Analytics),
    cookie("_ga*", "_ga_ABC123", "Google Analytics", "Google", Analytics),
    cookie("_gcl_*", "_gcl_au", "Google Ads conversion linker", "Google", Marketing),
    cookie("IDE", "IDE", "DoubleClick", "Google", Marketing),
    cookie("test_cookie", "test_cookie", "DoubleClick", "Google", Marketing),
    cookie("NID", "NID", "Google preferences and ads", "Google", Marketing),
    cookie("YSC", "YSC", "YouTube", "Google", Marketing),
    cookie("VISITOR_INFO1_LIVE", "VISITOR_INFO1_LIVE", "YouTube", "Google", Marketing),
    storage("_grecaptcha", "_grecaptcha", "reCAPTCHA", "Google", Necessary),
    // Meta, Microsoft, LinkedIn, TikTok, Pinterest
    cookie("_fbp", "_fbp", "Meta Pixel", "Meta", Marketing),
    cookie("_fbc", "_fbc", "Meta Pixel (click id)", "Meta", Marketing),
    cookie("fr", "fr", "Facebook advertising", "Meta", Marketing),
    cookie("_uetsid", "_uetsid", "Microsoft Advertising (UET)", "Microsoft", Marketing),
    cookie("_uetvid", "_uetvid", "Microsoft Advertising (UET)", "Microsoft", Marketing),
    cookie("MUID", "MUID", "Microsoft advertising id", "Microsoft", Marketing),
    cookie("_clck", "_clck", "Microsoft Clarity", "Microsoft", Analytics),
    cookie("_clsk", "_clsk", "Microsoft Clarity", "Microsoft", Analytics),
    cookie("bcookie", "bcookie", "LinkedIn", "LinkedIn", Marketing),
    cookie("lidc", "lidc", "LinkedIn", "LinkedIn", Marketing),
    cookie("li_sugr", "li_sugr", "LinkedIn Insight Tag", "LinkedIn", Marketing),
    cookie("_ttp", "_ttp", "TikTok Pixel", "TikTok", Marketing),
    cookie("_tt_enable_cookie", "_tt_enable_cookie", "TikTok Pixel", "TikTok", Marketing),
    cookie("_pin_unauth", "_pin_unauth", "Pinterest Tag", "Pinterest", Marketing),
    // Analytics products
    cookie("_hjSessionUser*", "_hjSessionUser_123", "Hotjar", "Hotjar", Analytics),
    cookie("_hjSession*", "_hjSession_123", "Hotjar", "Hotjar", Analytics),
    cookie("_pk_id*", "_pk_id.1.1fff", "Matomo", "Matomo", Analytics),
    cookie("_pk_ses*", "_pk_ses.1.1fff", "Matomo", "Matomo", Analytics),
    cookie("hubspotutk", "hubspotutk", "HubSpot", "HubSpot", Marketing),
    cookie("__hstc", "__hstc", "HubSpot", "HubSpot", Marketing),
    cookie("__hssc", "__hssc", "HubSpot", "HubSpot", Analytics),
    cookie("__hssrc", "__hssrc", "HubSpot", "HubSpot", Analytics),
    cookie("ajs_anonymous_id", "ajs_anonymous_id", "Segment", "Twilio Segment", Analytics),
    cookie("ajs_user_id", "ajs_user_id", "Segment", "Twilio Segment", Analytics),
    storage("ajs_anonymous_id", "ajs_anonymous_id", "Segment", "Twilio Segment", Analytics),
    storage("ajs_user_id", "ajs_user_id", "Segment", "Twilio Segment", Analytics),
    cookie("amp_*", "amp_a1b2c3", "Amplitude (JavaScript SDK)", "Amplitude", Analytics),
    cookie("AMP_*", "AMP_a1b2c3d4e5", "Amplitude (Browser SDK)", "Amplitude", Analytics),
    cookie("mp_*", "mp_0123abcd_mixpanel", "Mixpanel", "Mixpanel", Analytics),
    // Sessions, security and consent records
    cookie("PHPSESSID", "PHPSESSID", "PHP session", "the site", Necessary),
    cookie("JSESSIONID", "JSESSIONID", "Java session", "the site", Necessary),
    cookie("ASP.NET_SessionId", "ASP.NET_SessionId", "ASP.NET session", "the site", Necessary),
    cookie("__cf_bm", "__cf_bm", "Cloudflare bot management", "Cloudflare", Necessary),
    cookie("cf_clearance", "cf_clearance", "Cloudflare challenge", "Cloudflare", Necessary),
    cookie("__stripe_mid", "__stripe_mid", "Stripe fraud prevention", "Stripe", Necessary),
    cookie("__stripe_sid", "__stripe_sid", "Stripe fraud prevention", "Stripe", Necessary),
    cookie("wordpress_logged_in_*", "wordpress_logged_in_abc", "WordPress login", "the site", Necessary),
    cookie("CookieConsent", "CookieConsent", "Cookiebot consent record", "Cookiebot", Necessary),
    cookie("OptanonConsent", "OptanonConsent", "OneTrust consent record", "OneTrust", Necessary),
    cookie("cc_cookie", "cc_cookie", "vanilla-cookieconsent consent record", "the site", Necessary),
];

/// The first entry of `store` whose pattern covers `name`.
pub fn lookup(name: &str, store: Store) -> Option<&'static Known> {
    TABLE.iter().find(|k| k.store == store && consent_wire::cookie_name::matches(k.pattern, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_is_found_by_its_example() {
        for k in TABLE {
            assert!(consent_wire::cookie_name::matches(k.pattern, k.example), "{}: example {} does not match", k.pattern, k.example);
            let found = lookup(k.example, k.store).map(|f| f.pattern);
            assert_eq!(found, Some(k.pattern), "{}: an earlier entry shadows it", k.example);
        }
    }

    #[test]
    fn unknown_names_and_the_other_store_find_nothing() {
        assert_eq!(lookup("my_own_cookie", Store::Cookie), None);
        assert_eq!(lookup("_ga", Store::Storage), None, "a cookie name is not a storage key");
        assert_eq!(lookup("_ga", Store::Cookie).map(|k| (k.provider, k.usual)), Some(("Google", Usual::Analytics)));
    }
}
