//! Keeping `<config>/tcf/` current from the IAB's published Global Vendor List
//! (`--gvl-url`, e.g. `https://vendor-list.consensu.org/v3/`): the server, never
//! the browser, fetches `vendor-list.json` and the `purposes-<lang>.json` of the
//! languages its TCF sites use, on a schedule, as HTTP caching asks: a
//! conditional request with the last `ETag` / `Last-Modified` (a `304` is no
//! change), never sooner than the answer's `Cache-Control: max-age`. A file is
//! written only when it reads as a valid list; the configuration is then
//! reloaded, and if that fails (a vendor a site works with was deleted, say)
//! the previous files are put back and the running configuration stays.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;

use super::gvl::{ListFiles, Translation, VendorList};

/// Largest file accepted (the whole GVL is about 1.5 MB today).
const MAX_FILE: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("{url}: {source}")]
    Fetch { url: String, source: reqwest::Error },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: StatusCode },
    #[error("{url}: larger than {MAX_FILE} bytes")]
    TooLarge { url: String },
    #[error("{url}: not a valid list: {message}")]
    Invalid { url: String, message: String },
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the new list was not taken (the previous one stays): {0}")]
    Refused(String),
}

/// What one round did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every file answered `304` (or as before): nothing written.
    Unchanged,
    /// These files were written and the configuration reloaded.
    Updated(Vec<String>),
}

/// The validators and freshness of one fetched file.
#[derive(Clone, Debug, Default)]
struct Cached {
    etag: Option<String>,
    last_modified: Option<String>,
}

pub struct Refresher {
    base: url::Url,
    dir: PathBuf,
    client: reqwest::Client,
    cached: BTreeMap<String, Cached>,
    /// The longest `max-age` of the last round's answers.
    max_age: Option<Duration>,
}

impl Refresher {
    /// Fetches from `base` (a folder URL) into `<pkg_config>/tcf/`.
    pub fn new(base: url::Url, pkg_config: &Path) -> Refresher {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).user_agent(concat!("consent-server/", env!("CARGO_PKG_VERSION"))).build().unwrap_or_default();
        Refresher { base, dir: pkg_config.join("tcf"), client, cached: BTreeMap::new(), max_age: None }
    }

    /// How long to wait before the next round: `every`, or longer when the
    /// server asked (`Cache-Control: max-age`).
    pub fn next_wait(&self, every: Duration) -> Duration {
        self.max_age.map_or(every, |m| m.max(every))
    }

    /// One round: fetch each file (conditionally), check the new ones, write
    /// them, then `apply` (the configuration reload). If `apply` fails the
    /// previous files are restored.
    pub async fn refresh(&mut self, langs: &[String], apply: impl AsyncFnOnce() -> Result<(), String>) -> Result<Outcome, RefreshError> {
        let mut names = vec!["vendor-list.json".to_owned()];
        names.extend(langs.iter().filter(|l| *l != "en").map(|l| format!("purposes-{l}.json")));
        self.max_age = None;
        let mut fresh = Vec::new();
        for name in names {
            match self.fetch(&name).await {
                Ok(Some(bytes)) => fresh.push((name, bytes)),
                Ok(None) => {}
                // A language the IAB does not translate: the English texts serve.
                Err(RefreshError::Status { status: StatusCode::NOT_FOUND, .. }) if name != "vendor-list.json" => {}
                Err(e) => return Err(e),
            }
        }
        if fresh.is_empty() {
            return Ok(Outcome::Unchanged);
        }
        self.check(&fresh)?;
        let previous: Vec<(PathBuf, Option<Vec<u8>>)> = fresh.iter().map(|(n, _)| (self.dir.join(n), std::fs::read(self.dir.join(n)).ok())).collect();
        for (name, bytes) in &fresh {
            write_atomically(&self.dir.join(name), bytes)?;
        }
        if let Err(why) = apply().await {
            for (path, old) in previous {
                let _ = match old {
                    Some(bytes) => write_atomically(&path, &bytes),
                    None => std::fs::remove_file(&path).map_err(|source| RefreshError::Write { path: path.clone(), source }),
                };
            }
            self.cached.clear();
            return Err(RefreshError::Refused(why));
        }
        Ok(Outcome::Updated(fresh.into_iter().map(|(n, _)| n).collect()))
    }

    /// `Some(body)` when the file changed since the last round, `None` on `304`.
    async fn fetch(&mut self, name: &str) -> Result<Option<Vec<u8>>, RefreshError> {
        let url = self.base.join(name).map_err(|e| RefreshError::Invalid { url: name.to_owned(), message: e.to_string() })?;
        let url_text = url.to_string();
        let cached = self.cached.get(name).cloned().unwrap_or_default();
        let mut request = self.client.get(url);
        if let Some(e) = &cached.etag {
            request = request.header(IF_NONE_MATCH, e);
        }
        if let Some(m) = &cached.last_modified {
            request = request.header(IF_MODIFIED_SINCE, m);
        }
        let response = request.send().await.map_err(|source| RefreshError::Fetch { url: url_text.clone(), source })?;
        let header = |name| response.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_owned);
        if let Some(age) = header(CACHE_CONTROL).as_deref().and_then(max_age) {
            self.max_age = Some(self.max_age.map_or(age, |m| m.max(age)));
        }
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(RefreshError::Status { url: url_text, status: response.status() });
        }
        let validators = Cached { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        if response.content_length().is_some_and(|n| n as usize > MAX_FILE) {
            return Err(RefreshError::TooLarge { url: url_text });
        }
        let body = response.bytes().await.map_err(|source| RefreshError::Fetch { url: url_text.clone(), source })?;
        if body.len() > MAX_FILE {
            return Err(RefreshError::TooLarge { url: url_text });
        }
        self.cached.insert(name.to_owned(), validators);
        Ok(Some(body.to_vec()))
    }

    /// Every new file must read as what it claims to be before any is written.
    fn check(&self, fresh: &[(String, Vec<u8>)]) -> Result<(), RefreshError> {
        for (name, bytes) in fresh {
            let invalid = |message: String| RefreshError::Invalid { url: self.base.join(name).map(|u| u.to_string()).unwrap_or_else(|_| name.clone()), message };
            if name == "vendor-list.json" {
                let scratch = tempfile::tempdir().map_err(|e| invalid(e.to_string()))?;
                std::fs::write(scratch.path().join(name), bytes).map_err(|e| invalid(e.to_string()))?;
                VendorList::load(scratch.path()).map_err(|e| invalid(e.to_string()))?;
            } else {
                serde_json::from_slice::<Translation>(bytes).map_err(|e| invalid(e.to_string()))?;
            }
        }
        Ok(())
    }
}

/// `max-age` of a `Cache-Control` value.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|d| d.trim().strip_prefix("max-age=")?.trim_matches('"').parse().ok()).map(Duration::from_secs)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), RefreshError> {
    let fail = |source| RefreshError::Write { path: path.to_owned(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("json.new");
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(max_age("public, max-age=3600"), Some(Duration::from_secs(3600)));
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("max-age=abc"), None);
    }
}
