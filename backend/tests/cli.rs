//! The `consent-server` command line: maintenance commands refuse a database that
//! is not there, options work after the subcommand, bad retentions are refused.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn server(args: &[&str]) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_consent-server"));
    cmd.arg("--config").arg(root.join("pkg-config")).args(args).env("RUST_LOG", "warn").env("CONSENT_ADMIN_TOKEN", "t");
    cmd
}

fn run(args: &[&str]) -> Output {
    server(args).stdin(Stdio::null()).output().expect("run consent-server")
}

fn said(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn maintenance_commands_refuse_a_database_that_does_not_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no/such/dir/consent.sqlite");
    let db = missing.to_str().expect("path");
    for args in [vec!["--db", db, "verify", "--site", "luxhost"], vec!["verify", "--site", "luxhost", "--db", db], vec!["--db", db, "rebuild-rollups"]] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?} must fail: {}", said(&out));
        assert!(said(&out).contains("no database at"), "{args:?}: {}", said(&out));
        assert!(!said(&out).contains("chain intact"));
    }
    assert!(!dir.path().join("no").exists(), "nothing was created");
    // A file that is not a consent database: refused too, and left as it was.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").expect("write");
    let out = run(&["verify", "--site", "luxhost", "--db", empty.to_str().expect("path")]);
    assert!(!out.status.success() && said(&out).contains("holds no consent schema"), "{}", said(&out));
    assert_eq!(std::fs::metadata(&empty).map(|m| m.len()).unwrap_or(1), 0);
}

#[test]
fn verify_answers_for_a_database_that_serve_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("consent.sqlite");
    let db = db.to_str().expect("path");
    let out = run(&["demo-data", "--db", db, "--events", "200", "--days", "2"]);
    assert!(out.status.success(), "{}", said(&out));
    let out = run(&["verify", "--site", "luxhost", "--db", db]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("chain intact"), "{}", said(&out));
}

#[test]
fn a_retention_of_zero_days_or_one_that_overflows_is_refused() {
    for days in ["0", "36501", "18446744073709551615"] {
        for flag in ["--retain-decisions-days", "--retain-impressions-days"] {
            let out = run(&["serve", flag, days, "--db", "/nonexistent/never-opened.sqlite"]);
            assert!(!out.status.success(), "{flag} {days} must be refused");
            assert!(said(&out).contains(flag), "the error names the option: {}", said(&out));
        }
    }
}

#[test]
fn options_after_the_subcommand_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("consent.sqlite");
    let port = common::free_port();
    let mut child = server(&["serve", "--port", &port.to_string(), "--db", db.to_str().expect("path")]).stdout(Stdio::null()).spawn().expect("start");
    let mut up = false;
    // Up to 30 s: a debug build compresses every site's files before it listens.
    for _ in 0..1200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(up, "serve --port {port} listened on that port");
}

fn with_config(pkg: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_consent-server"));
    cmd.arg("--config").arg(pkg).args(args).env("RUST_LOG", "warn").stdin(Stdio::null()).output().expect("run consent-server")
}

#[test]
fn new_site_writes_a_site_that_loads_and_check_config_names_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pkg = common::copy_pkg_config(&dir.path().join("pkg-config"));
    let out = with_config(&pkg, &["new-site", "shop", "--name", "Shop & Co", "--origin", "https://www.shop.example", "--language", "fr", "--language", "en"]);
    assert!(out.status.success(), "{}", said(&out));
    let site = std::fs::read_to_string(pkg.join("sites/shop.toml")).expect("site file");
    assert!(site.contains("origins = [\"https://www.shop.example\"]") && site.contains("default_language = \"fr\""), "{site}");
    assert!(site.contains("[[categories]]") && site.contains("id = \"analytics\""), "the reference site's categories to start from");
    assert!(pkg.join("policy/shop.fr.md").exists());
    let out = with_config(&pkg, &["check-config"]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("2 sites, all valid (luxhost, shop)"), "{}", said(&out));
    // The same id again, or one that is not an id: refused, nothing written.
    let again = with_config(&pkg, &["new-site", "shop", "--name", "Again", "--origin", "https://x.example"]);
    assert!(!again.status.success() && said(&again).contains("exists already"), "{}", said(&again));
    let bad = with_config(&pkg, &["new-site", "../../evil", "--name", "Evil", "--origin", "https://x.example"]);
    assert!(!bad.status.success() && said(&bad).contains("is not a site id"), "{}", said(&bad));
    assert!(!dir.path().join("evil.toml").exists());
    // A language without texts: the site does not load, so nothing is kept.
    let unknown = with_config(&pkg, &["new-site", "klingon", "--name", "K", "--origin", "https://k.example", "--language", "tlh"]);
    assert!(!unknown.status.success() && said(&unknown).contains("nothing was kept"), "{}", said(&unknown));
    assert!(!pkg.join("sites/klingon.toml").exists() && !pkg.join("policy/klingon.tlh.md").exists());
    // A broken field: check-config fails and names the file and the field.
    std::fs::write(pkg.join("sites/shop.toml"), site.replace("max_age_days = 182", "max_age_days = 0")).expect("write");
    let broken = with_config(&pkg, &["check-config"]);
    assert!(!broken.status.success(), "{}", said(&broken));
    assert!(said(&broken).contains("shop.toml") && said(&broken).contains("max_age_days"), "{}", said(&broken));
}
