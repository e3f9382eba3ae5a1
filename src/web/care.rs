//! 长辈版 (the care mode): larger text and targets, the three tasks first, no floating buttons.
//! One link in every page's header switches it; a cookie remembers it, so no script is needed.

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration},
    get,
    http::header,
    web,
};
use serde::Deserialize;

use crate::state::AppState;

const COOKIE: &str = "lianxin_care";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(switch);
}

/// Whether this visitor chose the 长辈版.
pub fn is_on(req: &HttpRequest) -> bool {
    req.cookie(COOKIE).is_some_and(|c| c.value() == "1")
}

#[derive(Deserialize)]
struct Switch {
    #[serde(default)]
    on: String,
    #[serde(default)]
    next: String,
}

/// `/care?on=1&next=/lists`: remembers the choice for a year and goes back where the visitor was.
#[get("/care")]
async fn switch(state: web::Data<AppState>, query: web::Query<Switch>) -> HttpResponse {
    let on = query.on == "1";
    let cookie = Cookie::build(COOKIE, if on { "1" } else { "0" })
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.cookie_secure)
        .max_age(Duration::days(365))
        .finish();
    HttpResponse::SeeOther().insert_header((header::LOCATION, back_to(&query.next))).cookie(cookie).finish()
}

/// Only a path of this site: never `//elsewhere` or a full address.
fn back_to(next: &str) -> &str {
    let own = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && next.len() <= 2000;
    if own && !next.chars().any(|c| c.is_control()) { next } else { "/" }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_switch_goes_back_only_within_the_site() {
        for (next, to) in [
            ("/lists?tab=rectifications", "/lists?tab=rectifications"),
            ("", "/"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/\\evil.example", "/"),
            ("/a\r\nSet-Cookie: x", "/"),
        ] {
            assert_eq!(super::back_to(next), to, "{next}");
        }
    }
}
