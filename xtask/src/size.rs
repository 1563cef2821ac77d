//! The size report: what a page downloads before the banner can be used, raw,
//! gzip -9 and brotli (quality 11); then what loads after it, listed apart.

use std::io::Write;

use anyhow::{Context, Result};
use flate2::{write::GzEncoder, Compression};

use crate::build::{CMP_JS, CMP_WASM, CONFIG, DETAILS, FIRST, LOADER, LOADER_TEMPLATE, REFERENCE_SITE, TCF_STUB, WASM, WIDGET_JS};

/// Before a visitor can decide: the loader, which carries the first layer (CSS inside) and config.json.
pub const CRITICAL_PATH: [(&str, &str); 1] = [("loader (first layer and config.json inside)", LOADER)];
/// What the loader carries, measured alone for scale.
pub const BAKED_IN: [(&str, &str); 2] = [("first layer (Wasm, CSS inside)", FIRST), ("config.json", CONFIG)];
/// After the banner is up (or at once for a visitor who has decided): the full widget.
pub const FULL_WIDGET: [(&str, &str); 3] = [("full widget start + glue (JS)", WIDGET_JS), ("full widget (Wasm)", WASM), ("details.json", DETAILS)];

/// What a `[tcf]` site adds: the stubs before its loader (critical path), then the CMP beside the full widget.
pub const TCF_ONLY: [(&str, &str); 3] = [("TCF/GPP stubs (before the loader)", TCF_STUB), ("TCF CMP start + glue (JS)", CMP_JS), ("TCF CMP (Wasm)", CMP_WASM)];

/// What a page may download before a visitor can decide, as served, gzip -9
/// (issue 8's budget; checked by the test command) and brotli (issue 16's, a
/// target the loader misses today: reported by the bench, not enforced).
pub const BUDGET_GZIP: usize = 8_000;
pub const BUDGET_BROTLI: usize = 6_000;

/// Fails when the loader as served is over [`BUDGET_GZIP`], or any other loader
/// of the reference site (regions, GPC, its example A/B variants).
pub fn check() -> Result<()> {
    let [raw, gzip, brotli] = served_loader()?;
    if gzip > BUDGET_GZIP {
        anyhow::bail!("the loader as served is {gzip} B gzip -9 ({raw} B raw, {brotli} B brotli): over the {BUDGET_GZIP} B budget");
    }
    for (name, text) in other_loaders()? {
        let other = consent_bundle::encoded::Encoded::new(text.into_bytes()).gzip.len();
        if other > BUDGET_GZIP {
            anyhow::bail!("the loader for {name} is {other} B gzip -9: over the {BUDGET_GZIP} B budget");
        }
    }
    println!("size: the loader as served is {gzip} B gzip -9 (budget {BUDGET_GZIP} B, which every other loader keeps too), {brotli} B brotli");
    Ok(())
}

pub fn print() -> Result<()> {
    println!("{:<44} {:>9} {:>9} {:>9}", "critical path", "raw B", "gzip B", "brotli B");
    let mut total = [0usize; 3];
    for (name, path) in CRITICAL_PATH {
        let row = measure(path)?;
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        println!("{name:<44} {:>9} {:>9} {:>9}", row[0], row[1], row[2]);
    }
    println!("{:<44} {:>9} {:>9} {:>9}", "total", total[0], total[1], total[2]);
    let served = served_loader()?;
    println!("{:<44} {:>9} {:>9} {:>9}", "as served: /s/luxhost/consent.js", served[0], served[1], served[2]);
    let tcf = served_tcf_loader()?;
    println!("{:<44} {:>9} {:>9} {:>9}", "the same site with [tcf] (stubs first)", tcf[0], tcf[1], tcf[2]);
    for (name, text) in other_loaders()? {
        let e = consent_bundle::encoded::Encoded::new(text.into_bytes());
        println!("{:<44} {:>9} {:>9} {:>9}", format!("  its loader for: {name}"), e.identity.len(), e.gzip.len(), e.br.len());
    }
    println!("{}", baked_in()?);
    println!("\n{:<44} {:>9} {:>9} {:>9}", "loaded after the banner", "raw B", "gzip B", "brotli B");
    let mut lazy: Vec<(String, String)> = FULL_WIDGET.iter().map(|(n, p)| (n.to_string(), p.to_string())).collect();
    lazy.extend(policy_documents()?);
    for (name, path) in lazy {
        let row = measure(&path)?;
        println!("{name:<44} {:>9} {:>9} {:>9}", row[0], row[1], row[2]);
    }
    println!("\n{:<44} {:>9} {:>9} {:>9}", "[tcf] sites only (others never fetch them)", "raw B", "gzip B", "brotli B");
    for (name, path) in TCF_ONLY {
        let row = measure(path)?;
        println!("{name:<44} {:>9} {:>9} {:>9}", row[0], row[1], row[2]);
    }
    Ok(())
}

/// The reference site's loader exactly as the server serves it on any origin
/// (`/s/<site>/consent.js`, its files named by content hash), in the encodings
/// the server makes once: the bytes a customer's page downloads.
pub fn served_loader() -> Result<[usize; 3]> {
    let e = consent_bundle::encoded::Encoded::new(served_loader_text()?.into_bytes());
    Ok([e.identity.len(), e.gzip.len(), e.br.len()])
}

/// The reference site's loader text, as the server bakes it.
fn served_loader_text() -> Result<String> {
    let (bundle, template, first) = reference_bundle(false)?;
    Ok(consent_bundle::loader::bake(&template, &bundle.config.first, &first)?)
}

/// The reference site's other loaders: its `[regions]` (opt-out notice, nothing
/// shown; each with GPC), and each of the A/B variants its site file describes
/// (commented there; switched on for this measure).
fn other_loaders() -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for with_variants in [false, true] {
        let (bundle, template, first) = reference_bundle(with_variants)?;
        for (a, cfg) in bundle.config.audiences.iter().filter(|(a, _)| with_variants == matches!(a.shown, consent_bundle::audience::Shown::Variant(_))) {
            out.push((a.name(), consent_bundle::loader::bake(&template, cfg, &first)?));
        }
    }
    Ok(out)
}

/// The reference site's bundle as served (`with_variants`: its example
/// `[[variants]]` uncommented), the loader template and the first layer.
fn reference_bundle(with_variants: bool) -> Result<(consent_bundle::SiteBundle, String, Vec<u8>)> {
    let read = |p: &str| std::fs::read(p).with_context(|| format!("reading {p} (run `cargo xtask build`)"));
    let code = consent_bundle::short_hash(&[read(WIDGET_JS)?, read(WASM)?, read(CMP_JS)?, read(CMP_WASM)?].concat());
    let mut text = std::fs::read_to_string(REFERENCE_SITE).with_context(|| format!("reading {REFERENCE_SITE}"))?;
    if with_variants {
        let at = text.find("# [[variants]]").context("the reference site describes its variants")?;
        let example: Vec<&str> = text[at..].lines().map(|l| l.strip_prefix("# ").or_else(|| l.strip_prefix('#')).unwrap_or(l)).collect();
        text = format!("{}{}\n", &text[..at], example.join("\n"));
    }
    let site = consent_wire::config::SiteConfig::parse(&text, std::path::Path::new(REFERENCE_SITE))?;
    let id = site.id.clone();
    let bundle = consent_bundle::SiteBundle::build(std::path::Path::new("pkg-config"), site, &consent_bundle::ServedLayout { site: &id, code: &code, vendor_lists: &Default::default() })?;
    let template = String::from_utf8(read(LOADER_TEMPLATE)?)?;
    Ok((bundle, template, read(FIRST)?))
}

/// The reference site's loader as a `[tcf]` site is served: the IAB stubs
/// (with their `ping` values) before it.
pub fn served_tcf_loader() -> Result<[usize; 3]> {
    let loader = served_loader_text()?;
    let stub = std::fs::read_to_string(TCF_STUB).with_context(|| format!("reading {TCF_STUB} (run `cargo xtask build`)"))?;
    let baked = consent_bundle::loader::with_stubs(
        &loader,
        &stub,
        &consent_bundle::loader::stub_config(Some(&consent_bundle::loader::TcfStub { cmp_id: 300, cmp_version: 4, gvl_version: 120, policy_version: 5 }), None),
    );
    let e = consent_bundle::encoded::Encoded::new(baked.into_bytes());
    Ok([e.identity.len(), e.gzip.len(), e.br.len()])
}

/// One line on what the loader carries, each part measured alone (gzip -9).
pub fn baked_in() -> Result<String> {
    let mut parts = Vec::new();
    for (name, path) in BAKED_IN {
        parts.push(format!("{name} {} B", measure(path)?[1]));
    }
    Ok(format!("Inside the loader, each alone (gzip -9): {}.", parts.join(", ")))
}

/// Raw, gzip -9 and brotli sizes of a built file.
pub fn measure(path: impl AsRef<std::path::Path>) -> Result<[usize; 3]> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).with_context(|| format!("reading {} (run `cargo xtask build`)", path.display()))?;
    Ok([bytes.len(), gzip(&bytes)?, brotli(&bytes)?])
}

/// The policy documents the viewer fetches when it first opens: (name, path).
pub fn policy_documents() -> Result<Vec<(String, String)>> {
    let mut docs: Vec<(String, String)> = std::fs::read_dir("www/consent")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            name.starts_with("policy.").then(|| (name, p.to_string_lossy().into_owned()))
        })
        .collect();
    docs.sort();
    Ok(docs)
}

pub fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

pub fn brotli(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out.len())
}
