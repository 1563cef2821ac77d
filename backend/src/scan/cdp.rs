//! Chromium driven over the DevTools protocol: the browser process (headless,
//! its own throwaway profile) and one WebSocket to it. Commands are answered
//! by id; everything else the browser says is an [`Event`] kept in order for
//! the visit that reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// How long one command may take before the browser counts as hung.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// How long Chromium may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum CdpError {
    #[error("no Chromium found: install Debian's `chromium` or pass --chromium <path>")]
    NotFound,
    #[error("starting Chromium ({path}): {source}")]
    Spawn { path: PathBuf, source: std::io::Error },
    #[error("Chromium did not open its DevTools port in {0:?}")]
    NoDevTools(Duration),
    #[error("connecting to Chromium: {0}")]
    Connect(String),
    #[error("the connection to Chromium closed")]
    Closed,
    #[error("Chromium did not answer `{0}` in {CALL_TIMEOUT:?}")]
    Timeout(String),
    #[error("`{method}` failed: {message}")]
    Protocol { method: String, message: String },
}

/// Something the browser reported on its own: `Network.requestWillBeSent`, …
#[derive(Debug)]
pub struct Event {
    pub session: Option<String>,
    pub method: String,
    pub params: Value,
}

type Pending = Arc<Mutex<HashMap<u64, (String, oneshot::Sender<Result<Value, CdpError>>)>>>;

/// A running headless Chromium; killed when dropped.
pub struct Chromium {
    _child: Child,
    _profile: tempfile::TempDir,
    sink: tokio::sync::Mutex<futures_util::stream::SplitSink<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>, Message>>,
    pending: Pending,
    next_id: AtomicU64,
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<Event>>,
}

/// `path`, or the first of Debian's and the usual names on `PATH`.
pub fn find(path: Option<&Path>) -> Result<PathBuf, CdpError> {
    if let Some(p) = path {
        return Ok(p.to_owned());
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&dirs) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(CdpError::NotFound)
}

impl Chromium {
    pub async fn launch(path: &Path) -> Result<Chromium, CdpError> {
        let spawn_error = |source| CdpError::Spawn { path: path.to_owned(), source };
        let profile = tempfile::tempdir().map_err(spawn_error)?;
        let mut child = Command::new(path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-extensions",
                "--mute-audio",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(spawn_error)?;
        let stderr = child.stderr.take().ok_or(CdpError::Closed)?;
        let url = tokio::time::timeout(START_TIMEOUT, devtools_url(stderr)).await.map_err(|_| CdpError::NoDevTools(START_TIMEOUT))??;
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.map_err(|e| CdpError::Connect(e.to_string()))?;
        let (sink, stream) = socket.split();
        let pending: Pending = Arc::default();
        let (events_tx, events) = mpsc::unbounded_channel();
        tokio::spawn(read(stream, pending.clone(), events_tx));
        Ok(Chromium { _child: child, _profile: profile, sink: tokio::sync::Mutex::new(sink), pending, next_id: AtomicU64::new(1), events: tokio::sync::Mutex::new(events) })
    }

    /// Sends `method` (to a page's `session`, or to the browser) and waits for its answer.
    pub async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, CdpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().map_err(|_| CdpError::Closed)?.insert(id, (method.to_owned(), tx));
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = Value::from(s);
        }
        self.sink.lock().await.send(Message::Text(message.to_string().into())).await.map_err(|_| CdpError::Closed)?;
        match tokio::time::timeout(CALL_TIMEOUT, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(CdpError::Closed),
            Err(_) => {
                if let Ok(mut pending) = self.pending.lock() {
                    pending.remove(&id);
                }
                Err(CdpError::Timeout(method.to_owned()))
            }
        }
    }

    /// The next event, or `None` when `wait` passes first.
    pub async fn next_event(&self, wait: Duration) -> Option<Event> {
        let mut events = self.events.lock().await;
        tokio::time::timeout(wait, events.recv()).await.ok().flatten()
    }
}

/// Reads Chromium's stderr to its `DevTools listening on ws://…` line, then
/// keeps draining it so the browser never blocks on a full pipe.
async fn devtools_url(stderr: tokio::process::ChildStderr) -> Result<String, CdpError> {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line.split("DevTools listening on ").nth(1) {
            let url = url.trim().to_owned();
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(url);
        }
    }
    Err(CdpError::Closed)
}

async fn read<S>(mut stream: S, pending: Pending, events: mpsc::UnboundedSender<Event>)
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else { continue };
        let Ok(mut value) = serde_json::from_str::<Value>(&text) else { continue };
        if let Some(id) = value.get("id").and_then(Value::as_u64) {
            let waiting = pending.lock().ok().and_then(|mut p| p.remove(&id));
            if let Some((method, tx)) = waiting {
                let answer = match value.get("error") {
                    Some(e) => Err(CdpError::Protocol { method, message: e.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_owned() }),
                    None => Ok(value.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
                };
                let _ = tx.send(answer);
            }
        } else if let Some(method) = value.get("method").and_then(Value::as_str) {
            let session = value.get("sessionId").and_then(Value::as_str).map(str::to_owned);
            let event = Event { session, method: method.to_owned(), params: value.get_mut("params").map(Value::take).unwrap_or(Value::Null) };
            if events.send(event).is_err() {
                break;
            }
        }
    }
    // The browser is gone: every waiting call learns it at once.
    if let Ok(mut p) = pending.lock() {
        p.clear();
    }
}
