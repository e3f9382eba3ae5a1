//! Logging in and out, and the account page: one's own password and sessions.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use serde::Deserialize;

use crate::error::{AppError, as_notice};
use crate::limits::{Policy, network_of};
use crate::login::{self as sign_in, Outcome};
use crate::service::ServiceError;
use crate::sessions::Client;
use crate::state::AppState;
use crate::web::{
    client::{client_ip, limit},
    csrf::{self, CsrfForm},
    page::Page,
    session::{self, CurrentSession, CurrentUser},
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(login_page).service(login).service(logout).service(account).service(change_password).service(end_session);
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths: `next` must never send a user to another host.
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.chars().any(char::is_control))
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

#[get("/login")]
async fn login_page(req: HttpRequest, state: web::Data<AppState>, query: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    let mut page = Page::new(&req, "login");
    page.insert("next", &safe_next(query.next.as_deref()).unwrap_or(""));
    page.render(&state.tera, "auth/login.html")
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn client_of(req: &HttpRequest, state: &AppState) -> Client {
    let agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect();
    Client { network: network_of(client_ip(req, state.config.trust_proxy)).to_string(), agent }
}

#[post("/login")]
async fn login(req: HttpRequest, state: web::Data<AppState>, CsrfForm(form): CsrfForm<LoginForm>) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Login)?;
    let next = safe_next(form.next.as_deref()).unwrap_or("");
    match sign_in::log_in(state.ctx(), &state.config, &form.username, &form.password, &client_of(&req, &state)).await? {
        Outcome::Welcome { user, token } => {
            let target = if next.is_empty() { session::home_of(user.role) } else { next };
            Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, target)).cookie(session::session_cookie(&state, &token)).finish())
        }
        Outcome::Invalid => {
            let mut page = Page::new(&req, "login");
            page.insert("next", &next).insert("username", &form.username.chars().take(64).collect::<String>());
            page.insert("error", "用户名或密码错误。");
            page.render_with_status(&state.tera, "auth/login.html", StatusCode::UNAUTHORIZED)
        }
    }
}

/// Ends this session everywhere (every copy of its cookie), and starts a new visitor binding so
/// the next form's CSRF token is a new one.
#[post("/logout")]
async fn logout(req: HttpRequest, state: web::Data<AppState>, _form: CsrfForm<serde::de::IgnoredAny>) -> Result<HttpResponse, AppError> {
    let user = req.extensions().get::<CurrentUser>().cloned();
    let current = req.extensions().get::<CurrentSession>().cloned();
    if let (Some(user), Some(current)) = (user, current) {
        match sign_in::log_out(state.ctx(), &user.0, current.id).await {
            Ok(()) | Err(ServiceError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/"))
        .cookie(session::cleared_cookie(&state))
        .cookie(csrf::new_visitor_cookie(state.config.cookie_secure))
        .finish())
}

async fn account_page(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    current: &CurrentSession,
    notice: Option<&str>,
    errors: Option<&crate::service::FieldErrors>,
) -> Result<HttpResponse, AppError> {
    let sessions: Vec<_> = crate::sessions::live_for(&state.db, user.0.id, state.clock.now())
        .await?
        .into_iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id, "this": s.id == current.id, "network": s.client, "agent": s.agent.chars().take(60).collect::<String>(),
                "since": crate::domain::time::minute(s.created_at), "seen": crate::domain::time::minute(s.last_seen_at),
            })
        })
        .collect();
    let mut page = Page::new(req, "account");
    page.insert("sessions", &sessions).insert("notice", &notice);
    let status = page.errors(errors);
    page.render_with_status(&state.tera, "auth/account.html", status)
}

#[get("/account")]
async fn account(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    current: CurrentSession,
) -> Result<HttpResponse, AppError> {
    account_page(&req, &state, &user, &current, None, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeated: String,
}

#[post("/account/password")]
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    current: CurrentSession,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Login)?;
    match crate::accounts::change_own_password(state.ctx(), &user.actor(), current.id, &form.current, &form.password, &form.repeated).await
    {
        Ok(()) => account_page(&req, &state, &user, &current, Some("密码已更改，您在其他设备上的登录已全部退出。"), None).await,
        Err(ServiceError::Invalid(errors)) => account_page(&req, &state, &user, &current, None, Some(&errors)).await,
        Err(err) => Err(err.into()),
    }
}

#[post("/account/sessions/{id}/end")]
async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    current: CurrentSession,
    path: web::Path<i32>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    match crate::sessions::end_own(state.ctx(), &user.actor(), id).await {
        Ok(()) => {}
        Err(err) => {
            let (message, status) = as_notice(err)?;
            let mut response = account_page(&req, &state, &user, &current, Some(&message), None).await?;
            *response.status_mut() = status;
            return Ok(response);
        }
    }
    if id == current.id {
        return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/login")).cookie(session::cleared_cookie(&state)).finish());
    }
    Ok(see_other("/account"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin?x=1")), Some("/admin?x=1"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "admin", "/a\nb"] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }
}
