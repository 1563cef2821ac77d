//! Where a visitor is, as the operator's trusted proxy or CDN says (a country
//! header such as `CF-IPCountry`), and which loader that region gets. The
//! headers are believed only on a connection from a trusted proxy
//! (`--trusted-proxies`): a visitor cannot pick a laxer rule by sending one.
//! Our code never looks the address up; no header, no region: opt-in.

use axum::http::HeaderMap;
use consent_wire::config::regions::{Location, Regions};
use consent_wire::config::SiteConfig;

use crate::proxy::Client;

/// The visitor's location from `headers`, read as `rules` says (the default
/// headers when the site has no rules); nothing unless `client` came through
/// a trusted proxy, nor when two of the headers read disagree.
pub fn locate(rules: Option<&Regions>, headers: &HeaderMap, client: Option<&Client>) -> Location {
    if !client.is_some_and(|c| c.proxied) {
        return Location::default();
    }
    let default = Regions::default_rules();
    let (countries, subdivisions) = rules.unwrap_or(&default).headers();
    match (agreed(headers, &countries), agreed(headers, &subdivisions)) {
        (Some(country), Some(subdivision)) => Location::read(country, subdivision),
        _ => Location::default(),
    }
}

/// The value the headers `names` agree on (`Some(None)` when none is there);
/// `None` when two disagree: one is not the proxy's (a visitor's header that
/// a CDN passed on beside its own), so neither is believed.
fn agreed<'h>(headers: &'h HeaderMap, names: &[String]) -> Option<Option<&'h str>> {
    let mut values = names.iter().filter_map(|name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim));
    let first = values.next();
    values.all(|v| first.is_some_and(|f| f.eq_ignore_ascii_case(v))).then_some(first)
}

/// The country code an event records: the site's headers, or the default ones.
pub fn country(site: &SiteConfig, headers: &HeaderMap, client: Option<&Client>) -> Option<String> {
    locate(site.regions.as_ref(), headers, client).country
}

/// The browser sends Global Privacy Control (`Sec-GPC: 1`).
pub fn sends_gpc(headers: &HeaderMap) -> bool {
    headers.get("sec-gpc").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim() == "1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_bytes(k.as_bytes()).expect("name"), HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    fn client(proxied: bool) -> Client {
        Client { ip: "10.0.0.1".parse().expect("ip"), https: false, proxied }
    }

    #[test]
    fn the_country_header_counts_only_through_a_trusted_proxy() {
        let h = headers(&[("cf-ipcountry", "us")]);
        assert_eq!(locate(None, &h, Some(&client(true))).country.as_deref(), Some("US"));
        assert_eq!(locate(None, &h, Some(&client(false))).country, None, "a visitor's own header is not believed");
        assert_eq!(locate(None, &h, None).country, None);
        let cloudfront = headers(&[("cloudfront-viewer-country", "DE"), ("cloudfront-viewer-country-region", "BY")]);
        let at = locate(None, &cloudfront, Some(&client(true)));
        assert_eq!((at.country.as_deref(), at.subdivision.as_deref()), (Some("DE"), Some("BY")));
        let rules: Regions = toml::from_str("country_header = \"X-Geo\"").expect("rules");
        assert_eq!(locate(Some(&rules), &h, Some(&client(true))).country, None, "a configured header replaces the defaults");
        assert_eq!(locate(Some(&rules), &headers(&[("x-geo", "FR")]), Some(&client(true))).country.as_deref(), Some("FR"));
    }

    #[test]
    fn cloudflare_subdivisions_are_read_and_two_default_headers_that_disagree_are_neither_believed() {
        let proxied = Some(client(true));
        let cloudflare = headers(&[("cf-ipcountry", "US"), ("cf-region-code", "CA")]);
        let at = locate(None, &cloudflare, proxied.as_ref());
        assert_eq!((at.country.as_deref(), at.subdivision.as_deref()), (Some("US"), Some("CA")));
        // A visitor's CF-IPCountry passed on by CloudFront beside CloudFront's own.
        let spoofed = headers(&[("cf-ipcountry", "US"), ("cloudfront-viewer-country", "DE")]);
        assert_eq!(locate(None, &spoofed, proxied.as_ref()), Location::default(), "unknown: opt-in");
        let spoofed = headers(&[("cloudfront-viewer-country", "US"), ("cloudfront-viewer-country-region", "CA"), ("cf-region-code", "TX")]);
        assert_eq!(locate(None, &spoofed, proxied.as_ref()), Location::default());
        let same = headers(&[("cf-ipcountry", "us"), ("cloudfront-viewer-country", "US ")]);
        assert_eq!(locate(None, &same, proxied.as_ref()).country.as_deref(), Some("US"), "agreeing headers stand");
        // Named, the CDN's header is read alone: a visitor's other header changes nothing.
        let rules: Regions = toml::from_str("country_header = \"CloudFront-Viewer-Country\"\nsubdivision_header = \"CloudFront-Viewer-Country-Region\"").expect("rules");
        let at = locate(Some(&rules), &spoofed, proxied.as_ref());
        assert_eq!((at.country.as_deref(), at.subdivision.as_deref()), (Some("US"), Some("CA")));
    }
}
