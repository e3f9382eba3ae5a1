//! Per-client rate limits (governor's GCRA), one limiter per policy, keyed by the client's
//! network: an IPv4 address, or an IPv6 /64 (one household or phone gets a whole /64, so keying
//! on the full address would let one client pose as billions). Each server process limits on its
//! own; behind a load balancer the effective limit is the per-process one times the servers.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::{Limit, Limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    Login,
    SubmitOpinion,
    Rate,
    Track,
    Chat,
}

/// The part of an address that names one client: IPv4 whole, IPv6 its /64.
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

pub struct RateLimiter {
    login: DefaultKeyedRateLimiter<IpAddr>,
    submit: DefaultKeyedRateLimiter<IpAddr>,
    rate: DefaultKeyedRateLimiter<IpAddr>,
    track: DefaultKeyedRateLimiter<IpAddr>,
    chat: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(limit: Limit) -> Quota {
    let burst = NonZeroU32::new(limit.burst).unwrap_or(NonZeroU32::MIN);
    let every = (limit.period / burst.get()).max(Duration::from_millis(1));
    Quota::with_period(every).expect("a non-zero period").allow_burst(burst)
}

impl RateLimiter {
    pub fn new(limits: &Limits) -> Self {
        Self {
            login: DefaultKeyedRateLimiter::keyed(quota(limits.login)),
            submit: DefaultKeyedRateLimiter::keyed(quota(limits.submit)),
            rate: DefaultKeyedRateLimiter::keyed(quota(limits.rate)),
            track: DefaultKeyedRateLimiter::keyed(quota(limits.track)),
            chat: DefaultKeyedRateLimiter::keyed(quota(limits.chat)),
        }
    }

    fn of(&self, policy: Policy) -> &DefaultKeyedRateLimiter<IpAddr> {
        match policy {
            Policy::Login => &self.login,
            Policy::SubmitOpinion => &self.submit,
            Policy::Rate => &self.rate,
            Policy::Track => &self.track,
            Policy::Chat => &self.chat,
        }
    }

    /// Takes one request from the client's allowance; when none is left, says how long to wait.
    pub fn check(&self, policy: Policy, client: IpAddr) -> Result<(), Duration> {
        self.of(policy).check_key(&network_of(client)).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose allowance is full again, so memory follows recent traffic only.
    pub fn forget_idle(&self) {
        for limiter in [&self.login, &self.submit, &self.rate, &self.track, &self.chat] {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_and_clients_are_told_apart_by_network() {
        let limits = Limits { login: Limit { burst: 3, period: Duration::from_secs(60) }, ..Limits::default() };
        let limiter = RateLimiter::new(&limits);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(Policy::Login, ip).is_ok());
        }
        let wait = limiter.check(Policy::Login, ip).unwrap_err();
        assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(limiter.check(Policy::Login, "10.0.0.2".parse().unwrap()).is_ok(), "addresses are limited apart");
        assert!(limiter.check(Policy::Chat, ip).is_ok(), "policies are limited apart");

        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(Policy::Login, a).is_ok());
        }
        assert!(limiter.check(Policy::Login, b).is_err(), "one /64 is one client");
        assert!(limiter.check(Policy::Login, "2001:db8:1:3::1".parse().unwrap()).is_ok());
    }
}
