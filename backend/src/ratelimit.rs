//! Per-client rate limiting for ingest: a token bucket per client, keyed on a
//! salted hash of the address (the address itself is never kept), in a map of
//! bounded size.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use sha2::{Digest, Sha256};

/// Most clients tracked at once; beyond it idle buckets are dropped first.
const MAX_CLIENTS: usize = 50_000;

pub struct RateLimiter {
    salt: [u8; 16],
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<u64, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(burst: u32, per_second: u32) -> RateLimiter {
        RateLimiter::with_rate(burst, f64::from(per_second.max(1)))
    }

    /// A limiter refilling `per_second` tokens a second (may be below one).
    pub fn with_rate(burst: u32, per_second: f64) -> RateLimiter {
        RateLimiter { salt: rand::random(), burst: f64::from(burst.max(1)), per_second: per_second.max(0.001), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `client`; `Err(seconds)` says when to retry.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let key = self.key(client);
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_CLIENTS && !map.contains_key(&key) {
            self.evict_idle(&mut map, now);
        }
        let b = map.entry(key).or_insert(Bucket { tokens: self.burst, at: now });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * self.per_second).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }

    pub fn tracked(&self) -> usize {
        self.buckets.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Drops buckets that have refilled (their clients are idle); if none, all.
    fn evict_idle(&self, map: &mut HashMap<u64, Bucket>, now: Instant) {
        let full_after = self.burst / self.per_second;
        map.retain(|_, b| now.duration_since(b.at).as_secs_f64() < full_after);
        if map.len() >= MAX_CLIENTS {
            map.clear();
        }
    }

    fn key(&self, client: IpAddr) -> u64 {
        let mut h = Sha256::new();
        h.update(self.salt);
        match client {
            IpAddr::V4(a) => h.update(a.octets()),
            IpAddr::V6(a) => h.update(a.octets()),
        }
        let d = h.finalize();
        u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusal_per_client() {
        let rl = RateLimiter::new(3, 1);
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        assert!(rl.check(a).is_ok() && rl.check(a).is_ok() && rl.check(a).is_ok());
        assert_eq!(rl.check(a), Err(1));
        assert!(rl.check(b).is_ok(), "another client is not affected");
    }

    #[test]
    fn memory_stays_bounded() {
        let rl = RateLimiter::new(5, 5);
        for i in 0..(MAX_CLIENTS as u32 + 1000) {
            let ip = IpAddr::from(i.to_be_bytes());
            let _ = rl.check(ip);
        }
        assert!(rl.tracked() <= MAX_CLIENTS, "tracked {}", rl.tracked());
    }
}
