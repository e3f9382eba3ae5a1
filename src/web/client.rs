//! The client's address and the rate limits keyed on it.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::HttpRequest;

use crate::{error::AppError, limits::Policy, state::AppState};

/// The peer address, or behind a trusted proxy the last `X-Forwarded-For` hop, which is the
/// one the proxy itself appended (earlier hops are whatever the client chose to send).
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> IpAddr {
    let forwarded =
        trust_proxy.then(|| req.headers().get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next()?.trim().parse().ok()).flatten();
    forwarded.or_else(|| req.peer_addr().map(|a| a.ip())).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Takes one request from the client's allowance under `policy`.
pub fn limit(req: &HttpRequest, state: &AppState, policy: Policy) -> Result<(), AppError> {
    let ip = client_ip(req, state.config.trust_proxy);
    state.limiter.check(policy, ip).map_err(|wait| AppError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) })
}
