//! The report's text: the machine, then the browser figures against the two floors
//! and the peer, then the budgets, each with its measured figure.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::Result;
use serde_json::Value;

use super::pages::{Page, OURS, PAGES, SCRIPT_TAG_FLOOR, STATIC_FLOOR, THEIRS};
use super::{PEER, PEER_VERSION};
use crate::sh_out;

pub fn header() -> Result<String> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let date = sh_out(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])).unwrap_or_default();
    let commit = sh_out(Command::new("git").args(["rev-parse", "--short", "HEAD"])).unwrap_or_default();
    let rustc = sh_out(Command::new("rustc").arg("--version")).unwrap_or_default();
    let chromium = sh_out(Command::new("chromium").arg("--version")).unwrap_or_default();
    Ok(format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench` on {}. Machine: {cpu}, {cores} cores. Ours: commit {}, {}. Peer: {PEER} {PEER_VERSION} from the npm registry, unmodified. Browser: {}.\n",
        date.trim(),
        commit.trim(),
        rustc.trim(),
        chromium.trim()
    ))
}

/// The profiles `bench/time_to_banner.mjs` runs, by key, with their names here.
const PROFILES: [(&str, &str); 3] = [("local", "local network"), ("cpu4x", "4× CPU throttling"), ("slow4g", "4× CPU + slow 4G (1.6 Mbps, 150 ms RTT)")];

pub fn timings(t: &Value) -> String {
    let mut md = format!(
        "\n## Time to banner, blocking time, decision cost (headless Chromium {}, medians of {} alternating cold runs, warm-up discarded)\n\n\
         Time to banner: navigation start → the Accept button is in the DOM, visible (laid out, in view, opacity > 0) and enabled. \
         Fully opaque: the same, at opacity 1 (fades finished). TBT and long tasks: tasks over 50 ms until the banner is opaque + 500 ms \
         (the page's own share is the floors'). Accept: click on Accept all → consent cookie written and the gated script ran. \
         Reject: click on Reject all → consent cookie written and the banner gone (half the runs each). \
         Pages are identical but for the consent layer, served by the same server, every file at brotli 11 / gzip -9. \
         The static floor is the same banner as HTML in the page; the script-tag floor inserts it from one small deferred script \
         (one more round trip and its bytes: the limit for anything added with one tag).\n",
        t["chromium"].as_str().unwrap_or("?"),
        t["runs"]
    );
    for (key, label) in PROFILES {
        let p = &t["profiles"][key];
        let med = |w: &Page, m: &str| p[w.key][m]["median"].as_f64();
        let p90 = |w: &Page, m: &str| p[w.key][m]["p90"].as_f64();
        let _ = writeln!(
            md,
            "\n### {label}\n\n| page | banner ms (median / p90) | × static floor | × script-tag floor | × theirs | fully opaque ms | TBT ms | long tasks | accept ms | reject ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for w in &PAGES {
            let over = |of: &Page| ratio(med(w, "ready"), med(of, "ready")).map(|r| format!("{r:.2}")).unwrap_or_else(|| "–".into());
            let _ = writeln!(
                md,
                "| {} | {} / {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                w.title,
                ms(med(w, "ready")),
                ms(p90(w, "ready")),
                over(&STATIC_FLOOR),
                over(&SCRIPT_TAG_FLOOR),
                over(&THEIRS),
                ms(med(w, "opaque")),
                ms(med(w, "tbt")),
                ms(med(w, "longtasks")),
                ms1(med(w, "decision")),
                ms1(med(w, "reject"))
            );
        }
    }
    md.push_str(&budgets(t));
    md
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// The timing budgets (issues 8 and 16), each with the measured figure and whether it is met.
fn budgets(t: &Value) -> String {
    let med = |prof: &str, w: &Page, m: &str| t["profiles"][prof][w.key][m]["median"].as_f64();
    let of_theirs = |prof: &str, m: &str| ratio(med(prof, &OURS, m), med(prof, &THEIRS, m));
    let of_tag_floor = |prof: &str| ratio(med(prof, &OURS, "ready"), med(prof, &SCRIPT_TAG_FLOOR, "ready"));
    let own_long_tasks = med("cpu4x", &OURS, "longtasks").map(|o| o - med("cpu4x", &STATIC_FLOOR, "longtasks").unwrap_or(0.0));
    let mut md = String::from("\n## Timing budgets, from this run\n\n| budget | measured | |\n|---|---:|---|\n");
    let rows = [
        ("time to banner ÷ theirs, local ≤ 0.65 (issue 8)", of_theirs("local", "ready"), 0.65),
        ("time to banner ÷ theirs, slow 4G ≤ 0.75 (issue 8)", of_theirs("slow4g", "ready"), 0.75),
        ("fully visible ÷ theirs, local ≤ 0.4 (issue 8)", of_theirs("local", "opaque"), 0.4),
        ("fully visible ÷ theirs, slow 4G ≤ 0.4 (issue 8)", of_theirs("slow4g", "opaque"), 0.4),
        ("long tasks from the widget at 4× CPU = 0 (median, page's own: floor; issue 8)", own_long_tasks, 0.0),
        ("Reject all → consent written, banner gone < 16 ms, local (issue 8)", med("local", &OURS, "reject"), 16.0),
        ("banner painted ÷ script-tag floor, local ≤ 1.05 (issue 16)", of_tag_floor("local"), 1.05),
        ("banner painted ÷ script-tag floor, 4× CPU ≤ 1.05 (issue 16)", of_tag_floor("cpu4x"), 1.05),
        ("banner painted ÷ script-tag floor, slow 4G ≤ 1.05 (issue 16)", of_tag_floor("slow4g"), 1.05),
    ];
    for (label, v, limit) in rows {
        let _ = writeln!(md, "| {label} | {} | {} |", v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into()), verdict(v, limit));
    }
    if let Some(floor) = ratio(med("slow4g", &STATIC_FLOOR, "opaque"), med("slow4g", &THEIRS, "opaque")) {
        let _ = writeln!(
            md,
            "\nFor scale: on slow 4G the static-HTML floor itself (no script at all) is fully visible at {floor:.2}× theirs; the script-tag floor at {}× theirs.",
            ratio(med("slow4g", &SCRIPT_TAG_FLOOR, "opaque"), med("slow4g", &THEIRS, "opaque")).map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into())
        );
    }
    md
}

pub fn verdict(v: Option<f64>, limit: f64) -> &'static str {
    match v {
        Some(v) if v <= limit => "met",
        Some(_) => "**missed**",
        None => "–",
    }
}

fn ms1(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into())
}

fn ms(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "–".into())
}
