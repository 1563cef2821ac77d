//! What a visitor was shown: the banner's texts, categories and policy revision
//! in one language, as a canonical document and its SHA-256. The build puts the
//! hash in the widget's config; the widget sends it with each decision; the
//! server stores the document once per hash as proof of what was asked.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::regions::Mode;
use crate::config::variants::Variant;
use crate::config::{SiteConfig, Texts};

/// What was shown besides the texts: the banner, one of its A/B variants (its
/// texts are `texts`; its layout, buttons and their look are in the version too),
/// or what a region that is not opt-in gets.
pub enum Shown<'a> {
    Banner,
    Variant(&'a Variant),
    Region(Mode),
}

pub struct BannerVersion {
    /// Lowercase hex SHA-256 of `content`.
    pub hash: String,
    /// Canonical JSON (keys sorted).
    pub content: String,
}

/// `shown`: the banner adds nothing, so its versions hash as they did before
/// region rules and variants.
pub fn banner_version(site: &SiteConfig, texts: &Texts, lang: &str, revision: &str, shown: Shown) -> BannerVersion {
    let pick = |m: &std::collections::BTreeMap<String, String>| m.get(lang).or_else(|| m.get(&site.default_language)).cloned();
    // Each service is a choice of its own in the preferences: its id, name and provider were shown.
    let services = |c: &crate::config::Category| c.services.iter().map(|s| json!({ "id": s.id(), "name": s.name, "provider": s.provider })).collect::<Vec<_>>();
    let categories: Vec<_> =
        site.categories.iter().map(|c| json!({ "id": c.id, "required": c.required, "title": pick(&c.title), "description": pick(&c.description), "services": services(c) })).collect();
    let mut content = json!({
        "site": site.id,
        "lang": lang,
        "revision": revision,
        "texts": texts,
        "categories": categories,
        "layout": site.layout,
    });
    match shown {
        Shown::Banner => {}
        Shown::Region(mode) => content["mode"] = json!(mode.as_str()),
        Shown::Variant(v) => {
            if let Some(layout) = v.layout {
                content["layout"] = json!(layout);
            }
            content["variant"] = json!({ "id": v.id, "buttons": v.buttons, "accept": v.accept, "reject": v.reject });
        }
    }
    let content = content.to_string();
    let digest = Sha256::digest(content.as_bytes());
    BannerVersion { hash: hex::encode(digest), content }
}
