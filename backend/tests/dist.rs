//! The release binary (`cargo xtask dist`), copied alone into an empty folder
//! with a config folder and no `www/`, serves every site: it carries the widget.
//! Run by `cargo xtask test` (`CONSENT_DIST_BIN` names the binary).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, stopped however the test ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
#[ignore = "needs the release binary; run by `cargo xtask test`"]
async fn the_binary_alone_serves_every_site() {
    let Ok(bin) = std::env::var("CONSENT_DIST_BIN") else { panic!("set CONSENT_DIST_BIN to the release binary (cargo xtask dist)") };
    let dir = tempfile::tempdir().expect("temp dir");
    let alone = dir.path().join("consent-server");
    std::fs::copy(&bin, &alone).expect("copy the binary");
    // The config folder: the repository's sites, and one more made by the binary itself.
    common::copy_pkg_config(&dir.path().join("config"));
    let made = Command::new(&alone).current_dir(dir.path()).args(["--config", "config", "new-site", "shop", "--name", "Shop", "--origin", "https://www.shop.example"]).output().expect("new-site");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let port = common::free_port();
    let _server = Running(
        Command::new(&alone)
            .current_dir(dir.path())
            .args(["--config", "config", "--db", "consent.sqlite", "--port", &port.to_string()])
            .env("CONSENT_ADMIN_TOKEN", "dist-test")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the binary"),
    );
    assert!(!dir.path().join("www").exists(), "no www/ beside it");
    let base = format!("http://127.0.0.1:{port}");
    let end = Instant::now() + Duration::from_secs(30);
    let loader = loop {
        match reqwest::get(format!("{base}/s/luxhost/consent.js")).await {
            Ok(r) if r.status() == 200 => break r.text().await.expect("body"),
            _ if Instant::now() < end => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("the loader was not served: {:?}", other.map(|r| r.status())),
        }
    };
    let shop = reqwest::get(format!("{base}/s/shop/consent.js")).await.expect("shop loader");
    assert_eq!(shop.status(), 200, "the site made by new-site is served");
    // The full widget, from inside the binary.
    let code = loader.split("pkg:\"").nth(1).and_then(|r| r.split('"').next()).expect("the loader names the code's folder");
    for file in ["widget.js", "consent_widget_bg.wasm"] {
        let res = reqwest::get(format!("{base}{code}{file}")).await.expect("code");
        assert_eq!(res.status(), 200, "{code}{file}");
        assert!(res.bytes().await.expect("body").len() > 10_000, "{file} is the real thing");
    }
}
