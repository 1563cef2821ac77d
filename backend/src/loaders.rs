//! Which of a site's loaders a request gets ([`consent_bundle::audience`]): the
//! region's mode from the trusted proxy's country header, GPC from `Sec-GPC`,
//! and, where the banner asks first and the site has `[[variants]]`, a variant
//! drawn by weight for this page view alone (nothing stored, nothing read from
//! the visitor to make it stick). The answer names every header it depends on
//! in `Vary`; a drawn one is `private, no-cache`, so no cache replays a draw.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue};
use consent_bundle::audience::{honours_gpc, opt_in_shown, Audience, Shown};
use consent_wire::config::regions::{Mode, Regions};
use consent_wire::config::SiteConfig;

use crate::proxy::Client;
use crate::region;

/// A site's loaders other than its plain banner's (`A`: the served file).
pub struct SiteLoaders<A> {
    rules: Option<Regions>,
    /// What opt-in visitors are shown, with each one's weight.
    opt_in: Vec<(Shown, u32)>,
    /// GPC picks the loader (in regions that are not opt-in, of a site that honours it).
    gpc: bool,
    loaders: HashMap<Audience, A>,
    vary: HeaderValue,
}

impl<A> SiteLoaders<A> {
    /// `None` when every visitor of `site` gets the same loader.
    pub fn new(site: &SiteConfig, loaders: HashMap<Audience, A>) -> Option<SiteLoaders<A>> {
        if loaders.is_empty() {
            return None;
        }
        let weights = site.variants.iter().map(|v| v.weight);
        let opt_in = opt_in_shown(site).into_iter().zip(weights.chain(std::iter::repeat(1))).collect();
        let gpc = honours_gpc(site) && site.regions.is_some();
        let mut vary = vec!["Accept-Encoding".to_owned()];
        if let Some(rules) = &site.regions {
            let (countries, subdivisions) = rules.headers();
            vary.extend(countries);
            vary.extend(subdivisions);
        }
        if gpc {
            vary.push("Sec-GPC".into());
        }
        let vary = HeaderValue::from_str(&vary.join(", ")).unwrap_or_else(|_| HeaderValue::from_static("*"));
        Some(SiteLoaders { rules: site.regions.clone(), opt_in, gpc, loaders, vary })
    }

    /// The loader for this request (`None`: the plain banner's), drawing a
    /// variant with `roll` (any number, uniformly random) where one is drawn.
    pub fn pick(&self, headers: &HeaderMap, client: Option<&Client>, roll: u32) -> Option<&A> {
        let mode = self.rules.as_ref().map_or(Mode::OptIn, |r| r.mode(&region::locate(Some(r), headers, client)));
        let audience = match mode {
            Mode::OptIn => Audience { shown: draw(&self.opt_in, roll)?, gpc: false },
            other => Audience { shown: Shown::Region(other), gpc: self.gpc && region::sends_gpc(headers) },
        };
        self.loaders.get(&audience)
    }

    /// Is a variant drawn per request (so the answer must not be cached)?
    pub fn draws(&self) -> bool {
        self.opt_in.len() > 1
    }

    pub fn vary(&self) -> &HeaderValue {
        &self.vary
    }
}

/// The entry `roll` lands on, each as likely as its weight.
fn draw(weighted: &[(Shown, u32)], roll: u32) -> Option<Shown> {
    let total: u64 = weighted.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut at = u64::from(roll) % total.max(1);
    for (shown, w) in weighted {
        if at < u64::from(*w) {
            return Some(shown.clone());
        }
        at -= u64::from(*w);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderName;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_bytes(k.as_bytes()).expect("name"), HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    fn site(extra: &str) -> SiteConfig {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml");
        let text = std::fs::read_to_string(path).expect("luxhost.toml").replace("[regions]\nopt_out = [\"US\"]\n", "");
        toml::from_str(&format!("{text}\n{extra}")).expect("site")
    }

    fn every_audience(site: &SiteConfig) -> HashMap<Audience, String> {
        let mut shown = opt_in_shown(site);
        shown.extend([Shown::Region(Mode::OptOut), Shown::Region(Mode::None)]);
        let all = shown.into_iter().flat_map(|s| [false, true].map(|gpc| Audience { shown: s.clone(), gpc }));
        // As `audience::configs` makes them: the plain banner is the site's own loader.
        all.filter(|a| a.shown != Shown::Banner).map(|a| (a.clone(), a.name())).collect()
    }

    #[test]
    fn the_region_gpc_and_a_weighted_draw_pick_the_loader() {
        let s = site("[regions]\nopt_out = [\"US\"]\n\n[[variants]]\nid = \"a\"\nweight = 3\n\n[[variants]]\nid = \"b\"\nweight = 1\n");
        let l = SiteLoaders::new(&s, every_audience(&s)).expect("loaders");
        let proxied = Client { ip: "10.0.0.1".parse().expect("ip"), https: false, proxied: true };
        assert_eq!(l.vary(), "Accept-Encoding, cf-ipcountry, cloudfront-viewer-country, cf-region-code, cloudfront-viewer-country-region, Sec-GPC");
        assert!(l.draws());
        let us = headers(&[("cf-ipcountry", "US"), ("sec-gpc", "1")]);
        assert_eq!(l.pick(&us, Some(&proxied), 0).map(String::as_str), Some("opt-out+gpc"));
        assert_eq!(l.pick(&us, None, 0).map(String::as_str), Some("variant a"), "not through the proxy: unknown, opt-in");
        let counts = (0..4000u32).fold([0, 0], |mut n, roll| {
            match l.pick(&HeaderMap::new(), Some(&proxied), roll.wrapping_mul(2_654_435_761)).map(String::as_str) {
                Some("variant a") => n[0] += 1,
                Some("variant b") => n[1] += 1,
                other => panic!("{other:?}"),
            }
            n
        });
        assert!((2850..3150).contains(&counts[0]) && counts[0] + counts[1] == 4000, "weights 3:1 → {counts:?}");
        let plain = site("[regions]\nnone = [\"JP\"]\n");
        let one = SiteLoaders::new(&plain, every_audience(&plain)).expect("loaders");
        assert!(!one.draws());
        assert_eq!(one.pick(&HeaderMap::new(), None, 7), None, "the plain banner: the site's own loader");
        assert!(SiteLoaders::new(&site(""), HashMap::<Audience, String>::new()).is_none(), "one loader for all: nothing to pick");
    }
}
