//! Per-client rate limiting for ingest: a token bucket per client, keyed on a
//! salted hash of the address (the address itself is never kept), in a table of
//! bounded size that forgets the least recently seen client first.
//!
//! An IPv6 client is keyed on its /64: one subscriber usually holds a whole /64,
//! and keying on the full address would give it 2^64 fresh buckets.

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Instant;

use lru::LruCache;
use sha2::{Digest, Sha256};

/// Most clients tracked at once; beyond it the least recently seen is forgotten.
const MAX_CLIENTS: NonZeroUsize = NonZeroUsize::new(50_000).unwrap();

pub struct RateLimiter {
    salt: [u8; 16],
    burst: f64,
    per_second: f64,
    buckets: Mutex<LruCache<u64, Bucket>>,
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
        RateLimiter { salt: rand::random(), burst: f64::from(burst.max(1)), per_second: per_second.max(0.001), buckets: Mutex::new(LruCache::new(MAX_CLIENTS)) }
    }

    /// Takes one token for `client`; `Err(seconds)` says when to retry.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let key = self.key(client);
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = map.get_or_insert_mut(key, || Bucket { tokens: self.burst, at: now });
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

    fn key(&self, client: IpAddr) -> u64 {
        let mut h = Sha256::new();
        h.update(self.salt);
        match client {
            IpAddr::V4(a) => h.update(a.octets()),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => h.update(v4.octets()),
                None => h.update(&a.octets()[..8]),
            },
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
    fn memory_stays_bounded_and_a_flood_does_not_reset_a_busy_client() {
        let rl = RateLimiter::new(5, 1);
        let busy: IpAddr = "198.51.100.7".parse().expect("ip");
        while rl.check(busy).is_ok() {}
        for i in 0..(MAX_CLIENTS.get() as u32 + 1000) {
            let _ = rl.check(IpAddr::from((0x0a00_0000 + i).to_be_bytes()));
            if i % 1000 == 0 {
                // Still seen now and then: the busy client stays among the recent.
                assert!(rl.check(busy).is_err(), "a flood of new addresses gave the busy client a fresh burst");
            }
        }
        assert!(rl.tracked() <= MAX_CLIENTS.get(), "tracked {}", rl.tracked());
    }

    #[test]
    fn an_ipv6_client_is_one_client_across_its_64() {
        let rl = RateLimiter::new(3, 1);
        for i in 0..3u16 {
            let ip: IpAddr = format!("2001:db8:1:2:{i:x}::1").parse().expect("ip");
            assert!(rl.check(ip).is_ok());
        }
        assert!(rl.check("2001:db8:1:2:ffff:1:2:3".parse().expect("ip")).is_err(), "same /64");
        assert!(rl.check("2001:db8:1:3::1".parse().expect("ip")).is_ok(), "another /64");
        let v4: IpAddr = "192.0.2.9".parse().expect("ip");
        let mapped: IpAddr = "::ffff:192.0.2.9".parse().expect("ip");
        for _ in 0..3 {
            assert!(rl.check(v4).is_ok());
        }
        assert!(rl.check(mapped).is_err(), "an IPv4-mapped address is its IPv4 client");
    }
}
