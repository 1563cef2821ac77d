//! SQLite read connections: a small pool, so dashboard, proof and health reads
//! run side by side (WAL mode lets readers work while the writer commits)
//! instead of queueing behind one mutexed connection.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use crate::store::Result;

/// Read connections per store.
pub const READERS: usize = 4;

#[derive(Clone)]
pub struct Readers {
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    pub fn open(path: &Path, open: impl Fn(&Path) -> Result<Connection>) -> Result<Readers> {
        let conns = (0..READERS).map(|_| open(path)).collect::<Result<Vec<_>>>()?;
        Ok(Readers { permits: Arc::new(Semaphore::new(conns.len())), idle: Arc::new(Mutex::new(conns)) })
    }

    /// Runs `f` on a free read connection, off the async runtime.
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static) -> Result<T> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| crate::store::StoreError::WriterGone)?;
        let idle = self.idle.clone();
        tokio::task::spawn_blocking(move || {
            // A permit guarantees a connection is idle.
            let conn = idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let Some(conn) = conn else { return Err(crate::store::StoreError::WriterGone) };
            let out = f(&conn);
            idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            drop(permit);
            Ok(out?)
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    /// As many reads as connections are inside their queries at once: each
    /// waits (up to five seconds) until all of them are in.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_run_side_by_side() {
        let dir = tempfile::tempdir().expect("temp dir");
        let readers = Readers::open(&dir.path().join("r.sqlite"), |p| Ok(Connection::open(p)?)).expect("open");
        let inside = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..READERS {
            let (readers, inside) = (readers.clone(), inside.clone());
            tasks.push(tokio::spawn(async move {
                readers
                    .read(move |c| {
                        inside.fetch_add(1, Ordering::SeqCst);
                        let deadline = Instant::now() + Duration::from_secs(5);
                        while inside.load(Ordering::SeqCst) < READERS && Instant::now() < deadline {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        let met = inside.load(Ordering::SeqCst) >= READERS;
                        c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(|_| met)
                    })
                    .await
            }));
        }
        for t in tasks {
            assert!(matches!(t.await.expect("task"), Ok(true)), "a read ran alone: reads wait on each other");
        }
    }
}
