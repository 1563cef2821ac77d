//! What a name the scanner saw is, for one site: a cookie its config declares
//! (with the category and service declaring it), a well-known one it does not
//! declare (`known`), or one nobody knows. Undeclared names come with a
//! ready-to-paste TOML snippet for the site's config.

use consent_wire::config::{Category, Service, SiteConfig};
use consent_wire::cookie_name;

use super::known::{self, Known, Store};

/// A stored name, looked up in a site's config and then in the known table.
#[derive(Debug)]
pub enum Finding<'a> {
    Declared { category: &'a Category, service: &'a Service, pattern: &'a str },
    Known(&'static Known),
    Unknown,
}

impl Finding<'_> {
    /// The category it belongs to, or, undeclared, the one it usually does
    /// (`None`: unclassified).
    pub fn category(&self) -> Option<&str> {
        match self {
            Finding::Declared { category, .. } => Some(&category.id),
            Finding::Known(k) => Some(k.usual.as_str()),
            Finding::Unknown => None,
        }
    }

    /// Whether it may be stored without consent.
    pub fn is_required(&self) -> bool {
        match self {
            Finding::Declared { category, .. } => category.required,
            Finding::Known(k) => k.usual == known::Usual::Necessary,
            Finding::Unknown => false,
        }
    }
}

/// Looks `name` up: the site's declared cookies first (in config order), then the known table.
pub fn classify<'a>(site: &'a SiteConfig, name: &str, store: Store) -> Finding<'a> {
    for category in &site.categories {
        for service in &category.services {
            if let Some(decl) = service.cookies.iter().find(|c| cookie_name::matches(&c.name, name)) {
                return Finding::Declared { category, service, pattern: &decl.name };
            }
        }
    }
    known::lookup(name, store).map_or(Finding::Unknown, Finding::Known)
}

/// A `[[categories.services]]` entry declaring `name`, for the category the
/// table guesses (or a comment saying none could be guessed), in the site's
/// languages; the purpose and duration are left for the owner to write.
pub fn toml_snippet(site: &SiteConfig, name: &str, finding: &Finding) -> String {
    let (service, provider, pattern, category) = match finding {
        Finding::Known(k) => (k.service, k.provider, k.pattern, Some(k.usual.as_str())),
        _ => (name, "TODO: who sets it", name, None),
    };
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let todo = |what: &str| {
        let pairs: Vec<String> = site.languages.iter().map(|l| format!("{l} = {}", quote(&format!("TODO: {what}")))).collect();
        format!("{{ {} }}", pairs.join(", "))
    };
    let place = match category {
        Some(id) => format!("# under the category with id = {}", quote(id)),
        None => String::from("# unclassified: put it under the category it serves"),
    };
    format!(
        "{place}\n[[categories.services]]\nname = {}\nprovider = {}\ncookies = [{{ name = {}, purpose = {}, duration = {} }}]\n",
        quote(service),
        quote(provider),
        quote(pattern),
        todo("what it is for"),
        todo("how long it lasts"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteConfig {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config/sites/luxhost.toml");
        SiteConfig::load(&path).expect("reference site")
    }

    #[test]
    fn declared_names_then_known_ones_then_unknown() {
        let site = site();
        let Finding::Declared { category, pattern, .. } = classify(&site, "_lx_visit_b", Store::Cookie) else { panic!("declared as _lx_visit*") };
        assert_eq!((category.id.as_str(), pattern), ("analytics", "_lx_visit*"));
        assert!(classify(&site, "cc_consent", Store::Cookie).is_required(), "the consent cookie is necessary");
        let ga = classify(&site, "_ga_XYZ", Store::Cookie);
        assert!(matches!(ga, Finding::Known(k) if k.provider == "Google"));
        assert_eq!((ga.category(), ga.is_required()), (Some("analytics"), false));
        assert!(matches!(classify(&site, "zz_mine", Store::Cookie), Finding::Unknown));
    }

    #[test]
    fn a_snippet_pastes_into_a_valid_service() {
        let site = site();
        for name in ["_ga_XYZ", "zz \"odd\" = name"] {
            let finding = classify(&site, name, Store::Cookie);
            let snippet = toml_snippet(&site, name, &finding);
            #[derive(serde::Deserialize)]
            struct Pasted {
                categories: Pasted2,
            }
            #[derive(serde::Deserialize)]
            struct Pasted2 {
                services: Vec<Service>,
            }
            let pasted: Pasted = toml::from_str(&snippet).unwrap_or_else(|e| panic!("{snippet}\n{e}"));
            let service = &pasted.categories.services[0];
            assert!(service.cookies[0].name == name || service.cookies[0].name == "_ga*", "{snippet}");
            let mut langs = site.languages.clone();
            langs.sort();
            assert_eq!(service.cookies[0].purpose.keys().cloned().collect::<Vec<_>>(), langs, "a purpose to write per language");
        }
    }
}
