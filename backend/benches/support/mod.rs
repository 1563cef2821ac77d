//! What the benchmarks share: their environment knobs, a free port, a fresh
//! PostgreSQL database.

#![allow(dead_code)]

use std::process::Command;

/// A number from the environment, or `default`.
pub fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

/// Drops and creates the database named by `url` (through `psql` on its server's
/// `postgres` database); `None` when that fails.
pub fn recreate_pg(url: &str) -> Option<()> {
    let (server, db) = url.rsplit_once('/')?;
    let admin = format!("{server}/postgres");
    for sql in [format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), format!("CREATE DATABASE {db}")] {
        Command::new("psql").args(["-q", &admin, "-c", &sql]).status().ok()?.success().then_some(())?;
    }
    Some(())
}
