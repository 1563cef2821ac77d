//! The configuration reloaded without a restart (`SIGHUP`): an edited text and a
//! new site are served at once, a changed policy brings a new revision, and a
//! broken file is refused with its error while the running configuration keeps
//! serving. Against the real binary, as an operator runs it.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    base: String,
    log: mpsc::Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(pkg_config: &Path, db: &Path) -> Running {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let port = common::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_consent-server"))
        .args(["--port", &port.to_string(), "--config"])
        .arg(pkg_config)
        .arg("--db")
        .arg(db)
        .arg("--www")
        .arg(root.join("www"))
        .env("CONSENT_ADMIN_TOKEN", "reload-test")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start consent-server");
    let (tx, log) = mpsc::channel();
    let out = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Running { child, base: format!("http://127.0.0.1:{port}"), log }
}

impl Running {
    fn hangup(&self) {
        let ok = Command::new("kill").args(["-HUP", &self.child.id().to_string()]).status().expect("kill").success();
        assert!(ok, "sent SIGHUP");
    }

    /// Waits for a log line containing `what`.
    fn logged(&self, what: &str) -> String {
        let end = Instant::now() + Duration::from_secs(30);
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            if let Ok(line) = self.log.recv_timeout(left) {
                if line.contains(what) {
                    return line;
                }
            }
        }
        panic!("no log line with {what:?}");
    }
}

async fn text(url: &str) -> (u16, String) {
    let res = reqwest::get(url).await.expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

/// The `revision` in a baked loader.
fn revision(loader: &str) -> String {
    let at = loader.find("revision:\"").expect("a revision") + "revision:\"".len();
    loader[at..].split('"').next().expect("value").to_owned()
}

#[tokio::test]
async fn edits_are_served_after_sighup_and_a_broken_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pkg = common::copy_pkg_config(&dir.path().join("pkg-config"));
    let server = start(&pkg, &dir.path().join("consent.sqlite"));
    server.logged("serving http://");
    let loader = format!("{}/s/luxhost/consent.js", server.base);
    let (status, before) = text(&loader).await;
    assert_eq!(status, 200);
    let site_file = pkg.join("sites/luxhost.toml");
    let original = std::fs::read_to_string(&site_file).expect("site");

    // A text edited, and a second site added: both served after the reload.
    std::fs::write(&site_file, format!("{original}\n[texts.en]\ntitle = \"Edited title, live\"\n")).expect("write");
    std::fs::write(pkg.join("sites/other.toml"), original.replace("id = \"luxhost\"", "id = \"other\"")).expect("write");
    server.hangup();
    server.logged("configuration reloaded: 2 sites");
    let (_, edited) = text(&loader).await;
    assert!(edited.contains("Edited title, live"), "the edited text is served");
    assert!(!before.contains("Edited title, live"));
    assert_eq!(text(&format!("{}/s/other/consent.js", server.base)).await.0, 200, "the new site is served");

    // The policy changed: a new revision (returning visitors see the banner again).
    let policy = pkg.join("policy/luxhost.nl.md");
    let text_nl = std::fs::read_to_string(&policy).expect("policy");
    std::fs::write(&policy, format!("{text_nl}\nEen nieuwe alinea.\n")).expect("write");
    server.hangup();
    server.logged("configuration reloaded");
    let (_, revised) = text(&loader).await;
    assert_ne!(revision(&revised), revision(&edited), "a policy change is a new revision");

    // A broken file: refused, named, and the running configuration keeps serving.
    std::fs::write(&site_file, original.replace("max_age_days = 182", "max_age_days = \"soon\"")).expect("write");
    server.hangup();
    let error = server.logged("configuration not reloaded");
    assert!(error.contains("luxhost.toml"), "the error names the file: {error}");
    let (status, still) = text(&loader).await;
    assert_eq!(status, 200);
    assert_eq!(still, revised, "the previous configuration keeps serving");
}
