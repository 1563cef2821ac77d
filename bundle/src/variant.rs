//! An A/B variant's `config.json`: the site's, with the variant's first-layer
//! texts laid over it, its layout, its button order (`order`, letters in Tab
//! order: `rap` is reject, accept, preferences), the look of its buttons as CSS
//! made here from the typed schema (colours are checked `#rrggbb`, so nothing
//! a site writes reaches the style sheet as text), and its id (`variant`, sent
//! with the impression and the decision).

use consent_wire::config::variants::{ButtonStyle, Element, Size, Variant};
use serde_json::{json, Value};

/// The first layer's default order.
const DEFAULT_ORDER: &str = "arp";

/// Lays `v` over the site's `config.json`.
pub fn apply(v: &Variant, cfg: &mut Value) {
    for (lang, own) in &v.texts {
        for (k, text) in own {
            cfg["texts"][lang][k] = json!(text);
        }
    }
    if let Some(layout) = v.layout {
        cfg["layout"] = json!(layout);
    }
    let order = v.order();
    if order != DEFAULT_ORDER {
        cfg["order"] = json!(order);
    }
    let css = css(v);
    if !css.is_empty() {
        cfg["css"] = json!(css);
    }
    cfg["variant"] = json!(v.id);
}

/// The rules the variant's button styles add to the banner's style sheet.
pub fn css(v: &Variant) -> String {
    let mut out = String::new();
    for (act, style) in [("accept", &v.accept), ("reject", &v.reject)] {
        let decls = declarations(style);
        if !decls.is_empty() {
            out.push_str(&format!("button[data-act={act}]{{{decls}}}"));
        }
    }
    out
}

fn declarations(style: &ButtonStyle) -> String {
    let mut d = String::new();
    match style.size {
        // Still a 44 px target: small is the type, not the target.
        Size::Small => d.push_str("font-size:13px;padding:6px 12px;"),
        Size::Normal => {}
        Size::Large => d.push_str("font-size:18px;padding:14px 22px;"),
    }
    if style.element == Element::Link {
        d.push_str("background:none;border-color:transparent;color:var(--accent);text-decoration:underline;");
    }
    if let (Some(fg), Some(bg)) = (&style.color, &style.background) {
        d.push_str(&format!("color:{fg};background:{bg};border-color:{bg};"));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_carries_the_variants_texts_order_look_and_id() {
        let v: Variant = toml::from_str(
            "id = \"b\"\nweight = 1\nbuttons = [\"reject\", \"accept\", \"preferences\"]\nlayout = \"box\"\ntexts.nl = { title = \"Koekjes?\" }\naccept = { size = \"large\", color = \"#ffffff\", background = \"#0b57d0\" }\nreject = { size = \"large\", color = \"#ffffff\", background = \"#0b57d0\" }\n",
        )
        .expect("variant");
        let mut cfg = json!({ "texts": { "nl": { "title": "Cookies", "accept_all": "Ja" } }, "layout": "bar" });
        apply(&v, &mut cfg);
        assert_eq!(cfg["texts"]["nl"], json!({ "title": "Koekjes?", "accept_all": "Ja" }));
        assert_eq!((cfg["layout"].as_str(), cfg["order"].as_str(), cfg["variant"].as_str()), (Some("box"), Some("rap"), Some("b")));
        let css = cfg["css"].as_str().expect("css");
        assert!(css.starts_with("button[data-act=accept]{font-size:18px;") && css.contains("button[data-act=reject]{") && css.contains("background:#0b57d0"), "{css}");
        let plain: Variant = toml::from_str("id = \"a\"\nweight = 1\n").expect("variant");
        let mut cfg = json!({ "texts": {} });
        apply(&plain, &mut cfg);
        assert_eq!(cfg, json!({ "texts": {}, "variant": "a" }), "a variant that changes nothing adds only its id");
    }
}
