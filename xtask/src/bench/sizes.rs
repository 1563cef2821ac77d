//! Bytes on the wire: every file of every layer fetched from the bench server in
//! each encoding (identity, gzip, brotli), so the figures are what a page
//! downloads. Ours are the server's own (`/s/<site>/…`, compressed once when it
//! loads the configuration); the others are files with their `.br` / `.gz`
//! beside them (see `pages`), so every layer is at its smallest.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::pages::SCRIPT_TAG_BANNER;
use super::PEER;
use crate::size::{BUDGET_BROTLI, BUDGET_GZIP};

/// The reference site, as the bench page embeds it.
const LOADER: &str = "/s/luxhost/consent.js";

pub fn report(base: &str) -> Result<String> {
    let mut md = String::from("\n## Size: bytes on the wire before a visitor can decide (as served)\n\n| widget | part | raw B | gzip B | brotli B |\n|---|---|---:|---:|---:|\n");
    let groups: [(&str, Vec<(&str, String)>); 4] = [
        ("ours", vec![("loader, first layer and config inside (`/s/luxhost/consent.js`)", LOADER.into())]),
        (
            PEER,
            vec![("cookieconsent.umd.js", "/bench/peer/cookieconsent.umd.js".into()), ("cookieconsent.css", "/bench/peer/cookieconsent.css".into()), ("config script", "/bench/peer-config.js".into())],
        ),
        ("static floor", vec![("banner CSS", "/bench/static-banner.css".into())]),
        ("script-tag floor", vec![("banner script (CSS inside)", format!("/bench/{SCRIPT_TAG_BANNER}"))]),
    ];
    let mut totals = Vec::new();
    for (widget, parts) in &groups {
        let mut total = [0usize; 3];
        for (name, path) in parts {
            let r = served(&format!("{base}{path}"))?;
            for (t, v) in total.iter_mut().zip(r) {
                *t += v;
            }
            let _ = writeln!(md, "| {widget} | {name} | {} | {} | {} |", r[0], r[1], r[2]);
        }
        let _ = writeln!(md, "| **{widget}** | **critical path** | **{}** | **{}** | **{}** |", total[0], total[1], total[2]);
        totals.push(total);
    }
    let (ours, theirs) = (totals[0], totals[1]);
    let _ = writeln!(
        md,
        "\nOurs ÷ theirs: {:.2} (gzip), {:.2} (brotli). Budgets: {} B brotli (issue 16): {}; {} B gzip (issue 8): {}.\n",
        ours[1] as f64 / theirs[1] as f64,
        ours[2] as f64 / theirs[2] as f64,
        BUDGET_BROTLI,
        against(ours[2], BUDGET_BROTLI),
        BUDGET_GZIP,
        against(ours[1], BUDGET_GZIP)
    );
    let _ = writeln!(md, "{}\n", crate::size::baked_in()?);
    md.push_str(&lazy(base)?);
    Ok(md)
}

fn against(measured: usize, budget: usize) -> String {
    if measured <= budget {
        format!("met ({measured} B)")
    } else {
        format!("**missed by {} B** ({measured} B)", measured - budget)
    }
}

/// What loads after the banner: the full widget's code and the site's details and
/// policy documents, found where the served loader points.
fn lazy(base: &str) -> Result<String> {
    let loader = String::from_utf8_lossy(&body(&format!("{base}{LOADER}"))?).into_owned();
    let (Some(code), Some(details)) = (baked(&loader, "pkg"), baked(&loader, "details")) else {
        bail!("{LOADER}: no `pkg` or `details` in the baked config");
    };
    let details_url = format!("{base}{}", LOADER.replace("consent.js", &details));
    let doc: Value = serde_json::from_slice(&body(&details_url)?).context("reading details.json")?;
    let mut files = vec![
        ("full widget start + glue (JS)".to_owned(), format!("{base}{code}widget.js")),
        ("full widget (Wasm)".to_owned(), format!("{base}{code}consent_widget_bg.wasm")),
        (format!("details.json ({details})"), details_url),
    ];
    for (lang, url) in doc["policyDocs"].as_object().into_iter().flatten() {
        files.push((format!("policy document, {lang}"), format!("{base}{}", url.as_str().unwrap_or_default())));
    }
    let mut md = String::from("Ours, loaded after the banner is up (at once for a visitor who has decided) or on demand:\n\n| part | raw B | gzip B | brotli B |\n|---|---:|---:|---:|\n");
    for (name, url) in files {
        let r = served(&url)?;
        let _ = writeln!(md, "| {name} | {} | {} | {} |", r[0], r[1], r[2]);
    }
    Ok(md)
}

/// The string value of `key` in the loader's baked config (`key:"value"`).
fn baked(loader: &str, key: &str) -> Option<String> {
    let start = loader.find(&format!("{key}:\""))? + key.len() + 2;
    let len = loader[start..].find('"')?;
    Some(loader[start..start + len].to_owned())
}

/// Bytes downloaded for `url` as identity, gzip and brotli; fails unless the
/// server answered 200 in exactly that encoding.
fn served(url: &str) -> Result<[usize; 3]> {
    let mut sizes = [0usize; 3];
    for (size, encoding) in sizes.iter_mut().zip(["identity", "gzip", "br"]) {
        let out = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-H", &format!("Accept-Encoding: {encoding}"), "-w", "%{http_code} %{size_download} %header{content-encoding}", url])
            .output()
            .context("running curl")?;
        let answer = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut fields = answer.split_whitespace();
        let (status, bytes, got) = (fields.next(), fields.next(), fields.next().unwrap_or("identity"));
        if status != Some("200") || got != encoding {
            bail!("{url} as {encoding}: answered `{answer}`");
        }
        *size = bytes.and_then(|b| b.parse().ok()).context("curl's size_download")?;
    }
    Ok(sizes)
}

fn body(url: &str) -> Result<Vec<u8>> {
    let out = Command::new("curl").args(["-sf", url]).output().context("running curl")?;
    if !out.status.success() {
        bail!("{url}: {}", out.status);
    }
    Ok(out.stdout)
}
