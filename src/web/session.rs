//! Who is logged in: an encrypted cookie session, checked against the database on every request.

use actix_session::SessionExt;
use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use chrono::{Duration, Utc};
use entity::{user, vocab::Role};
use sea_orm::EntityTrait;
use std::future::{Ready, ready};

use crate::{error::AppError, service::Actor, state::AppState};

const USER_ID: &str = "uid";
const LOGIN_AT: &str = "login_at";
const SEEN_AT: &str = "seen_at";

/// The logged-in staff member, for handlers that need one.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub user::Model);

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor::staff(&self.0)
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.0.role) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = req.extensions().get::<CurrentUser>().cloned();
        ready(
            found
                .ok_or_else(|| AppError::LoginRequired { next: req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string() }),
        )
    }
}

/// Starts a session for a user who just proved who they are.
pub fn log_in(req: &HttpRequest, user: &user::Model, now: chrono::DateTime<Utc>) -> Result<(), AppError> {
    let session = req.get_session();
    // A new session id on privilege change defeats session fixation.
    session.renew();
    let now = now.timestamp();
    let stored = session.insert(USER_ID, user.id).and(session.insert(LOGIN_AT, now)).and(session.insert(SEEN_AT, now));
    stored.map_err(|e| AppError::Internal(format!("session: {e}")))
}

pub fn log_out(req: &HttpRequest) {
    req.get_session().purge();
}

/// Middleware: resolves the session to an active user, enforcing idle and absolute expiry
/// on the server (the cookie alone could be replayed).
pub async fn identify(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let session = req.get_session();
    if let Ok(Some(user_id)) = session.get::<i32>(USER_ID) {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let now = state.as_ref().map_or(0, |s| s.clock.now().timestamp());
        let login_at = session.get::<i64>(LOGIN_AT).ok().flatten().unwrap_or(0);
        let seen_at = session.get::<i64>(SEEN_AT).ok().flatten().unwrap_or(0);
        let found = match &state {
            Some(state) if fresh(&state.config, now, login_at, seen_at) => {
                user::Entity::find_by_id(user_id).one(&state.db).await.ok().flatten()
            }
            _ => None,
        };
        match found.filter(|u| u.active) {
            Some(user) => {
                if now - seen_at >= 60 {
                    let _ = session.insert(SEEN_AT, now);
                }
                req.extensions_mut().insert(CurrentUser(user));
            }
            None => session.purge(),
        }
    }
    next.call(req).await
}

/// A session lives while it is used within the idle limit, and never past the absolute one.
fn fresh(config: &crate::config::Config, now: i64, login_at: i64, seen_at: i64) -> bool {
    now - seen_at <= Duration::minutes(config.session_idle_minutes).num_seconds()
        && now - login_at <= Duration::hours(config.session_max_hours).num_seconds()
}

/// Where a role starts after logging in.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin",
        Role::Office => "/office",
        Role::Publicity => "/publicity",
        Role::Unit => "/unit",
    }
}

#[cfg(test)]
mod tests {
    use super::fresh;
    use crate::config::Config;

    #[test]
    fn sessions_expire_when_idle_and_at_the_absolute_limit() {
        let config = Config { session_idle_minutes: 30, session_max_hours: 12, ..Config::default() };
        let login = 1_000_000;
        assert!(fresh(&config, login + 60, login, login));
        assert!(!fresh(&config, login + 31 * 60, login, login), "idle for 31 minutes");
        let busy = login + 12 * 3600 + 60;
        assert!(!fresh(&config, busy, login, busy - 10), "active, but past 12 hours");
    }
}
