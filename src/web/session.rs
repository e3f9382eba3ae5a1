//! Who is logged in: the session cookie carries an opaque token, resolved against the sessions
//! table on every request (`crate::sessions`), so ending a session ends every copy of its cookie.
//! The same middleware marks staff responses `Cache-Control: no-store`.

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};
use entity::{user, vocab::Role};
use std::future::{Ready, ready};

use crate::{error::AppError, service::Actor, state::AppState};

/// The logged-in staff member, for handlers that need one.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub user::Model);

/// The live session of this request and its token (the CSRF binding).
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub id: i32,
    pub token: String,
}

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

impl FromRequest for CurrentSession {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let path = req.uri().path().to_string();
        ready(req.extensions().get::<CurrentSession>().cloned().ok_or(AppError::LoginRequired { next: path }))
    }
}

/// `__Host-` when cookies are Secure: the browser then refuses it from any other origin or path.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-lianxin_session" } else { "lianxin_session" }
}

/// The cookie that carries a new session's token.
pub fn session_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    Cookie::build(cookie_name(state.config.cookie_secure), token.to_string())
        .path("/")
        .http_only(true)
        .secure(state.config.cookie_secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::hours(state.config.session_max_hours))
        .finish()
}

/// The cookie that clears it.
pub fn cleared_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = session_cookie(state, "");
    cookie.make_removal();
    cookie
}

/// Middleware: resolves the session cookie to a live session of an active user (in an active
/// unit); staff responses are never cached.
pub async fn identify(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let mut staff = false;
    if let Some(state) = &state
        && let Some(token) = req.cookie(cookie_name(state.config.cookie_secure)).map(|c| c.value().to_string())
    {
        match crate::sessions::resolve(&state.db, &state.secrets, &state.config, &token, state.clock.now()).await {
            Ok(Some(live)) => {
                staff = true;
                req.extensions_mut().insert(CurrentSession { id: live.session.id, token });
                req.extensions_mut().insert(CurrentUser(live.user));
            }
            Ok(None) => {}
            Err(err) => tracing::error!(%err, "session lookup failed; treating the visitor as logged out"),
        }
    }
    let mut response = next.call(req).await?;
    if staff {
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        let user = response.request().extensions().get::<CurrentUser>().cloned();
        if response.status() == actix_web::http::StatusCode::FORBIDDEN
            && let (Some(state), Some(user)) = (&state, user)
        {
            let what = format!("{} {}", response.request().method(), response.request().path());
            if let Err(err) = crate::login::record_refusal(state.ctx(), &user.0, &what).await {
                tracing::error!(%err, "a refused action was not audited");
            }
        }
    }
    Ok(response)
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
