//! Logging in and out.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use serde::Deserialize;

use crate::accounts::{self, LoginRefusal};
use crate::domain::time;
use crate::error::AppError;
use crate::limits::Policy;
use crate::state::AppState;
use crate::web::{client::limit, csrf::CsrfForm, page::Page, session};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(login_page).service(login).service(logout);
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

#[post("/login")]
async fn login(req: HttpRequest, state: web::Data<AppState>, CsrfForm(form): CsrfForm<LoginForm>) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Login)?;
    let next = safe_next(form.next.as_deref()).unwrap_or("");
    let refusal = match accounts::authenticate(state.ctx(), &form.username, &form.password).await? {
        Ok(user) => {
            session::log_in(&req, &user, state.clock.now())?;
            let target = if next.is_empty() { session::home_of(user.role) } else { next };
            return Ok(see_other(target));
        }
        Err(refusal) => refusal,
    };
    let mut page = Page::new(&req, "login");
    page.insert("next", &next).insert("username", &form.username.chars().take(64).collect::<String>());
    match refusal {
        LoginRefusal::Invalid => {
            page.insert("error", "用户名或密码错误。");
            page.render_with_status(&state.tera, "auth/login.html", StatusCode::UNAUTHORIZED)
        }
        LoginRefusal::Locked { until } => {
            page.insert("error", &format!("登录失败次数过多，账号已暂时锁定，请于 {} 后再试。", time::minute(until)));
            let mut response = page.render_with_status(&state.tera, "auth/login.html", StatusCode::TOO_MANY_REQUESTS)?;
            let wait = (until - state.clock.now()).num_seconds().max(1);
            response.headers_mut().insert(header::RETRY_AFTER, wait.into());
            Ok(response)
        }
    }
}

#[post("/logout")]
async fn logout(req: HttpRequest, _form: CsrfForm<serde::de::IgnoredAny>) -> HttpResponse {
    session::log_out(&req);
    see_other("/")
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
