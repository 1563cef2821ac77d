//! `cargo xtask bench`: our widget side by side with vanilla-cookieconsent
//! (npm, pinned, installed into `target/bench-peer/`, never committed) and a
//! static-HTML floor: bytes on the critical path, time to banner, blocking
//! time and decision cost in headless Chromium, then ingest throughput.
//! Writes `BENCHMARKS.md` and prints it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::size::{measure, policy_documents, CRITICAL_PATH, FULL_WIDGET};
use crate::{sh, sh_out};

const PEER: &str = "vanilla-cookieconsent";
const PEER_VERSION: &str = "3.1.0";
const PEER_DIR: &str = "target/bench-peer";
/// The budget issue 8 sets for everything before the visitor can decide.
const BUDGET_GZIP: usize = 8_000;

pub fn run() -> Result<()> {
    sh(Command::new("npm").args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix", PEER_DIR, &format!("{PEER}@{PEER_VERSION}")]))?;
    sh(Command::new("cargo").args(["build", "--release", "-p", "consent-server"]))?;
    let peer_dist = Path::new(PEER_DIR).join("node_modules").join(PEER).join("dist");
    let mut md = header()?;
    md.push_str(&sizes(&peer_dist)?);

    let dir = std::env::temp_dir().join(format!("consent-bench-{}", std::process::id()));
    let www = dir.join("www");
    copy_dir(Path::new("www"), &www)?;
    write_pages(&www.join("bench"))?;
    std::fs::create_dir_all(www.join("bench/peer"))?;
    for f in ["cookieconsent.umd.js", "cookieconsent.css"] {
        std::fs::copy(peer_dist.join(f), www.join("bench/peer").join(f)).with_context(|| format!("copying {f}"))?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = Server(
        Command::new("target/release/consent-server")
            .args(["--port", &port.to_string(), "--rate-burst", "1000000", "--rate-per-second", "1000000"])
            .arg("--db").arg(dir.join("bench.sqlite"))
            .arg("--www").arg(&www)
            .env("CONSENT_ADMIN_TOKEN", "bench")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .context("starting consent-server")?,
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base)?;
    let runs = std::env::var("BENCH_RUNS").unwrap_or_else(|_| "20".into());
    eprintln!("$ node bench/time_to_banner.mjs {base} {runs}");
    let out = Command::new("node").args(["bench/time_to_banner.mjs", &base, &runs]).stderr(Stdio::inherit()).output().context("running node")?;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        bail!("the browser bench failed");
    }
    let timing: Value = serde_json::from_slice(&out.stdout).context("reading the browser bench's JSON")?;
    md.push_str(&timings(&timing));

    if std::env::var("BENCH_INGEST").is_ok_and(|v| v == "0") {
        std::fs::write("BENCHMARKS.md", &md)?;
        println!("{md}");
        eprintln!("wrote BENCHMARKS.md (BENCH_INGEST=0: without the ingest figures)");
        return Ok(());
    }
    eprintln!("$ cargo bench -p consent-server --bench ingest");
    let ingest = Command::new("cargo").args(["bench", "-p", "consent-server", "--bench", "ingest"]).stderr(Stdio::inherit()).output().context("running the ingest bench")?;
    let _ = writeln!(md, "\n## Ingest: `POST /api/v1/events` over loopback\n\n{}", String::from_utf8_lossy(&ingest.stdout).trim());
    std::fs::write("BENCHMARKS.md", &md)?;
    println!("{md}");
    eprintln!("wrote BENCHMARKS.md");
    Ok(())
}

/// The benchmark pages: one template, one consent layer each (`bench/site/layers/`),
/// so they differ in nothing else; and the files those layers load.
const PAGES: [(&str, &str); 3] = [("ours", "ours"), ("theirs", PEER), ("static", "static floor")];

fn write_pages(dir: &Path) -> Result<()> {
    let site = Path::new("bench/site");
    std::fs::create_dir_all(dir)?;
    let template = std::fs::read_to_string(site.join("page.html"))?;
    for (name, title) in PAGES {
        let layer = std::fs::read_to_string(site.join("layers").join(format!("{name}.html")))?;
        let body = if name == "static" { std::fs::read_to_string(site.join("static-banner.html"))? } else { String::new() };
        let page = template.replace("{{title}}", title).replace("{{layer}}", &layer).replace("{{layer_body}}", &body);
        std::fs::write(dir.join(format!("{name}.html")), page)?;
    }
    for f in ["peer-config.js", "static-banner.css"] {
        std::fs::copy(site.join(f), dir.join(f)).with_context(|| format!("copying {f}"))?;
    }
    Ok(())
}

/// Stops the server when dropped.
struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_ready(base: &str) -> Result<()> {
    for _ in 0..200 {
        if sh_out(Command::new("curl").args(["-sf", "-o", "/dev/null", &format!("{base}/healthz")])).is_some() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    bail!("consent-server did not start on {base}")
}

fn header() -> Result<String> {
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
        date.trim(), commit.trim(), rustc.trim(), chromium.trim()
    ))
}

fn sizes(peer_dist: &Path) -> Result<String> {
    let mut md = String::from("\n## Size: bytes before a visitor can decide\n\n| widget | part | raw B | gzip -9 B | brotli B |\n|---|---|---:|---:|---:|\n");
    let mut totals = Vec::new();
    let groups: [(&str, Vec<(String, PathBuf)>); 3] = [
        ("ours", CRITICAL_PATH.iter().map(|(n, p)| (n.to_string(), PathBuf::from(p))).collect()),
        (PEER, vec![("cookieconsent.umd.js".into(), peer_dist.join("cookieconsent.umd.js")), ("cookieconsent.css".into(), peer_dist.join("cookieconsent.css")), ("config script".into(), PathBuf::from("bench/site/peer-config.js"))]),
        ("static floor", vec![("banner CSS".into(), PathBuf::from("bench/site/static-banner.css"))]),
    ];
    for (widget, parts) in &groups {
        let mut total = [0usize; 3];
        for (name, path) in parts {
            let r = measure(path)?;
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
        "\nOurs ÷ theirs (gzip): {:.2}. Budget {BUDGET_GZIP} B gzip: {}.\n",
        ours[1] as f64 / theirs[1] as f64,
        if ours[1] <= BUDGET_GZIP { format!("met ({} B)", ours[1]) } else { format!("**missed by {} B** ({} B)", ours[1] - BUDGET_GZIP, ours[1]) }
    );
    let _ = writeln!(md, "{}\n", crate::size::baked_in()?);
    md.push_str("Ours, loaded after the banner is up (at once for a visitor who has decided) or on demand:\n\n| part | raw B | gzip -9 B | brotli B |\n|---|---:|---:|---:|\n");
    let lazy = FULL_WIDGET.iter().map(|(n, p)| (n.to_string(), p.to_string())).chain(policy_documents()?);
    for (name, path) in lazy {
        let r = measure(&path)?;
        let _ = writeln!(md, "| {name} | {} | {} | {} |", r[0], r[1], r[2]);
    }
    Ok(md)
}

fn timings(t: &Value) -> String {
    let mut md = format!(
        "\n## Time to banner, blocking time, decision cost (headless Chromium {}, medians of {} alternating cold runs, warm-up discarded)\n\n\
         Time to banner: navigation start → the Accept button is in the DOM, visible (laid out, in view, opacity > 0) and enabled. \
         Fully opaque: the same, at opacity 1 (fades finished). TBT and long tasks: tasks over 50 ms until the banner is opaque + 500 ms \
         (the page's own share is the floor's). Accept: click on Accept all → consent cookie written and the gated script ran. \
         Reject: click on Reject all → consent cookie written and the banner gone (half the runs each). \
         Pages are identical but for the consent layer, served by the same server with the same compression.\n",
        t["chromium"].as_str().unwrap_or("?"),
        t["runs"]
    );
    let profiles = [("local", "local network"), ("cpu4x", "4× CPU throttling"), ("slow4g", "4× CPU + slow 4G (1.6 Mbps, 150 ms RTT)")];
    let pages = [("ours", "ours"), ("theirs", PEER), ("static", "static HTML (floor)")];
    for (key, label) in profiles {
        let p = &t["profiles"][key];
        let med = |w: &str, m: &str| p[w][m]["median"].as_f64();
        let p90 = |w: &str, m: &str| p[w][m]["p90"].as_f64();
        let floor = med("static", "ready");
        let _ = writeln!(md, "\n### {label}\n\n| page | banner ms (median / p90) | × floor | × theirs | fully opaque ms | TBT ms | long tasks | accept ms | reject ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (w, name) in pages {
            let over = |b: Option<f64>| match (med(w, "ready"), b) {
                (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
                _ => "–".into(),
            };
            let _ = writeln!(
                md,
                "| {name} | {} / {} | {} | {} | {} | {} | {} | {} | {} |",
                ms(med(w, "ready")), ms(p90(w, "ready")), over(floor), over(med("theirs", "ready")),
                ms(med(w, "opaque")), ms(med(w, "tbt")), ms(med(w, "longtasks")), ms1(med(w, "decision")), ms1(med(w, "reject"))
            );
        }
    }
    md.push_str(&budgets(t));
    md
}

/// Issue 8's budgets, each with the measured figure and whether it is met.
fn budgets(t: &Value) -> String {
    let med = |prof: &str, w: &str, m: &str| t["profiles"][prof][w][m]["median"].as_f64();
    let ratio_of = |prof: &str, w: &str, m: &str| match (med(prof, w, m), med(prof, "theirs", m)) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let ratio = |prof: &str, m: &str| ratio_of(prof, "ours", m);
    let verdict = |v: Option<f64>, limit: f64| match v {
        Some(v) if v <= limit => "met",
        Some(_) => "**missed**",
        None => "–",
    };
    let mut md = String::from("\n## Budgets (issue 8), from this run\n\n| budget | measured | |\n|---|---:|---|\n");
    for (label, v, limit) in [
        ("time to banner ÷ theirs, local ≤ 0.65", ratio("local", "ready"), 0.65),
        ("time to banner ÷ theirs, slow 4G ≤ 0.75", ratio("slow4g", "ready"), 0.75),
        ("fully visible ÷ theirs, local ≤ 0.4", ratio("local", "opaque"), 0.4),
        ("fully visible ÷ theirs, slow 4G ≤ 0.4", ratio("slow4g", "opaque"), 0.4),
        ("long tasks from the widget at 4× CPU = 0 (median, page's own: floor)", med("cpu4x", "ours", "longtasks").map(|o| o - med("cpu4x", "static", "longtasks").unwrap_or(0.0)), 0.0),
        ("Reject all → consent written, banner gone < 16 ms (local)", med("local", "ours", "reject"), 16.0),
    ] {
        let _ = writeln!(md, "| {label} | {} | {} |", v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into()), verdict(v, limit));
    }
    if let Some(floor) = ratio_of("slow4g", "static", "opaque") {
        let _ = writeln!(
            md,
            "\nFor scale: on slow 4G the static-HTML floor itself (no script at all) is fully visible at {floor:.2}× theirs, time to banner {}× theirs.",
            ratio_of("slow4g", "static", "ready").map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into())
        );
    }
    md
}

fn ms1(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into())
}

fn ms(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "–".into())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}
