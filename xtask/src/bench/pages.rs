//! The benchmark pages: one template, one consent layer each
//! (`bench/site/layers/`), so they differ in nothing else; and the files those
//! layers load, each with its brotli (quality 11) and gzip -9 copy beside it, so
//! every layer is served at its smallest, as ours is.

use std::path::Path;

use anyhow::{Context, Result};

/// A page of the bench: its key in `bench/time_to_banner.mjs`, its file (and
/// layer) name, and its name in the report.
pub struct Page {
    pub key: &'static str,
    pub file: &'static str,
    pub title: &'static str,
}

pub const OURS: Page = Page { key: "ours", file: "ours", title: "ours" };
pub const THEIRS: Page = Page { key: "theirs", file: "theirs", title: super::PEER };
pub const STATIC_FLOOR: Page = Page { key: "static", file: "static", title: "static HTML (floor)" };
pub const SCRIPT_TAG_FLOOR: Page = Page { key: "scripttag", file: "script-tag", title: "one script tag (floor)" };
pub const PAGES: [Page; 4] = [OURS, THEIRS, STATIC_FLOOR, SCRIPT_TAG_FLOOR];

const SITE: &str = "bench/site";
/// The script-tag floor's one script, made from the static floor's banner.
pub const SCRIPT_TAG_BANNER: &str = "script-tag-banner.js";

/// Writes the pages and their files into `dir` (served as `/bench/`).
pub fn write(dir: &Path, peer_dist: &Path) -> Result<()> {
    let site = Path::new(SITE);
    std::fs::create_dir_all(dir.join("peer"))?;
    let template = read(&site.join("page.html"))?;
    for page in PAGES {
        let layer = read(&site.join("layers").join(format!("{}.html", page.file)))?;
        let body = if page.key == STATIC_FLOOR.key { read(&site.join("static-banner.html"))? } else { String::new() };
        let html = template.replace("{{title}}", page.title).replace("{{layer}}", &layer).replace("{{layer_body}}", &body);
        std::fs::write(dir.join(format!("{}.html", page.file)), html)?;
    }
    for f in ["peer-config.js", "static-banner.css"] {
        std::fs::copy(site.join(f), dir.join(f)).with_context(|| format!("copying {f}"))?;
    }
    std::fs::write(dir.join(SCRIPT_TAG_BANNER), script_tag_banner()?)?;
    for f in ["cookieconsent.umd.js", "cookieconsent.css"] {
        std::fs::copy(peer_dist.join(f), dir.join("peer").join(f)).with_context(|| format!("copying {f}"))?;
    }
    precompress(dir)
}

/// The static floor's banner and CSS, inserted by one script once the page is parsed.
pub fn script_tag_banner() -> Result<String> {
    let site = Path::new(SITE);
    let css = serde_json::to_string(&read(&site.join("static-banner.css"))?)?;
    let html = serde_json::to_string(&read(&site.join("static-banner.html"))?)?;
    Ok(format!(
        "(()=>{{const s=document.createElement('style');s.textContent={css};document.head.append(s);\
         document.body.insertAdjacentHTML('beforeend',{html})}})();\n"
    ))
}

/// Writes `<file>.br` and `<file>.gz` beside every file under `dir`.
fn precompress(dir: &Path) -> Result<()> {
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let encoded = consent_bundle::encoded::Encoded::new(std::fs::read(&path)?);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        std::fs::write(path.with_file_name(format!("{name}.br")), &encoded.br)?;
        std::fs::write(path.with_file_name(format!("{name}.gz")), &encoded.gzip)?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}
