//! Per-client rate limits: a token bucket per (policy, address), kept in memory.
//! Each server process limits on its own; behind a load balancer the effective limit is
//! the per-process one times the number of servers.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    Login,
    SubmitOpinion,
    Rate,
    Track,
    Chat,
}

impl Policy {
    /// (burst, one more allowed every …).
    fn shape(self) -> (f64, Duration) {
        match self {
            Policy::Login => (10.0, Duration::from_secs(6)),
            Policy::SubmitOpinion => (5.0, Duration::from_secs(60)),
            Policy::Rate => (10.0, Duration::from_secs(30)),
            Policy::Track => (30.0, Duration::from_secs(2)),
            Policy::Chat => (30.0, Duration::from_secs(2)),
        }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<(Policy, IpAddr), Bucket>>,
}

const SWEEP_ABOVE: usize = 50_000;

impl RateLimiter {
    /// Takes one token; when none is left, says how long until one is.
    pub fn check(&self, policy: Policy, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let (burst, every) = policy.shape();
        let per_sec = 1.0 / every.as_secs_f64();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > SWEEP_ABOVE {
            // Full buckets carry no information: forget them rather than grow without bound.
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec < burst);
        }
        let bucket = buckets.entry((policy, client)).or_insert(Bucket { tokens: burst, at: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_sec).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_sec).max(Duration::from_secs(1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_until_refilled() {
        let limiter = RateLimiter::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(limiter.check(Policy::Login, ip, t0).is_ok());
        }
        let wait = limiter.check(Policy::Login, ip, t0).unwrap_err();
        assert!(wait >= Duration::from_secs(5) && wait <= Duration::from_secs(6), "{wait:?}");
        assert!(limiter.check(Policy::Login, other, t0).is_ok(), "addresses are limited apart");
        assert!(limiter.check(Policy::Chat, ip, t0).is_ok(), "policies are limited apart");
        assert!(limiter.check(Policy::Login, ip, t0 + Duration::from_secs(6)).is_ok());
    }
}
